using System.Text;

namespace AiTrader.Integration.Tests.Docs;

/// <summary>Splits a command line of an executed block into words as a POSIX shell would for a simple command: spaces
/// separate words, single quotes keep everything literal, double quotes group (a backslash escapes <c>"</c>, <c>\</c>,
/// <c>$</c> and a backquote), an unquoted <c>#</c> at a word's start begins a comment. What would make it more than a
/// simple command (a pipe, a redirect, <c>;</c>, <c>&amp;</c>, a variable or command substitution) is refused, so a page
/// cannot show a line the test would run differently from a shell.</summary>
internal static class ShellWords
{
    public static List<string> Split(string line, Func<string, Exception> refuse)
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
                case '|' or '&' or ';' or '<' or '>' or '(' or ')' or '`':
                    throw refuse($"'{c}' makes it more than one simple command; an executed block runs one command a line");
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

    /// <summary>A <c>$</c> is kept only as the <c>$?</c> of <c>echo $?</c>; anything else would be an expansion.</summary>
    private static void Refuse(string line, int at, Func<string, Exception> refuse)
    {
        if (line[at] == '`' || !(at + 1 < line.Length && line[at + 1] == '?'))
        {
            throw refuse($"'{line[at..Math.Min(line.Length, at + 2)]}' would be expanded by a shell; write the value out");
        }
    }
}
