using System.CommandLine;
using System.Globalization;
using AiTrader.Application.Journal;
using AiTrader.Core.Journal;
using AiTrader.Storage;
using Spectre.Console;

namespace AiTrader.Cli.Commands;

/// <summary><c>aitrader journal</c>: print the trading journal as a table, CSV or JSON Lines, filtered by date, kind and symbol.</summary>
public static class JournalCommand
{
    /// <summary>Builds the command. <paramref name="environment"/> supplies DATABASE_URL (default: the process environment).</summary>
    public static Command Create(AppSettings settings, TextWriter stdout, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var env = environment ?? Environment.GetEnvironmentVariable;
        var date = new Option<string?>("--date") { Description = "New York session date (YYYY-MM-DD); an entry at 00:30Z belongs to the previous date." };
        var kind = new Option<string?>("--kind") { Description = $"Only this kind: {string.Join(", ", JournalKinds.Names)}." };
        var symbol = new Option<string?>("--symbol") { Description = "Only this ticker, e.g. SPY." };
        var format = new Option<string>("--format") { Description = "Output: table, csv or jsonl.", DefaultValueFactory = _ => "table" };

        var command = new Command("journal", "Print the trading journal (SQLite under AITRADER_DATA_DIR, or PostgreSQL when DATABASE_URL is set).")
        {
            date, kind, symbol, format,
        };

        command.SetAction(async (parse, ct) =>
        {
            var query = JournalPageRequest.Filter(parse.GetValue(date), parse.GetValue(kind), parse.GetValue(symbol), "--date", "--kind", "--symbol");
            var output = ParseFormat(parse.GetValue(format)!);

            await using var journal = JournalFactory.Create(env(SnapshotCatalogFactory.DatabaseUrlVariable), settings.DataDir);
            // The service's journal read: every entry the filter matches, oldest first, as its export reads them.
            var entries = await JournalPages.MatchingAsync(journal, new JournalPageRequest(query), ct);
            switch (output)
            {
                case "csv":
                    await JournalExport.WriteCsvAsync(entries, stdout, ct);
                    break;
                case "jsonl":
                    await JournalExport.WriteJsonlAsync(entries, stdout, ct);
                    break;
                default:
                    if (entries.Count == 0)
                    {
                        await stdout.WriteLineAsync($"No journal entries{Describe(query)} in {journal}.");
                    }
                    else
                    {
                        PrintTable(stdout, entries);
                    }

                    break;
            }

            if (entries.Count == 0 && output != "table")
            {
                // stdout stays machine-readable (a bare header for CSV); the explanation goes to stderr.
                await parse.InvocationConfiguration.Error.WriteLineAsync($"No journal entries{Describe(query)} in {journal}.");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static string ParseFormat(string value) => value.Trim().ToLowerInvariant() switch
    {
        "table" => "table",
        "csv" => "csv",
        "jsonl" or "json-lines" => "jsonl",
        _ => throw new CliException($"--format '{value}' is not supported; use table, csv or jsonl."),
    };

    private static string Describe(JournalQuery query)
    {
        var parts = new List<string>();
        if (query.Date is { } d)
        {
            parts.Add($"on {d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}");
        }

        if (query.Kind is { } k)
        {
            parts.Add($"of kind {k.ToText()}");
        }

        if (query.Symbol is { } s)
        {
            parts.Add($"for {s}");
        }

        return parts.Count == 0 ? "" : " " + string.Join(" ", parts);
    }

    private static void PrintTable(TextWriter stdout, IReadOnlyList<JournalEntry> entries)
    {
        var console = CliConsole.Create(stdout);

        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn("#").RightAligned())
            .AddColumn("Time (UTC)").AddColumn("Kind").AddColumn("Symbol").AddColumn("Side")
            .AddColumn(new TableColumn("Qty").RightAligned()).AddColumn(new TableColumn("Price").RightAligned())
            .AddColumn("Order").AddColumn("Reason");
        foreach (var e in entries)
        {
            table.AddRow(
                e.Id.ToString(CultureInfo.InvariantCulture),
                e.Timestamp.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                e.Kind == JournalKind.Block ? $"[red]{e.Kind.ToText()}[/]" : e.Kind.ToText(),
                Markup.Escape(e.Symbol?.Value ?? ""),
                JournalExport.SideText(e.Side) ?? "",
                e.Quantity?.ToString(CultureInfo.InvariantCulture) ?? "",
                e.Price?.ToString(CultureInfo.InvariantCulture) ?? "",
                Markup.Escape(e.OrderId ?? e.ClientOrderId ?? ""),
                Markup.Escape(e.Reason));
        }

        console.Write(table);
        console.MarkupLine($"{entries.Count} entr{(entries.Count == 1 ? "y" : "ies")}");
    }
}
