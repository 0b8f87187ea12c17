using System.Collections;
using System.CommandLine;
using System.Globalization;
using AiTrader.Application;
using AiTrader.Core.Domain;
using AiTrader.Core.IO;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using AiTrader.Core.Signals;
using AiTrader.Core.Strategies;
using AiTrader.MarketData.Dal;
using Spectre.Console;

namespace AiTrader.Cli.Commands;

/// <summary><c>aitrader fetch</c>: bars for one symbol through the market-data DAL (vendor chain + cache), summarized or written as CSV.</summary>
public static class FetchCommand
{
    /// <summary>Makes <c>fetch</c> (and the other market-data commands) read variables from <paramref name="variables"/>
    /// instead of the process environment in the current async flow; see <see cref="PlatformEnvironment.Use"/>. Dispose to restore.</summary>
    /// <summary>The help of <c>fetch --vendor</c> and <c>backtest --dal-vendor</c>: both go through the same DAL and take the same names.</summary>
    internal const string VendorHelp =
        "vendor: auto (the fallback chain), sample (bundled data), alphavantage, yahoo, twelvedata, alpaca or finnhub (Finnhub serves no bars on its free plan: the chain notes it and moves on).";

    public static IDisposable UseEnvironment(IDictionary variables) => PlatformEnvironment.Use(variables);

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var symbol = new Option<string>("--symbol") { Description = "Ticker, e.g. AAPL.", Required = true };
        var interval = new Option<string>("--interval") { Description = CliParsing.IntervalHelp, DefaultValueFactory = _ => "1Day" };
        var vendor = new Option<string?>("--vendor")
        {
            Description = "Bar " + VendorHelp + " [default: auto when a vendor key is set, else sample]",
        };
        var start = new Option<string>("--start") { Description = "First session date (YYYY-MM-DD, New York), inclusive.", Required = true };
        var end = new Option<string>("--end") { Description = "Last session date (YYYY-MM-DD, New York), inclusive.", Required = true };
        var adjustment = new Option<string>("--adjustment") { Description = "Price adjustment: split or raw.", DefaultValueFactory = _ => "split" };
        var outFile = new Option<string?>("--out") { Description = "Write the bars as CSV (timestamp,open,high,low,close,volume) to this file." };
        var signalsOut = new Option<string?>("--signals-out") { Description = "Write the per-bar signals (Kalman, regime, indicators) as CSV to this file." };
        var json = JsonFlag.Create("the fetch's summary (rows, vendor, cache, first and last bar, dropped, duplicates, flags, last signal, attempts, warnings, files written)");

        var command = new Command("fetch", "Fetch historical bars from a vendor (cached) or the bundled sample data.")
        {
            symbol, interval, vendor, start, end, adjustment, outFile, signalsOut, json,
        };

