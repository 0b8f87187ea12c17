using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Backtesting.Sweeps;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Signals;
using AiTrader.Core.Strategies;
using Spectre.Console;

namespace AiTrader.Cli.Commands;

/// <summary>One measured workload: bars processed, wall time and bytes allocated on the measuring thread.</summary>
public sealed record BenchFigure(string Name, long Bars, TimeSpan Elapsed, long AllocatedBytes)
{
    public double BarsPerSecond => Bars / Math.Max(Elapsed.TotalSeconds, 1e-9);

    public double BytesPerBar => Bars == 0 ? 0 : (double)AllocatedBytes / Bars;
}

/// <summary><c>aitrader bench</c>: throughput of the hot paths on a seeded synthetic minute series.</summary>
/// <remarks>Throughput is measured here, in a command, rather than asserted in timed unit tests, because CI machines
/// vary; the figures go into the issue notes. Each workload runs single-threaded on the same immutable bars.</remarks>
public static class BenchCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var bars = new Option<int>("--bars") { Description = "Number of synthetic 1-minute bars.", DefaultValueFactory = _ => 10_000_000 };
        var seed = new Option<int>("--seed") { Description = "Generator seed.", DefaultValueFactory = _ => 42 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object (bars per second per workload) instead of a table." };
        var only = new Option<string?>("--only") { Description = "Comma-separated workloads to run. [default: all]" };
        var runs = new Option<int>("--runs") { Description = "Timed runs per workload; the median is reported.", DefaultValueFactory = _ => 3 };
        var inProcess = new Option<bool>("--in-process")
        {
            Description = "Run every workload in this process instead of one child process each (quicker, but each workload's JIT profile then shapes the code the next one runs).",
        };
        var figuresJson = new Option<bool>(ChildFlag) { Hidden = true };
        var e2eBars = new Option<int>("--e2e-bars") { Description = "Bars in the generated minute CSV of the end-to-end workloads.", DefaultValueFactory = _ => 2_000_000 };
        var keep = new Option<string?>("--keep")
        {
            Description = "Folder to generate the end-to-end data and outputs in, kept afterwards (to rerun or inspect a command). [default: a temporary folder, deleted]",
        };
        var command = new Command("bench", "Measure bars per second of a raw pass, the breakout backtest, momentum with Kalman signals and the SignalFrame pipeline.")
        {
            bars, seed, json, only, runs, inProcess, figuresJson, e2eBars, keep,
        };
        command.SetAction(parse =>
        {
            var count = parse.GetValue(bars);
            if (count < 1000)
            {
                throw new CliException($"--bars {count} is too small to measure; use at least 1000.");
            }

            var timedRuns = parse.GetValue(runs);
            if (timedRuns is < 1 or > 100)
            {
                throw new CliException($"--runs {timedRuns} is out of range; use 1 to 100.");
            }

            var selected = parse.GetValue(only)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => s.ToLowerInvariant()).ToHashSet();
            var unknown = selected?.Except(Workloads.Keys).Except(BenchEndToEnd.Names).ToArray() ?? [];
            if (unknown.Length > 0)
            {
                throw new CliException($"--only: unknown workload '{unknown[0]}'; use {string.Join(", ", Workloads.Keys.Concat(BenchEndToEnd.Names))}.");
            }

            var endToEndBars = parse.GetValue(e2eBars);
            if (endToEndBars < 10_000)
            {
                throw new CliException($"--e2e-bars {endToEndBars} is too small to measure; use at least 10000.");
            }

            var quiet = parse.GetValue(json);
            var names = Workloads.Keys.Where(n => selected is null || selected.Contains(n)).ToList();
            var endToEnd = BenchEndToEnd.Names.Where(n => selected is null || selected.Contains(n)).ToList();

            // Progress goes to standard error, so `--json` keeps standard output one JSON object.
            void Progress(string line) => stderr.WriteLine(line);
            var figures = new List<BenchFigure>();
            if (parse.GetValue(figuresJson))
            {
                // A child of an isolated run: measure here and hand the figures back as JSON lines.
                var childSeries = Generate(count, parse.GetValue(seed));
                foreach (var name in names)
                {
                    stdout.WriteLine(JsonSerializer.Serialize(ChildFigure.From(Measure(name, childSeries, Workloads[name], timedRuns))));
                }

                return ExitCodes.Ok;
            }

            if (!parse.GetValue(inProcess))
            {
                foreach (var name in names)
                {
                    Progress($"running {name} in its own process ({count:N0} bars, seed {parse.GetValue(seed)})...");

                    figures.Add(MeasureInChildProcess(name, count, parse.GetValue(seed), timedRuns));
                }
            }
            else if (names.Count > 0)
            {
                // Only the in-process workloads run on these bars; the end-to-end ones generate their own CSV.
                Progress($"generating {count:N0} synthetic 1-minute bars (seed {parse.GetValue(seed)})...");

                var series = Generate(count, parse.GetValue(seed));
                foreach (var name in names)
                {
                    Progress($"running {name}...");

                    figures.Add(Measure(name, series, Workloads[name], timedRuns));
                }
            }

            var e2eFigures = endToEnd.Count == 0
                ? []
                : BenchEndToEnd.Run(endToEnd, endToEndBars, parse.GetValue(seed), timedRuns, Progress, parse.GetValue(keep));
            if (quiet)
            {
                var payload = figures.ToDictionary(f => f.Name, f => Math.Round(f.BarsPerSecond));
                foreach (var f in e2eFigures)
                {
                    payload[f.Name] = Math.Round(f.Value);
                }

                stdout.WriteLine(JsonSerializer.Serialize(payload));
            }
            else
            {
                if (figures.Count > 0)
                {
                    PrintTable(stdout, figures);
                }

                if (e2eFigures.Count > 0)
                {
                    PrintEndToEnd(stdout, e2eFigures, endToEndBars);
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private const string ChildFlag = "--figures-json";

    /// <summary>One figure as a child process reports it to its parent.</summary>
    private sealed record ChildFigure(string Name, long Bars, double ElapsedSeconds, long AllocatedBytes)
    {
        public static ChildFigure From(BenchFigure f) => new(f.Name, f.Bars, f.Elapsed.TotalSeconds, f.AllocatedBytes);

        public BenchFigure ToFigure() => new(Name, Bars, TimeSpan.FromSeconds(ElapsedSeconds), AllocatedBytes);
    }

    /// <summary>Measures one workload in a fresh process, as BenchmarkDotNet does: the runtime's profile-guided
    /// recompilation specializes shared code (the engine loop, the broker) for whatever ran first, so in one process
    /// the order of the workloads would change their figures.</summary>
    /// <summary>How to start this program again with <paramref name="arguments"/> (output redirected).</summary>
    internal static ProcessStartInfo SelfStartInfo(params string[] arguments)
    {
        var host = Environment.ProcessPath ?? throw new CliException("bench: cannot tell which program to start; use --in-process.");
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            // Started as `dotnet aitrader.dll`: the child needs the assembly too.
            start.ArgumentList.Add(typeof(BenchCommand).Assembly.Location);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    private static BenchFigure MeasureInChildProcess(string name, int bars, int seed, int runs)
    {
        var start = SelfStartInfo("bench", "--only", name, "--bars", bars.ToString(CultureInfo.InvariantCulture),
            "--seed", seed.ToString(CultureInfo.InvariantCulture), "--runs", runs.ToString(CultureInfo.InvariantCulture), ChildFlag);
        // The engine figures are steady-state JIT code: the published CLI is precompiled (ReadyToRun) for a fast start, and
        // a loop entered once would otherwise run its precompiled, less optimized code for the whole measurement.
        start.Environment["DOTNET_ReadyToRun"] = "0";

        using var child = Process.Start(start) ?? throw new CliException($"bench: could not start a process for {name}; use --in-process.");
        var errors = child.StandardError.ReadToEndAsync();
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        var line = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (child.ExitCode != 0 || line is null || JsonSerializer.Deserialize<ChildFigure>(line) is not { } figure)
        {
            var reason = errors.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? $"exit code {child.ExitCode}";
            throw new CliException($"bench: the {name} workload failed in its own process ({reason}); retry with --in-process to see it here.");
        }

        return figure.ToFigure();
    }

    /// <summary>The workloads in run order; each returns the number of bars it processed.</summary>
    public static IReadOnlyDictionary<string, Func<BarSeries, long>> Workloads { get; } = new Dictionary<string, Func<BarSeries, long>>
    {
        ["raw_pass"] = RawPass,
        ["engine"] = s => Run(s, new IdleStrategy()),
        ["breakout"] = s => RunStrategy(s, "breakout"),
        ["momentum"] = s => RunStrategy(s, "momentum"),
        ["signals"] = RunSignals,
        ["sweep_cell"] = SweepCell,
    };

    public static BarSeries Generate(int count, int seed)
    {
        // No calendar: Monday-Friday sessions, so ten million bars (about a century of minutes) fit.
        var synthetic = new SyntheticBarGenerator(seed).Generate(
            new DateTime(2000, 1, 3, 14, 30, 0, DateTimeKind.Utc), Timeframe.OneMinute, count);
        return new BarSeries(new AiTrader.Core.Domain.Symbol("SYN"), Timeframe.OneMinute, synthetic.Bars, []);
    }

    /// <summary>Warm-up runs on a prefix of the series before the timed runs.</summary>
    public const int WarmupRuns = 5;

    /// <summary>Pause after each warm-up run. The runtime recompiles hot methods with full optimization on a
    /// background thread once no new code has started for 100 ms; without the pause the first timed run would
    /// still be executing the JIT's quick first-tier code for part of the series.</summary>
    public static readonly TimeSpan WarmupPause = TimeSpan.FromMilliseconds(150);

    /// <summary>Warms <paramref name="run"/> up on a prefix, then times it <paramref name="runs"/> times on the whole
    /// series and returns the median run (by elapsed time), as BenchmarkDotNet does, so one slow run on a shared
    /// machine does not decide the figure.</summary>
    public static BenchFigure Measure(string name, BarSeries series, Func<BarSeries, long> run, int runs = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runs, 1);
        var warmupSeries = series with { Bars = series.Bars.Take(Math.Min(series.Bars.Count, 200_000)).ToArray() };
        for (var i = 0; i < WarmupRuns; i++)
        {
            run(warmupSeries);
            Thread.Sleep(WarmupPause);
        }

        var timed = new List<BenchFigure>(runs);
        for (var i = 0; i < runs; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            var processed = run(series);
            watch.Stop();
            timed.Add(new BenchFigure(name, processed, watch.Elapsed, GC.GetAllocatedBytesForCurrentThread() - allocated));
        }

        return timed.OrderBy(f => f.Elapsed).ElementAt((runs - 1) / 2);
    }

    /// <summary>The floor: touch every bar's OHLC once, the least any backtest must do.</summary>
    private static long RawPass(BarSeries series)
    {
        var bars = series.Bars;
        decimal high = 0;
        double checksum = 0;
        for (var i = 0; i < bars.Count; i++)
        {
            var b = bars[i];
            if (b.High > high)
            {
                high = b.High;
            }

            checksum += (double)(b.Close - b.Open);
        }

        GC.KeepAlive(checksum);
        return bars.Count;
    }

    /// <summary>The full per-bar SignalFrame (Kalman filter, regime, indicators) that the DAL attaches to batches.</summary>
    private static long RunSignals(BarSeries series)
    {
        var pipeline = new SignalPipeline(series.Timeframe);
        var bars = series.Bars;
        double checksum = 0;
        for (var i = 0; i < bars.Count; i++)
        {
            checksum += pipeline.Update(bars[i]).ProbabilityUp;
        }

        GC.KeepAlive(checksum);
        return bars.Count;
    }

    private static long RunStrategy(BarSeries series, string strategy) => Run(series, StrategyCatalog.Create(strategy));

    /// <summary>One cell of a breakout sweep as <c>aitrader sweep</c> runs it (the engine, then the metrics the ranking
    /// reads) on the same bars as the <c>breakout</c> workload: issue 12 asks that a cell cost no more than twice the
    /// engine's own time, which is the ratio of the two figures.</summary>
    private static long SweepCell(BarSeries series)
    {
        var result = new SweepRunner(new SweepOptions { Strategy = "breakout", MaxDegreeOfParallelism = 1 })
            .Run(series, ParameterGrid.Parse("lookback=20"));
        GC.KeepAlive(result);
        return series.Bars.Count;
    }

    private static long Run(BarSeries series, IStrategy strategy)
    {
        var result = new BacktestEngine().Run(series, strategy);
        GC.KeepAlive(result);
        return series.Bars.Count;
    }

    /// <summary>Never trades: what the engine's loop costs (session clock, marking, equity curve) with no strategy work.</summary>
    private sealed class IdleStrategy : IStrategy
    {
        public string Name => "idle";

        public void Reset()
        {
        }

        public IReadOnlyList<OrderIntent> OnBar(StrategyContext context) => [];
    }

    private static void PrintEndToEnd(TextWriter stdout, IReadOnlyList<BenchEndToEnd.Figure> figures, int bars)
    {
        var console = CliConsole.Create(stdout);
        var table = new Table().Border(TableBorder.Rounded).Title($"aitrader bench: end to end, a fresh process on {bars:N0} minute bars")
            .AddColumn("workload").AddColumn(new TableColumn("seconds").RightAligned()).AddColumn(new TableColumn("value").RightAligned())
            .AddColumn("unit").AddColumn(new TableColumn("peak MiB").RightAligned());
        foreach (var f in figures)
        {
            table.AddRow(f.Name, f.Elapsed.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture),
                f.Value.ToString("N0", CultureInfo.InvariantCulture), f.Unit,
                (f.PeakBytes / 1048576.0).ToString("N0", CultureInfo.InvariantCulture));
        }

        console.Write(table);
    }

    private static void PrintTable(TextWriter stdout, IReadOnlyList<BenchFigure> figures)
    {
        var console = CliConsole.Create(stdout);
        var floor = figures.FirstOrDefault(f => f.Name == "raw_pass");
        var table = new Table().Border(TableBorder.Rounded).Title("aitrader bench (single thread)")
            .AddColumn("workload").AddColumn(new TableColumn("bars").RightAligned())
            .AddColumn(new TableColumn("seconds").RightAligned()).AddColumn(new TableColumn("bars/s").RightAligned())
            .AddColumn(new TableColumn("vs raw pass").RightAligned()).AddColumn(new TableColumn("alloc bytes/bar").RightAligned());
        foreach (var f in figures)
        {
            var ratio = floor is null ? "n/a" : (f.BarsPerSecond / floor.BarsPerSecond).ToString("P1", CultureInfo.InvariantCulture);
            table.AddRow(f.Name, f.Bars.ToString("N0", CultureInfo.InvariantCulture),
                f.Elapsed.TotalSeconds.ToString("F3", CultureInfo.InvariantCulture),
                f.BarsPerSecond.ToString("N0", CultureInfo.InvariantCulture), ratio,
                f.BytesPerBar.ToString("F1", CultureInfo.InvariantCulture));
        }

        console.Write(table);
    }
}
