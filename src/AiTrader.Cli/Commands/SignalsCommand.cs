using System.CommandLine;
using System.Globalization;
using AiTrader.Core.Domain;
using AiTrader.Core.IO;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using AiTrader.Core.Signals;
using AiTrader.Core.Signals.Regimes;
using AiTrader.Storage.Signals;
using Spectre.Console;
using Symbol = AiTrader.Core.Domain.Symbol;

namespace AiTrader.Cli.Commands;

/// <summary><c>aitrader signals</c>: Kalman trend, regime and indicators per bar, written as CSV or Parquet, with a regime summary.</summary>
public static class SignalsCommand
{
    public static Command Create(AppSettings settings, TextWriter stdout, TextWriter stderr)
    {
        var symbol = new Option<string>("--symbol") { Description = "Ticker, e.g. AAPL.", Required = true };
        var interval = new Option<string>("--interval") { Description = CliParsing.IntervalHelp, DefaultValueFactory = _ => "1Day" };
        var start = new Option<string?>("--start") { Description = "First session date written (YYYY-MM-DD, New York), inclusive; earlier bars still warm the signals up." };
        var end = new Option<string?>("--end") { Description = "Last session date (YYYY-MM-DD, New York), inclusive." };
        var adjustment = new Option<string>("--adjustment") { Description = "Price adjustment: split or raw.", DefaultValueFactory = _ => "split" };
        var output = new Option<string?>("--out") { Description = "Output file: .csv or .parquet; '-' writes CSV to stdout. [default: artifacts/signals/<symbol>-<interval>-<utc>.csv]" };

        var debug = new Option<bool>("--debug")
        {
            Description = "Add the regime_reason column: why each bar got its regime (a sentence per row, about a tenth more file).",
        };
        var command = new Command("signals", "Compute probabilistic signals (Kalman trend, prob_up, regime, indicators) per bar from the bundled sample data.")
        {
            symbol, interval, start, end, adjustment, output, debug,
        };

        command.SetAction(async (parse, ct) =>
        {
            OutputPath.CheckFile(parse.GetValue(output), "--out");
            var ticker = CliParsing.ParseSymbol(parse.GetValue(symbol)!);
            var timeframe = CliParsing.ParseInterval(parse.GetValue(interval)!);
            var first = CliParsing.ParseOptionalDate(parse.GetValue(start), "--start");
            var last = CliParsing.ParseOptionalDate(parse.GetValue(end), "--end");
            var adjust = CliParsing.ParseAdjustment(parse.GetValue(adjustment)!);
            var explain = parse.GetValue(debug);
            var target = OutputTarget.Parse(parse.GetValue(output), settings, ticker, timeframe);
            if (first is { } s && last is { } e && s > e)
            {
                throw new CliException($"--start {s:yyyy-MM-dd} is after --end {e:yyyy-MM-dd}; pick a start before the end.");
            }

            // Load from the first available bar, not from --start, so indicators and the filter are warm on the first row.
            var source = new CsvBarSource(settings.SampleDataDir ?? SampleData.LocateRoot(), NyseCalendar.Instance, settings.BarCache());
            var endUtc = last is { } ed ? ExchangeTime.EndOfDateUtc(ed) : (DateTime?)null;
            var series = await source.GetBarsAsync(new BarRequest(ticker, timeframe, null, endUtc, adjust), ct);
            var startUtc = first is { } sd ? ExchangeTime.StartOfDateUtc(sd) : DateTime.MinValue;

            var summary = new FrameSummary();
            var from = 0;
            while (from < series.Bars.Count && series.Bars[from].Timestamp < startUtc)
            {
                from++;
            }

            // Every bar runs through the pipeline (warm-up included); the frames from --start on are output and summed.
            IEnumerable<SignalFrame> Frames()
            {
                foreach (var frame in SignalPipeline.Frames(series.Bars, timeframe, from, series.Bars.Count))
                {
                    summary.Add(frame);
                    yield return frame;
                }

                summary.ThrowIfEmpty(timeframe, ticker, first, last);
            }

            string where;
            if (target.IsParquet)
            {
                // Parquet is written a row group at a time as the frames are computed (ParquetSignalFile.RowGroupRows).
                await ParquetSignalFile.WriteAsync(target.Path!, Frames(), ct, explain);
                where = DisplayPath.Of(target.Path!);
            }
            else
            {
                // CSV streams: each frame is written as it is computed (straight to UTF-8), so memory stays flat
                // whatever the length; a file goes to its temporary name and is renamed only when complete.
                void Stream(Stream output) => SignalFrameCsvWriter.WriteStream(output, Frames(), explain);

                if (target.ToStdout)
                {
                    // Straight through to standard output as it is written: no copy of the whole CSV in memory.
                    using (var text = new TextWriterStream(stdout))
                    {
                        Stream(text);
                    }

                    where = "stdout";
                }
                else
                {
                    AtomicFile.Write(target.Path!, Stream);
                    where = DisplayPath.Of(target.Path!);
                }
            }

            // The summary goes to stderr when stdout carries the CSV, so the CSV stays machine-readable.
            PrintSummary(target.ToStdout ? stderr : stdout, ticker, timeframe, adjust, summary, series.Bars.Count - summary.Count, where);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Describe(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "the open end";

    /// <summary>What the summary needs of the frames, gathered as they stream past: counts per regime, the first and last.</summary>
    private sealed class FrameSummary
    {
        public int[] Counts { get; } = new int[Enum.GetValues<MarketRegime>().Length];

        public int Count { get; private set; }

        public SignalFrame? First { get; private set; }

        public SignalFrame? Last { get; private set; }

        public void Add(SignalFrame frame)
        {
            First ??= frame;
            Last = frame;
            Counts[(int)frame.Regime]++;
            Count++;
        }

        public void ThrowIfEmpty(Timeframe timeframe, Symbol ticker, DateOnly? first, DateOnly? last)
        {
            if (Count == 0)
            {
                throw new CliException(
                    $"no {timeframe} bars for {ticker} between {Describe(first)} and {Describe(last)}; widen --start/--end.");
            }
        }
    }

    private static void PrintSummary(TextWriter writer, Symbol symbol, Timeframe timeframe, PriceAdjustment adjustment,
        FrameSummary frames, int warmupBars, string where)
    {
        var console = CliConsole.Create(writer);

        var counts = frames.Counts;
        var firstDate = ExchangeTime.SessionDate(frames.First!.Timestamp);
        var lastDate = ExchangeTime.SessionDate(frames.Last!.Timestamp);
        // A heading line rather than a table title: Spectre wraps titles to the (narrow) table width.
        console.MarkupLine(Markup.Escape(
            $"{symbol} · {timeframe} · {firstDate:yyyy-MM-dd} → {lastDate:yyyy-MM-dd} ({frames.Count} bars, {adjustment.ToString().ToLowerInvariant()}-adjusted)"));
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Regime").AddColumn(new TableColumn("Bars").RightAligned()).AddColumn(new TableColumn("Share").RightAligned());
        foreach (var regime in Enum.GetValues<MarketRegime>())
        {
            var n = counts[(int)regime];
            table.AddRow(regime.ToString(), n.ToString(CultureInfo.InvariantCulture),
                ((double)n / frames.Count).ToString("P1", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        var lastFrame = frames.Last!;
        console.MarkupLine($"current regime: [bold]{lastFrame.Regime}[/] for {lastFrame.RegimeLabel.BarsInRegime} bar(s) ({Markup.Escape(lastFrame.RegimeLabel.Reason)})");
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"last prob_up: {lastFrame.ProbabilityUp:0.000}, velocity {lastFrame.Velocity:G4}/bar, filtered price {lastFrame.FilteredPrice:0.00} (close {lastFrame.Close})")));
        if (warmupBars > 0)
        {
            console.MarkupLine($"{warmupBars} earlier bar(s) used for warm-up only");
        }

        console.MarkupLine($"wrote [bold]{Markup.Escape(where)}[/]");
    }

    /// <summary>Where the frames go: stdout (CSV), a .csv file or a .parquet file.</summary>
    private sealed record OutputTarget(string? Path, bool IsParquet)
    {
        public bool ToStdout => Path is null;

        public static OutputTarget Parse(string? value, AppSettings settings, Symbol symbol, Timeframe timeframe)
        {
            if (value is null)
            {
                var stamp = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
                return new(System.IO.Path.Combine(settings.ArtifactsDir, "signals", $"{symbol}-{timeframe}-{stamp}.csv"), false);
            }

            var trimmed = value.Trim();
            if (trimmed == "-")
            {
                return new(null, false);
            }

            var extension = System.IO.Path.GetExtension(trimmed).ToLowerInvariant();
            return extension switch
            {
                ".csv" => new(trimmed, false),
                ".parquet" => new(trimmed, true),
                _ => throw new CliException($"--out '{value}' must end in .csv or .parquet (or be '-' for CSV on stdout)."),
            };
        }
    }
}
