using System.Diagnostics;
using System.Globalization;
using AiTrader.Core.Domain;
using AiTrader.Core.IO;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;

namespace AiTrader.Cli.Commands;

/// <summary>The end-to-end workloads of <c>aitrader bench</c>: a fresh <c>aitrader</c> process timed from start to its
/// outputs written, on a seeded minute CSV generated into a temporary folder, as a user runs it.</summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>e2e_backtest</c>: <c>backtest --interval 1Min --strategy breakout</c>, first run (parses the CSV, writes the cache).</item>
/// <item><c>e2e_backtest_cached</c>: the same command again (loads the columnar cache).</item>
/// <item><c>e2e_signals</c>: <c>signals --interval 1Min --out signals.csv</c> (every frame written).</item>
/// <item><c>e2e_sweep_cell</c>: <c>sweep</c> with a one-cell grid (load, run, metrics, ranked CSV).</item>
/// <item><c>peak_bytes_per_bar</c>: the cached backtest's peak working set above that of the same command on a
/// 1,000-bar file, per bar (the fixed cost of a process is not per bar).</item>
/// </list>
/// Each figure is bars divided by the whole process's wall time, the median of the runs.
/// </remarks>
internal static class BenchEndToEnd
{
    public static readonly string[] Names = ["e2e_backtest", "e2e_backtest_cached", "e2e_signals", "e2e_sweep_cell", "peak_bytes_per_bar"];

    private const string Symbol = "SYN";
    private const int SmallBars = 1_000;

    public sealed record Figure(string Name, double Value, string Unit, TimeSpan Elapsed, long PeakBytes);

    /// <summary>Runs the selected end-to-end workloads on <paramref name="bars"/> generated bars.</summary>
    public static IReadOnlyList<Figure> Run(IReadOnlyCollection<string> selected, int bars, int seed, int runs, Action<string> progress,
        string? keep = null)
    {
        var root = keep is null ? Directory.CreateTempSubdirectory("aitrader-bench-").FullName : Directory.CreateDirectory(keep).FullName;
        try
        {
            progress($"e2e: writing a {bars:N0}-bar 1-minute CSV (seed {seed}) to {root}...");
            var data = Path.Combine(root, "data");
            WriteCsv(data, bars, seed);
            var figures = new List<Figure>();
            var cache = Path.Combine(root, "cache");
            TimedRun? cached = null;
            if (selected.Contains("e2e_backtest") || selected.Contains("e2e_backtest_cached") || selected.Contains("peak_bytes_per_bar"))
            {
                var first = new List<TimedRun>();
                var second = new List<TimedRun>();
                for (var r = 0; r < runs; r++)
                {
                    DeleteDirectory(cache);
                    progress($"e2e_backtest: run {r + 1}/{runs} (CSV, first run)...");
                    first.Add(Backtest(root, data, cache, "first"));
                    progress($"e2e_backtest_cached: run {r + 1}/{runs} (cache)...");
                    second.Add(Backtest(root, data, cache, "cached"));
                }

                cached = Median(second);
                if (selected.Contains("e2e_backtest"))
                {
                    figures.Add(Throughput("e2e_backtest", bars, Median(first)));
                }

                if (selected.Contains("e2e_backtest_cached"))
                {
                    figures.Add(Throughput("e2e_backtest_cached", bars, cached));
                }
            }

            if (selected.Contains("e2e_signals"))
            {
                var timed = new List<TimedRun>();
                for (var r = 0; r < runs; r++)
                {
                    progress($"e2e_signals: run {r + 1}/{runs}...");
                    timed.Add(Time(root, data, cache, "signals", "--symbol", Symbol, "--interval", "1Min", "--out", Path.Combine(root, "signals.csv")));
                }

                figures.Add(Throughput("e2e_signals", bars, Median(timed)));
            }

            if (selected.Contains("e2e_sweep_cell"))
            {
                var timed = new List<TimedRun>();
                for (var r = 0; r < runs; r++)
                {
                    progress($"e2e_sweep_cell: run {r + 1}/{runs}...");
                    timed.Add(Time(root, data, cache, "sweep", "--strategy", "breakout", "--symbol", Symbol, "--interval", "1Min",
                        "--grid", "lookback=20", "--out", Path.Combine(root, "sweep")));
                }

                figures.Add(Throughput("e2e_sweep_cell", bars, Median(timed)));
            }

            if (selected.Contains("peak_bytes_per_bar") && cached is not null)
            {
                progress($"peak_bytes_per_bar: the same backtest on {SmallBars:N0} bars for the fixed cost...");
                var small = Path.Combine(root, "small");
                WriteCsv(small, SmallBars, seed);
                var smallCache = Path.Combine(root, "small-cache");
                Backtest(root, small, smallCache, "small-first");
                var fixedCost = Backtest(root, small, smallCache, "small-cached");
                var perBar = (double)(cached.PeakBytes - fixedCost.PeakBytes) / (bars - SmallBars);
                figures.Add(new Figure("peak_bytes_per_bar", Math.Max(0, perBar), "B/bar", cached.Elapsed, cached.PeakBytes));
            }

            return figures;
        }
        finally
        {
            if (keep is null)
            {
                DeleteDirectory(root);
            }
        }
    }

