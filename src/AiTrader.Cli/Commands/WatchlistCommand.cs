using System.CommandLine;
using System.Globalization;
using AiTrader.Application.Watchlists;
using AiTrader.Core.Scanning;
using AiTrader.Core.Sessions;
using AiTrader.Core.Watchlists;
using AiTrader.MarketData.Watchlists;
using Spectre.Console;

namespace AiTrader.Cli.Commands;

/// <summary><c>aitrader watchlist build|show|list</c>: build a watchlist from a source and store it in a bucket, show a
/// stored one, list the buckets.</summary>
public static class WatchlistCommand
{
    public static Command Create(AppSettings settings, TextWriter stdout)
    {
        var command = new Command("watchlist", "Build, show and list watchlists (sources: auto, manual, alpha, finnhub, twelvedata, textlist, scan, sample).");
        command.Add(Build(settings, stdout));
        command.Add(Show(settings, stdout));
        command.Add(List(settings, stdout));
        return command;
    }

    private static Option<string?> StoreOption() =>
        new("--store") { Description = "json (AITRADER_DATA_DIR/watchlists), blob (AZURE_BLOB_CONNECTION_STRING) or postgres (DATABASE_URL). [default: WATCHLIST_STORE, else json]" };

    private static Command Build(AppSettings settings, TextWriter stdout)
    {
        var source = new Option<string?>("--source") { Description = "auto (alpha → finnhub → textlist → twelvedata → manual → sample), manual (WATCHLIST_TEXT), alpha, finnhub, twelvedata, textlist (TEXTLIST_BACKENDS), scan or sample. [default: WATCHLIST_SOURCE, else auto]" };
        var bucket = new Option<string>("--bucket") { Description = "Bucket to save into.", DefaultValueFactory = _ => WatchlistBucket.Default };
        var date = new Option<string?>("--date") { Description = "--source scan: replay the premarket scan of this date (YYYY-MM-DD) on the bundled data and take its 09:25 top N; without it the scan runs live now (Alpaca keys)." };
        var top = new Option<int>("--top") { Description = "--source scan: how many ranked symbols to take.", DefaultValueFactory = _ => 10 };
        var store = StoreOption();
        var command = new Command("build", "Build a watchlist from a source (normalized, de-duplicated, capped at MAX_WATCHLIST, each symbol tagged) and save it.")
        {
            source, bucket, date, top, store,
        };

        command.SetAction(async (parse, ct) =>
        {
            var env = ScanCommand.Env();
            var bucketName = CliParsing.Checked(() => WatchlistBucket.Validate(parse.GetValue(bucket)));
            var day = CliParsing.ParseOptionalDate(parse.GetValue(date), "--date");
            var n = parse.GetValue(top);
            if (n < 1)
            {
                throw new CliException("--top must be at least 1.");
            }

            await using var watchlists = ScanCommand.OpenStore(parse.GetValue(store), env, settings);
            var list = await Storing(() => WatchlistBuild.RunAsync(new WatchlistBuildRequest(parse.GetValue(source), bucketName, day, n), settings, env,
                watchlists, DateTime.UtcNow, ct, "--date"));
            Print(stdout, list, $"saved to {watchlists.Location} as {bucketName}/{WatchlistJson.Stamp(list.CreatedUtc)}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(AppSettings settings, TextWriter stdout)
    {
        var bucket = new Option<string>("--bucket") { Description = "Bucket to read.", DefaultValueFactory = _ => WatchlistBucket.Default };
        var at = new Option<string?>("--at") { Description = "The latest list saved at or before this instant (ISO-8601, e.g. 2013-10-08T13:25:00Z). [default: the latest]" };
        var store = StoreOption();
        var json = JsonFlag.Create("the watchlist as the store keeps it (bucket, created_utc, source, entries, notes), as GET /api/watchlists/{bucket} answers");
        var command = new Command("show", "Show a stored watchlist: the latest of a bucket, or the one in force at a time.") { bucket, at, store, json };
        command.SetAction(async (parse, ct) =>
        {
            var env = ScanCommand.Env();
            var name = CliParsing.Checked(() => WatchlistBucket.Validate(parse.GetValue(bucket)));
            DateTime? when = parse.GetValue(at) is { } text ? ParseInstant(text) : null;
            await using var watchlists = ScanCommand.OpenStore(parse.GetValue(store), env, settings);
            var list = await Storing(() => watchlists.LoadAsync(name, when, ct))
                ?? throw new CliException($"bucket '{name}' has no watchlist{(when is { } w ? $" saved at or before {w:yyyy-MM-dd HH:mm:ss}Z" : "")} in {watchlists.Location}; build one with 'aitrader watchlist build --bucket {name}'.");
            if (parse.GetValue(json))
            {
                await stdout.WriteLineAsync(WatchlistDocuments.List(list));
                return ExitCodes.Ok;
            }

            Print(stdout, list, $"from {watchlists.Location}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(AppSettings settings, TextWriter stdout)
    {
        var store = StoreOption();
        var json = JsonFlag.Create("the store and its buckets (bucket, saved, latest), as GET /api/watchlists lists them");
        var command = new Command("list", "List the watchlist buckets with how many lists each holds and the latest.") { store, json };
        command.SetAction(async (parse, ct) =>
        {
            var env = ScanCommand.Env();
            await using var watchlists = ScanCommand.OpenStore(parse.GetValue(store), env, settings);
            if (parse.GetValue(json))
            {
                await stdout.WriteLineAsync(await Storing(() => WatchlistDocuments.BucketsAsync(watchlists, ct)));
                return ExitCodes.Ok;
            }

            var buckets = await Storing(() => watchlists.ListBucketsAsync(ct));
            if (buckets.Count == 0)
            {
                await stdout.WriteLineAsync($"No watchlists in {watchlists.Location}; build one with 'aitrader watchlist build'.");
                return ExitCodes.Ok;
            }

            var console = CliConsole.Create(stdout);
            var table = new Table().Border(TableBorder.Rounded).AddColumn("bucket").AddColumn(new TableColumn("lists").RightAligned()).AddColumn("latest (UTC)").AddColumn("symbols");
            foreach (var b in buckets)
            {
                var stamps = await Storing(() => watchlists.ListAsync(b, ct));
                var latest = await Storing(() => watchlists.LoadAsync(b, null, ct));
                table.AddRow(b, stamps.Count.ToString(CultureInfo.InvariantCulture),
                    latest?.CreatedUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) ?? "-",
                    Markup.Escape(latest is null ? "" : string.Join(",", latest.Symbols)));
            }

            console.Write(table);
            console.MarkupLine(Markup.Escape($"store: {watchlists.Location}"));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The premarket scan of <paramref name="date"/> replayed on the bundled bars; its last window (09:25 ET).</summary>
    private static void Print(TextWriter stdout, Watchlist list, string where)
    {
        var console = CliConsole.Create(stdout);
        var inv = CultureInfo.InvariantCulture;
        console.MarkupLine(Markup.Escape($"watchlist {list.Bucket} · {list.CreatedUtc:yyyy-MM-dd HH:mm:ss}Z · served by {list.Source} · {list.Entries.Count} symbol(s)"));
        var table = new Table().Border(TableBorder.Rounded).AddColumn(new TableColumn("#").RightAligned()).AddColumn("symbol").AddColumn("source")
            .AddColumn(new TableColumn("rank").RightAligned()).AddColumn(new TableColumn("score").RightAligned()).AddColumn("note");
        for (var i = 0; i < list.Entries.Count; i++)
        {
            var e = list.Entries[i];
            table.AddRow((i + 1).ToString(inv), e.Symbol.Value, Markup.Escape(e.Source), e.Rank?.ToString(inv) ?? "", e.Score is { } s ? Math.Round(s, 3).ToString(inv) : "",
                Markup.Escape(e.Note ?? ""));
        }

        console.Write(table);
        foreach (var note in list.Notes)
        {
            console.MarkupLine(Markup.Escape($"note: {note}"));
        }

        console.MarkupLine(Markup.Escape(where));
    }

    private static DateTime ParseInstant(string text)
    {
        // AssumeUniversal | AdjustToUniversal: a parsed value is always Kind=Utc.
        if (DateTime.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var utc))
        {
            return utc;
        }

        throw new CliException($"--at '{text}' is not an instant; use ISO-8601 such as 2013-10-08T13:25:00Z.");
    }

    /// <summary>Store failures (a server down, a bad document) are one line, not a stack trace.</summary>
    private static async Task<T> Storing<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException or IOException or Npgsql.NpgsqlException)
        {
            throw new CliException($"watchlist store: {ex.Message.ReplaceLineEndings(" ")}");
        }
    }
}
