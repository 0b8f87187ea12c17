using System.Text.RegularExpressions;
using AiTrader.Integration.Tests.TestSupport;

namespace AiTrader.Integration.Tests.Docs;

/// <summary>One <c>$</c> command of an executed block (docs/README.md, "Executed examples"), with the output the page
/// shows under it.</summary>
/// <param name="Page">The page, relative to the repository root (<c>docs/tutorials/first-backtest.md</c>).</param>
/// <param name="Line">The 1-based line of the <c>$</c>.</param>
/// <param name="Text">The command as written (continuation lines joined).</param>
/// <param name="Environment">The <c>NAME=value</c> assignments written before the command.</param>
/// <param name="Args">The arguments after <c>aitrader</c>.</param>
/// <param name="Shown">The lines shown under the command; empty: the page shows no output, so none is compared.</param>
/// <param name="ExitCode">The exit code the page shows with <c>$ echo $?</c>; without one the command must exit 0.</param>
internal sealed record DocCommand(string Page, int Line, string Text, IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<string> Args, IReadOnlyList<string> Shown, int ExitCode)
{
    /// <summary>The program: <see cref="ExecutedDocs.Aitrader"/> or <see cref="ExecutedDocs.Curl"/>.</summary>
    public string Program { get; init; } = ExecutedDocs.Aitrader;

    /// <summary>The variable <c>NAME=$(command)</c> sets from the command's standard output (its standard error is what
    /// the page shows under it); null for a plain command.</summary>
    public string? Capture { get; init; }

    /// <summary><c>aitrader serve ... &amp;</c>: started in the background and waited for until it answers; stopped when
    /// the page ends.</summary>
    public bool Background { get; init; }

    /// <summary>The command's words (<see cref="Text"/> without a capture's <c>NAME=$(</c>...<c>)</c>).</summary>
    public string Words { get; init; } = Text;

    /// <summary>The arguments with the page's variables as they are now (<paramref name="variables"/>).</summary>
    public IReadOnlyList<string> ArgsWith(IReadOnlyDictionary<string, string> variables) =>
        ExecutedDocs.Split(this, variables.GetValueOrDefault).Args;

    /// <summary>The <c>NAME=value</c> assignments before the command with the page's variables as they are now
    /// (<c>AITRADER_WEBHOOK_SECRET=$SECRET aitrader serve &amp;</c>).</summary>
    public IReadOnlyDictionary<string, string> EnvironmentWith(IReadOnlyDictionary<string, string> variables) =>
        ExecutedDocs.EnvironmentOf(this, variables.GetValueOrDefault);

    public override string ToString() => $"{Page}:{Line}: $ {Text}";
}

/// <summary>A line of a page that an executed block cannot run (a pipe, a command other than <c>aitrader</c>, ...).</summary>
internal sealed class NotExecutableException(string page, int line, string message)
    : Exception($"{page}:{line}: {message}");

/// <summary>Finds the executed blocks of the docs: fenced blocks whose info string is <c>console</c>, in README.md and
/// docs/**/*.md. Each <c>$ </c> line is a command, the lines under it up to the next <c>$ </c> are its output.</summary>
internal static partial class ExecutedDocs
{
    /// <summary>The info string that marks a fenced block as executed.</summary>
    public const string InfoString = "console";

    /// <summary>The programs a command may run: the built CLI, and curl to talk to the service it serves.</summary>
    public const string Aitrader = "aitrader", Curl = "curl";

    /// <summary>The info string of a block that is a file the page asks the reader to make (<c>file NAME</c>): the test
    /// writes it into the page's folder, with the block's lines, before the commands that follow it. Its
    /// <see cref="DocCommand"/> has this as its program, the name as its one argument and the lines as shown output.</summary>
    public const string FileBlock = "file";

    /// <summary>How a page writes the program when it is run from a clone: the same <c>aitrader</c>.</summary>
    private static readonly string[] DotnetRun = ["dotnet", "run", "--project", "src/AiTrader.Cli", "--"];