    private static Figure Throughput(string name, int bars, TimedRun run) =>
        new(name, bars / Math.Max(run.Elapsed.TotalSeconds, 1e-9), "bars/s", run.Elapsed, run.PeakBytes);

    private sealed record TimedRun(TimeSpan Elapsed, long PeakBytes);

    private static TimedRun Median(List<TimedRun> runs) => runs.OrderBy(r => r.Elapsed).ElementAt((runs.Count - 1) / 2);

    private static TimedRun Backtest(string root, string data, string cache, string label) =>
        Time(root, data, cache, "backtest", "--symbol", Symbol, "--interval", "1Min", "--strategy", "breakout",
            "--out", Path.Combine(root, "out-" + label), "--quiet");

    /// <summary>Starts <c>aitrader</c> on the generated data and times it to its exit; the peak working set is the
    /// child's own high-water mark (VmHWM), which it prints on standard error when AITRADER_PHASES=1.</summary>
    private static TimedRun Time(string root, string data, string cache, params string[] arguments)
    {
        var start = BenchCommand.SelfStartInfo(arguments);
        start.Environment["AITRADER_SAMPLE_DATA"] = data;
        start.Environment["AITRADER_BAR_CACHE"] = cache;
        start.Environment["AITRADER_DATA_DIR"] = Path.Combine(root, "state");
        start.Environment["AITRADER_ARTIFACTS_DIR"] = Path.Combine(root, "artifacts");
        start.Environment["AITRADER_PEAK"] = "1";
        var watch = Stopwatch.StartNew();
        using var child = Process.Start(start) ?? throw new CliException($"bench: could not start {arguments[0]}.");
        var errors = child.StandardError.ReadToEndAsync();
        child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        watch.Stop();
        var stderr = errors.Result;
        if (child.ExitCode != 0)
        {
            throw new CliException($"bench: `aitrader {string.Join(' ', arguments)}` failed ({stderr.Split('\n').FirstOrDefault()?.Trim()}).");
        }

        var peak = stderr.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("peak_working_set ", StringComparison.Ordinal))
            .Select(l => long.Parse(l["peak_working_set ".Length..], CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Last();
        return new TimedRun(watch.Elapsed, peak);
    }

    /// <summary>A data folder laid out like data/sample with <c>minute/SYN.csv</c>: seeded regular-session minute bars on
    /// the NYSE calendar from 2000 on (two million bars reach 2020), written straight to UTF-8.</summary>
    public static void WriteCsv(string folder, int bars, int seed)
    {
        Directory.CreateDirectory(Path.Combine(folder, "daily"));
        var series = new SyntheticBarGenerator(seed).Generate(new DateTime(2000, 1, 3, 14, 30, 0, DateTimeKind.Utc), Timeframe.OneMinute, bars,
            NyseCalendar.Instance);
        AtomicFile.Write(Path.Combine(folder, "minute", Symbol + ".csv"), stream =>
        {
            using var csv = new Utf8CsvWriter(stream);
            csv.Raw("timestamp,open,high,low,close,volume\n"u8);
            foreach (var b in series.Bars)
            {
                csv.Timestamp(b.Timestamp).Comma().Decimal(b.Open).Comma().Decimal(b.High).Comma().Decimal(b.Low).Comma()
                    .Decimal(b.Close).Comma().Decimal(b.Volume).NewLine();
            }
        });
    }

    private static void DeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover temporary folder is not worth failing the benchmark over.
        }
    }
}
