using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace AiTrader.Cli;

/// <summary>The reference pages written from the code rather than by hand: every environment variable with its default
/// and format (from <see cref="EnvironmentCheck.Variables"/>) and every command and option with its default (from the
/// command tree). <c>aitrader docs generate</c> writes them; a test fails when the checked-in pages differ.</summary>
public static partial class ReferencePages
{
    /// <summary>The folder the pages live in, relative to the repository root.</summary>
    public const string Folder = "docs/reference";

    /// <summary>The command that rewrites the pages, run from the repository root.</summary>
    public const string FixCommand = "dotnet run --project src/AiTrader.Cli -- docs generate";

    /// <summary>The generated pages: file name → text. Each keeps the <c>last_reviewed</c> date of the page it replaces
    /// (<paramref name="existing"/> reads it by file name, null when there is none), so regenerating an unchanged page
    /// changes nothing and a person still dates the review.</summary>
    public static IReadOnlyDictionary<string, string> All(RootCommand root, Func<string, string?> existing)
    {
        ArgumentNullException.ThrowIfNull(existing);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["configuration.md"] = Configuration(Reviewed(existing("configuration.md"))),
            ["cli-commands.md"] = Commands(root, Reviewed(existing("cli-commands.md"))),
        };
    }

    /// <summary>Every environment variable: name, default, what a value must look like, what it is for.</summary>
    public static string Configuration(string lastReviewed)
    {
        var page = Header("Configuration: every environment variable and its default", lastReviewed);
        page.AppendLine("""
            Every variable AI Trader reads, in the order `.env.example` lists them. Set them in the environment or in a `.env`
            file you load (never commit it); `AITRADER_DATA_DIR` and `AITRADER_ARTIFACTS_DIR` may also come from
            `appsettings.json` (`AiTrader:DataDir`, `AiTrader:ArtifactsDir`) in the current folder or next to the binary, and
            the environment wins. Every command checks the variables that are set before it runs: a malformed value, an empty
            one or an unresolved Key Vault reference stops it with one line naming the variable, exit code 2
            ([cli.md](cli.md#exit-codes)). An unset variable takes its default; where none is given, unset means off or none.
            Secrets in production: [deploy.md](../howto/deploy.md).

            | variable | default | value | what it is for |
            |---|---|---|---|
            """);
        foreach (var v in EnvironmentCheck.Variables)
        {
            page.AppendLine(CultureInfo.InvariantCulture,
                $"| `{v.Name}` | {(v.Default is { } d ? Code(d) : "")} | {Cell(v.Format)} | {Cell(v.Purpose)} |");
        }

        page.AppendLine("""

            ## Service limits

            What `aitrader serve` allows, from the constants and options its code uses: a flag of `serve` changes the few that
            are not fixed ([cli-commands.md](cli-commands.md#aitrader-serve)); the endpoints are in [service.md](service.md).

            | limit | value | set by | what it bounds |
            |---|---|---|---|
            """);
        foreach (var limit in AiTrader.Service.ServiceLimits.All)
        {
            page.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(limit.Name)} | {Cell(limit.Value)} | {Cell(limit.Set)} | {Cell(limit.What)} |");
        }

        return page.ToString();
    }

    /// <summary>Every visible command and option of <paramref name="root"/>: description, value, default.</summary>
    public static string Commands(RootCommand root, string lastReviewed)
    {
        ArgumentNullException.ThrowIfNull(root);
        var page = Header("CLI reference: every command and option", lastReviewed);
        page.AppendLine("""
            Every command of `aitrader` with its options and their defaults, as `aitrader <command> --help` shows them. What
            the commands share (exit codes, standard output and error, table width, how dates, intervals and defaults are
            spelled) is in [cli.md](cli.md); the variables they read are in [configuration.md](configuration.md).
            """);
        foreach (var (path, command) in Visible(root, ""))
        {
            page.AppendLine();
            page.AppendLine(CultureInfo.InvariantCulture, $"## `aitrader {path}`");
            page.AppendLine();
            page.AppendLine(Cell(command.Description ?? ""));
            if (command.Subcommands.Any(c => !c.Hidden))
            {
                page.AppendLine();
                page.AppendLine(CultureInfo.InvariantCulture,
                    $"Subcommands: {string.Join(", ", command.Subcommands.Where(c => !c.Hidden).Select(c => $"[`{c.Name}`](#aitrader-{Anchor(path)}-{Anchor(c.Name)})"))}.");
                continue;
            }

            var arguments = command.Arguments.Where(a => !a.Hidden).ToList();
            var options = command.Options.Where(o => !o.Hidden && o.Name is not ("--help" or "-h" or "-?")).ToList();
            if (arguments.Count + options.Count == 0)
            {
                page.AppendLine();
                page.AppendLine("No options.");
                continue;
            }

            page.AppendLine();
            page.AppendLine("| argument or option | default | description |");
            page.AppendLine("|---|---|---|");
            foreach (var argument in arguments)
            {
                Row(page, $"`<{argument.Name}>` (argument)", argument.Description, argument.HasDefaultValue ? argument.GetDefaultValue() : null);
            }

            foreach (var option in options)
            {
                var names = string.Join(", ", new[] { option.Name }.Concat(option.Aliases.Order(StringComparer.Ordinal)).Select(n => $"`{n}`"));
                var value = option.ValueType == typeof(bool) ? "" : $" `<{option.HelpName ?? option.Name.TrimStart('-')}>`";
                var required = option.Required ? " (required)" : "";
                // A switch is off unless given: that is no default worth a cell.
                var fallback = option.HasDefaultValue && option.GetDefaultValue() is var d && d is not false ? d : null;
                Row(page, names + value + required, option.Description, fallback);
            }
        }

        return page.ToString();
    }

    /// <summary>One table row: what to type, the default (the description's own <c>[default: X]</c> first, as help shows
    /// it), the description without it.</summary>
    private static void Row(StringBuilder page, string what, string? description, object? fallback)
    {
        var (text, stated) = SplitDefault(description ?? "");
        var shown = stated ?? Format(fallback);
        page.AppendLine(CultureInfo.InvariantCulture, $"| {what} | {(shown is null ? "" : Code(shown))} | {Cell(text)} |");
    }

    /// <summary>The <c>last_reviewed</c> date of a page's front matter, or today's (UTC) for a new page.</summary>
    private static string Reviewed(string? page) =>
        page is not null && ReviewedLine().Match(page) is { Success: true } m
            ? m.Groups[1].Value
            : DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static StringBuilder Header(string title, string lastReviewed)
    {
        var page = new StringBuilder();
        page.AppendLine("---");
        page.AppendLine(CultureInfo.InvariantCulture, $"title: \"{title}\"");
        page.AppendLine("track: reference");
        page.AppendLine("owner: platform");
        page.AppendLine(CultureInfo.InvariantCulture, $"last_reviewed: {lastReviewed}");
        page.AppendLine("---");
        page.AppendLine();
        page.AppendLine(CultureInfo.InvariantCulture, $"# {title}");
        page.AppendLine();
        page.AppendLine(CultureInfo.InvariantCulture,
            $"<!-- Generated from the code: do not edit. After a change, run `{FixCommand}` from the repository root. -->");
        page.AppendLine();
        return page;
    }

    private static IEnumerable<(string Path, Command Command)> Visible(Command command, string prefix)
    {
        foreach (var sub in command.Subcommands.Where(c => !c.Hidden).OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            var path = prefix.Length == 0 ? sub.Name : $"{prefix} {sub.Name}";
            yield return (path, sub);
            foreach (var inner in Visible(sub, path))
            {
                yield return inner;
            }
        }
    }

    /// <summary>A description without its trailing <c>[default: X]</c>, and X (help's one style for a computed default).</summary>
    private static (string Description, string? Default) SplitDefault(string description) =>
        StatedDefault().Match(description) is { Success: true } m
            ? (description[..m.Index].TrimEnd(), m.Groups[1].Value)
            : (description, null);

    private static string? Format(object? value) => value switch
    {
        null => null,
        string s => s.Length == 0 ? null : s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IEnumerable items => items.Cast<object?>().Select(Format).ToList() is { Count: > 0 } list ? string.Join(", ", list) : null,
        _ => value.ToString(),
    };

    /// <summary>A GitHub heading anchor's part for a word (lower case, spaces as hyphens).</summary>
    private static string Anchor(string text) => text.ToLowerInvariant().Replace(' ', '-');

    private static string Code(string text) => text.Contains('`', StringComparison.Ordinal) ? Cell(text) : $"`{Cell(text)}`";

    /// <summary>Text that stays inside one table cell.</summary>
    private static string Cell(string text) => text.ReplaceLineEndings(" ").Replace("|", "\\|", StringComparison.Ordinal).Trim();

    [GeneratedRegex(@"\s*\[default: (.*)\]\s*$")]
    private static partial Regex StatedDefault();

    [GeneratedRegex(@"^last_reviewed: (\d{4}-\d{2}-\d{2})\s*$", RegexOptions.Multiline)]
    private static partial Regex ReviewedLine();
}
