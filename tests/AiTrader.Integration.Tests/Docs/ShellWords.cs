using System.Text;

namespace AiTrader.Integration.Tests.Docs;

/// <summary>Splits a command line of an executed block into words as a POSIX shell would for a simple command: spaces
/// separate words, single quotes keep everything literal, double quotes group (a backslash escapes <c>"</c>, <c>\</c>,
/// <c>$</c> and a backquote), an unquoted <c>#</c> at a word's start begins a comment, <c>$NAME</c> or <c>${NAME}</c>
/// (unquoted or in double quotes) is a variable the page set before, and a last unquoted <c>&amp;</c> runs the command in
/// the background (the last word is then <see cref="Background"/>). What would make it more than a simple command (a
/// pipe, a redirect, <c>;</c>, another <c>&amp;</c>, an unknown variable, a command substitution) is refused, so a page
/// cannot show a line the test would run differently from a shell.</summary>
internal static class ShellWords
{
    /// <summary>The last word when the line ends in an unquoted <c>&amp;</c>: no shell word can be this.</summary>
    public const string Background = "\0&";

    /// <summary>Splits <paramref name="line"/>; <paramref name="variable"/> gives the value of a variable the page has set
    /// (null: not set, refused).</summary>
    public static List<string> Split(string line, Func<string, Exception> refuse, Func<string, string?>? variable = null)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            switch (c)
            {
                case ' ' or '\t':
                    if (inWord)
                    {
                        words.Add(word.ToString());
                        word.Clear();
                        inWord = false;
                    }

                    continue;
                case '#' when !inWord:
                    return words;
                case '\'':
                    var close = line.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        throw refuse("an unclosed ' quote");
                    }

                    word.Append(line, i + 1, close - i - 1);
                    i = close;
                    break;
                case '"':
                    for (i++; i < line.Length && line[i] != '"'; i++)
                    {
                        if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\' or '$' or '`')
                        {
                            i++;
                        }
                        else if (line[i] == '$' && Variable(line, ref i, variable, refuse) is { } value)
                        {
                            word.Append(value);
                            continue;
                        }
                        else if (line[i] is '$' or '`')
                        {
                            Refuse(line, i, refuse);
                        }

                        word.Append(line[i]);
                    }

                    if (i >= line.Length)
                    {
                        throw refuse("an unclosed \" quote");
                    }

                    break;
                case '\\' when i + 1 < line.Length:
                    word.Append(line[++i]);
                    break;
                case '&' when !inWord && line[(i + 1)..].TrimStart() is var rest && (rest.Length == 0 || rest[0] == '#'):
                    words.Add(Background);
                    return words;
                case '|' or '&' or ';' or '<' or '>' or '(' or ')' or '`':
                    throw refuse($"'{c}' makes it more than one simple command; an executed block runs one command a line");
                case '$' when Variable(line, ref i, variable, refuse) is { } value:
                    word.Append(value);
                    break;
                case '$':
                    Refuse(line, i, refuse);
                    word.Append(c);
                    break;
                default:
                    word.Append(c);
                    break;
            }

            inWord = true;
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    /// <summary>At a <c>$</c>: the value of <c>$NAME</c> or <c>${NAME}</c> (moving <paramref name="at"/> to its last
    /// character), or null when no variable is named there or variables are not read.</summary>
    private static string? Variable(string line, ref int at, Func<string, string?>? variable, Func<string, Exception> refuse)
    {
        if (variable is null)
        {
            return null;
        }

        var braced = at + 1 < line.Length && line[at + 1] == '{';
        var start = at + (braced ? 2 : 1);
        var end = start;
        while (end < line.Length && (char.IsAsciiLetterOrDigit(line[end]) || line[end] == '_'))
        {
            end++;
        }

        if (end == start || char.IsAsciiDigit(line[start]) || (braced && (end >= line.Length || line[end] != '}')))
        {
            return null;
        }

        var name = line[start..end];
        var value = variable(name)
            ?? throw refuse($"'${name}' would be expanded by a shell, and no earlier `{name}=$(...)` line of the page sets it");
        at = braced ? end : end - 1;
        return value;
    }

    /// <summary>A <c>$</c> is kept only as the <c>$?</c> of <c>echo $?</c>; anything else would be an expansion.</summary>
    private static void Refuse(string line, int at, Func<string, Exception> refuse)
    {
        if (line[at] == '`' || !(at + 1 < line.Length && line[at + 1] == '?'))
        {
            throw refuse($"'{line[at..Math.Min(line.Length, at + 2)]}' would be expanded by a shell; write the value out");
        }
    }
}