    /// <summary>README.md and every page under docs/, relative to the repository root, in a stable order.</summary>
    public static IReadOnlyList<string> Pages() =>
        Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "docs"), "*.md", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(TestPaths.RepoRoot, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Prepend("README.md")
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The commands of every executed block of <paramref name="page"/>, in page order.</summary>
    public static IReadOnlyList<DocCommand> Commands(string page) =>
        Commands(page, File.ReadAllText(Path.Combine(TestPaths.RepoRoot, page)));

    /// <summary>The commands of every executed block in <paramref name="markdown"/>, in page order.</summary>
    public static IReadOnlyList<DocCommand> Commands(string page, string markdown)
    {
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var commands = new List<DocCommand>();
        var variables = new HashSet<string>(StringComparer.Ordinal);
        string? fence = null;
        var indent = 0;
        var executed = false;
        (int Line, string Text, List<string> Shown)? current = null;
        (int Line, string Name, List<string> Lines)? file = null;

        void Finish()
        {
            if (current is not { } c)
            {
                return;
            }

            current = null;
            var words = c.Text;
            string? capture = null;
            if (CaptureForm().Match(words) is { Success: true } form)
            {
                capture = form.Groups[1].Value;
                words = form.Groups[2].Value.Trim();
            }

            // Variables set by earlier lines are known by name now and read at run time (ArgsWith).
            var tokens = ShellWords.Split(words, message => new NotExecutableException(page, c.Line, message),
                name => variables.Contains(name) ? "$" + name : null);
            if (tokens is ["echo", "$?"])
            {
                if (commands.Count == 0 || commands[^1].Page != page || c.Shown.Count != 1 || !int.TryParse(c.Shown[0], out var code))
                {
                    throw new NotExecutableException(page, c.Line, "`$ echo $?` follows a command and shows one number, its exit code");
                }

                commands[^1] = commands[^1] with { ExitCode = code };
                return;
            }

            var background = tokens.Count > 0 && tokens[^1] == ShellWords.Background;
            if (background)
            {
                tokens.RemoveAt(tokens.Count - 1);
            }

            var command = Command(page, c.Line, c.Text, tokens, c.Shown) with { Capture = capture, Background = background, Words = words };
            command = command with { Program = Split(command, name => variables.Contains(name) ? "$" + name : null).Program };
            if (background && (command.Program != Aitrader || command.Args.FirstOrDefault() != "serve" || capture is not null || c.Shown.Count > 0))
            {
                throw new NotExecutableException(page, c.Line, "only `aitrader serve ... &` runs in the background, and the page shows no output under it");
            }

            if (capture is not null)
            {
                variables.Add(capture);
            }

            commands.Add(command);
        }

        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.TrimStart();
            if (fence is null)
            {
                if (FenceOpen().Match(trimmed) is { Success: true } open)
                {
                    fence = open.Groups[1].Value;
                    indent = line.Length - trimmed.Length;
                    executed = open.Groups[2].Value == InfoString;
                    if (open.Groups[2].Value == FileBlock)
                    {
                        var name = open.Groups[3].Value.Trim();
                        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.StartsWith('.'))
                        {
                            throw new NotExecutableException(page, i + 1, $"a `{FileBlock} NAME` block names a file of the page's folder, e.g. `{FileBlock} my-list.txt`");
                        }

                        file = (i + 1, name, []);
                    }
                }

                continue;
            }

            if (trimmed.StartsWith(fence, StringComparison.Ordinal) && trimmed.TrimEnd() == fence)
            {
                Finish();
                if (file is { } f)
                {
                    commands.Add(new DocCommand(page, f.Line, $"({FileBlock} {f.Name})", new Dictionary<string, string>(), [f.Name], f.Lines, 0)
                    {
                        Program = FileBlock,
                    });
                    file = null;
                }

                fence = null;
                continue;
            }

            if (file is { } making)
            {
                making.Lines.Add(line[Math.Min(indent, line.Length - line.TrimStart().Length)..]);
                continue;
            }

            if (!executed)
            {
                continue;
            }

            if (trimmed.StartsWith("$ ", StringComparison.Ordinal))
            {
                Finish();
                var start = i;
                var text = trimmed[2..].Trim();
                while (text.EndsWith('\\') && i + 1 < lines.Length)
                {
                    text = text[..^1].TrimEnd() + " " + lines[++i].Trim();
                }

                current = (start + 1, text, []);
            }
            else if (current is { } c)
            {
                c.Shown.Add(line[Math.Min(indent, line.Length - line.TrimStart().Length)..].TrimEnd());
            }
            else if (trimmed.Length > 0)
            {
                throw new NotExecutableException(page, i + 1, $"a {InfoString} block starts with a `$ ` command line");
            }
        }

        return commands;
    }

    private static DocCommand Command(string page, int line, string text, List<string> tokens, List<string> shown)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        var at = 0;
        while (at < tokens.Count && Assignment().Match(tokens[at]) is { Success: true } assignment)
        {
            environment[assignment.Groups[1].Value] = assignment.Groups[2].Value;
            at++;
        }

        var (_, args) = Program(tokens.Skip(at).ToList())
            ?? throw new NotExecutableException(page, line,
                $"`{text}` is not an aitrader command; a {InfoString} block runs aitrader and curl only (write other shell in a bash block)");

        while (shown.Count > 0 && shown[^1].Length == 0)
        {
            shown.RemoveAt(shown.Count - 1);
        }

        return new DocCommand(page, line, text, environment, args, shown, ExitCode: 0);
    }

    /// <summary>The program and its arguments of a command's words (after any assignments), or null for a program an
    /// executed block does not run.</summary>
    private static (string Program, string[] Args)? Program(IReadOnlyList<string> words) =>
        words.Count > 0 && words[0] == Aitrader ? (Aitrader, [.. words.Skip(1)])
        : words.Take(DotnetRun.Length).SequenceEqual(DotnetRun, StringComparer.Ordinal) ? (Aitrader, [.. words.Skip(DotnetRun.Length)])
        : words.Count > 0 && words[0] == Curl ? (Curl, [.. words.Skip(1)])
        : null;

    /// <summary>The program and arguments of <paramref name="command"/> with <paramref name="variable"/>'s values.</summary>
    internal static (string Program, string[] Args) Split(DocCommand command, Func<string, string?> variable)
    {
        var tokens = ShellWords.Split(command.Words, message => new NotExecutableException(command.Page, command.Line, message), variable);
        tokens.Remove(ShellWords.Background);
        return Program(tokens.SkipWhile(t => Assignment().IsMatch(t)).ToList())
            ?? throw new NotExecutableException(command.Page, command.Line, "not an aitrader or curl command");
    }

    /// <summary>The assignments before the program of <paramref name="command"/> with <paramref name="variable"/>'s values.</summary>
    internal static IReadOnlyDictionary<string, string> EnvironmentOf(DocCommand command, Func<string, string?> variable)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var token in ShellWords.Split(command.Words, message => new NotExecutableException(command.Page, command.Line, message), variable))
        {
            if (Assignment().Match(token) is not { Success: true } assignment)
            {
                break;
            }

            environment[assignment.Groups[1].Value] = assignment.Groups[2].Value;
        }

        return environment;
    }

    /// <summary><c>NAME=$(command)</c>, with an optional comment after it.</summary>
    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*)=\$\((.*?)\)\s*(?:#.*)?$")]
    private static partial Regex CaptureForm();

    [GeneratedRegex(@"^(`{3,})\s*([^\s`]*)([^`]*)$")]
    private static partial Regex FenceOpen();

    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", RegexOptions.Singleline)]
    private static partial Regex Assignment();
}