        command.SetAction(async (parse, ct) =>
        {
            OutputPath.CheckFile(parse.GetValue(outFile), "--out");
            OutputPath.CheckFile(parse.GetValue(signalsOut), "--signals-out");
            var sym = CliParsing.ParseSymbol(parse.GetValue(symbol)!);
            var tf = Timeframe.TryParse(parse.GetValue(interval), out var t)
                ? t
                : throw new CliException($"--interval '{parse.GetValue(interval)}' is not an interval; use 1Min, 5Min, 15Min, 30Min, 1Hour or 1Day.");
            var adj = parse.GetValue(adjustment)!.Trim().ToLowerInvariant() switch
            {
                "split" => PriceAdjustment.Split,
                "raw" => PriceAdjustment.Raw,
                var other => throw new CliException($"--adjustment '{other}' is not supported; use split or raw."),
            };
            var first = CliParsing.ParseDate(parse.GetValue(start)!, "--start");
            var last = CliParsing.ParseDate(parse.GetValue(end)!, "--end");
            if (first > last)
            {
                throw new CliException($"--start {first:yyyy-MM-dd} is after --end {last:yyyy-MM-dd}; pick a start before the end.");
            }

            // Session dates in New York: from 00:00 ET on the first day to the last tick before 00:00 ET after the last.
            var startUtc = ExchangeTime.StartOfDateUtc(first);
            var endUtc = ExchangeTime.EndOfDateUtc(last);

            await using var dal = MarketDataDal.FromEnvironment(PlatformEnvironment.Lookup);
            // Every fetch carries the probabilistic signals: the Kalman filter and regime run over the batch.
            var enriched = await dal.FetchBarsAsync(sym, tf, parse.GetValue(vendor), startUtc, endUtc,
                (bars, timeframe) => SignalPipeline.Run(bars, timeframe), adj, ct);
            var batch = enriched.Batch;
            if (batch.Bars.Count == 0)
            {
                // As backtest and signals do: an empty range is bad input, reported before any file is written.
                throw new CliException($"no {tf} bars for {sym} between {first:yyyy-MM-dd} and {last:yyyy-MM-dd} from {batch.Vendor}; widen --start/--end.");
            }

            var path = parse.GetValue(outFile);
            if (path is not null)
            {
                await BarCsv.WriteAsync(path, batch.Bars, ct);
            }

            if (parse.GetValue(signalsOut) is { } signalsPath)
            {
                SignalFrameCsvWriter.WriteFile(signalsPath, enriched.Signals);
            }

            if (parse.GetValue(json))
            {
                Notes(stderr, batch);
                await stdout.WriteLineAsync(Json(batch, enriched.Signals, first, last, path, parse.GetValue(signalsOut)));
                return ExitCodes.Ok;
            }

            Print(stdout, stderr, batch, enriched.Signals, first, last, path, parse.GetValue(signalsOut));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Print(TextWriter stdout, TextWriter stderr, BarBatch batch, IReadOnlyList<SignalFrame> signals, DateOnly first, DateOnly last, string? path,
        string? signalsPath)
    {
        var console = CliConsole.Create(stdout);

        var inv = CultureInfo.InvariantCulture;
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{batch.Symbol} · {batch.Interval} · {first:yyyy-MM-dd} → {last:yyyy-MM-dd} · {batch.Adjustment.ToString().ToLowerInvariant()}-adjusted")
            .AddColumn("Field").AddColumn("Value");
        void Row(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));
        Row("rows", batch.Bars.Count.ToString(inv));
        Row("vendor", batch.Vendor);
        Row("cache", CacheName(batch.Cache) switch
        {
            "hit" => "hit (no request)",
            "partial" => "partial (fetched " + string.Join(", ", batch.FetchedRanges.Select(r => string.Create(inv, $"{r.Start:yyyy-MM-dd HH:mm}Z..{r.End:yyyy-MM-dd HH:mm}Z"))) + ")",
            "miss" => "miss",
            _ => "not cached (local data)",
        });
        if (batch.Bars.Count > 0)
        {
            Row("first bar", batch.Bars[0].Timestamp.ToString("yyyy-MM-dd HH:mm'Z'", inv));
            Row("last bar", batch.Bars[^1].Timestamp.ToString("yyyy-MM-dd HH:mm'Z'", inv));
        }

        Row("dropped bars", batch.DroppedBars.ToString(inv));
        Row("duplicates", batch.Duplicates.ToString(inv));
        if (batch.EmptyBars > 0)
        {
            Row("empty rows", batch.EmptyBars.ToString(inv));
        }

        Row("flagged bars", batch.Flags.Count.ToString(inv));
        if (signals.Count > 0)
        {
            var now = signals[^1];
            Row("last signal", string.Create(inv, $"filtered {now.FilteredPrice:F4}, velocity {now.Velocity:G4}, prob_up {now.ProbabilityUp:F2}"));
            Row("regime", $"{RegimeSet.NameOf(now.Regime)} ({now.RegimeLabel.Reason})");
        }

        Row("attempts", batch.Attempts.Count == 0 ? "-" : string.Join(" → ", batch.Attempts.Select(a => a.Error is null ? a.Vendor : $"{a.Vendor} ({a.Error})")));
        console.Write(table);
        Notes(stderr, batch);
        // Say where the bars went, or that they went nowhere and how to keep them.
        stdout.WriteLine(path is not null
            ? $"wrote {DisplayPath.Of(path)} ({batch.Bars.Count.ToString(inv)} rows)"
            : $"bars not saved to a file: add --out <file.csv> to save them as CSV{(batch.Cache is CacheOutcome.Miss or CacheOutcome.Partial ? " (they are in the cache now)" : "")}.");
        if (signalsPath is not null)
        {
            stdout.WriteLine($"wrote {DisplayPath.Of(signalsPath)} ({signals.Count.ToString(inv)} signal rows)");
        }
    }

    /// <summary>Fallbacks matter to the user (a key may be wrong), so each failed attempt gets its own line on standard
    /// error, then the warnings.</summary>
    private static void Notes(TextWriter stderr, BarBatch batch)
    {
        foreach (var attempt in batch.Attempts.Where(a => a.Error is not null))
        {
            stderr.WriteLine($"fallback: {ErrorText.Clean(attempt.Message)}");
        }

        BacktestCommand.Warn(stderr, batch.Warnings);
    }

    private static string CacheName(CacheOutcome cache) => cache switch
    {
        CacheOutcome.Full => "hit",
        CacheOutcome.Partial => "partial",
        CacheOutcome.Miss => "miss",
        _ => "not_cached",
    };

    /// <summary>The summary's figures as one document for a script.</summary>
    private static string Json(BarBatch batch, IReadOnlyList<SignalFrame> signals, DateOnly first, DateOnly last, string? path, string? signalsPath) =>
        JsonText.Write(json =>
        {
            var inv = CultureInfo.InvariantCulture;
            json.WriteStartObject();
            json.WriteString("symbol", batch.Symbol.Value);
            json.WriteString("interval", batch.Interval.ToString());
            json.WriteString("start", first.ToString("yyyy-MM-dd", inv));
            json.WriteString("end", last.ToString("yyyy-MM-dd", inv));
            json.WriteString("adjustment", batch.Adjustment.ToString().ToLowerInvariant());
            json.WriteString("vendor", batch.Vendor);
            json.WriteNumber("rows", batch.Bars.Count);
            json.WriteString("cache", CacheName(batch.Cache));
            json.WriteObjects("fetched_ranges", batch.FetchedRanges, (w, r) =>
            {
                w.WriteString("start", DateTime.SpecifyKind(r.Start, DateTimeKind.Utc));
                w.WriteString("end", DateTime.SpecifyKind(r.End, DateTimeKind.Utc));
            });
            json.WriteString("first_bar", DateTime.SpecifyKind(batch.Bars[0].Timestamp, DateTimeKind.Utc));
            json.WriteString("last_bar", DateTime.SpecifyKind(batch.Bars[^1].Timestamp, DateTimeKind.Utc));
            json.WriteNumber("dropped_bars", batch.DroppedBars);
            json.WriteNumber("duplicates", batch.Duplicates);
            json.WriteNumber("empty_rows", batch.EmptyBars);
            json.WriteNumber("flagged_bars", batch.Flags.Count);
            if (signals.Count > 0)
            {
                var now = signals[^1];
                json.WriteStartObject("last_signal");
                json.WriteNumberOrNull("filtered_price", now.FilteredPrice);
                json.WriteNumberOrNull("velocity", now.Velocity);
                json.WriteNumberOrNull("prob_up", now.ProbabilityUp);
                json.WriteString("regime", RegimeSet.NameOf(now.Regime));
                json.WriteString("regime_reason", now.RegimeLabel.Reason);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("last_signal");
            }

            json.WriteObjects("attempts", batch.Attempts, (w, a) =>
            {
                w.WriteString("vendor", a.Vendor);
                w.WriteStringOrNull("error", a.Error?.ToString());
            });
            json.WriteStartArray("warnings");
            foreach (var w in batch.Warnings)
            {
                json.WriteStringValue(w);
            }

            json.WriteEndArray();
            json.WriteStringOrNull("out", path is null ? null : DisplayPath.Of(path));
            json.WriteStringOrNull("signals_out", signalsPath is null ? null : DisplayPath.Of(signalsPath));
            json.WriteEndObject();
        });
}
