using System.Globalization;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Backtesting.Sweeps;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.MarketData;
using AiTrader.Core.Reporting.Sweeps;
using AiTrader.Core.Sessions;
using AiTrader.Reporting.Sweeps;

namespace AiTrader.Application.Sweeps;

/// <summary>The walk-forward windows as asked: in bars, or in years (252 sessions a year), at most one of each pair;
/// unset pairs default to 2 years in-sample and half a year out-of-sample.</summary>
public sealed record WalkForwardRequest(int? InSampleBars = null, int? OutOfSampleBars = null, double? InSampleYears = null,
    double? OutOfSampleYears = null);

/// <summary>A parameter sweep or walk-forward, as whoever asks (the CLI, the service) describes it.</summary>
/// <param name="Symbol">The ticker.</param>
/// <param name="Strategy">The strategy's catalog name.</param>
/// <param name="Grid">The parameter grid.</param>
/// <param name="Interval">Bar interval.</param>
/// <param name="Start">First session date (New York), inclusive; null for the first bar.</param>
/// <param name="End">Last session date, inclusive; null for the last bar.</param>
/// <param name="RankBy">The metric combinations are ranked by.</param>
/// <param name="Capital">Initial capital of every backtest.</param>
/// <param name="BaseParameters">Parameters fixed for every combination.</param>
/// <param name="Metrics">Annualization and risk-free rate; the defaults when null.</param>
/// <param name="WalkForward">Walk forward with these windows instead of one sweep over the whole range; null: a sweep.</param>
/// <param name="Parallelism">Backtests at once (the results do not depend on it); null: every core.</param>
/// <param name="OutDir">Output folder; null: a new folder under the artifacts folder.</param>
/// <param name="Png">Also write the heat map as heatmap.png (<c>--png</c>).</param>
public sealed record SweepRequest(
    Symbol Symbol,
    string Strategy,
    ParameterGrid Grid,
    Timeframe Interval,
    DateOnly? Start,
    DateOnly? End,
    RankMetric RankBy,
    decimal Capital,
    IReadOnlyDictionary<string, string> BaseParameters,
    MetricsOptions? Metrics = null,
    WalkForwardRequest? WalkForward = null,
    int? Parallelism = null,
    string? OutDir = null,
    bool Png = false);

/// <summary>Runs a prepared sweep's (or walk-forward's) backtests somewhere other than this process's cores, such as a
/// cluster's silos, and writes the same files <see cref="PreparedSweep.Run"/> would.</summary>
/// <param name="progress">Finished backtests, counting to <see cref="PreparedSweep.Total"/>.</param>
public delegate Task<SweepOutcome> SweepExecutor(PreparedSweep prepared, IProgress<int> progress, CancellationToken ct);

/// <summary>A finished sweep (<see cref="Sweep"/> set) or walk-forward (<see cref="WalkForward"/> set), its bars and where
/// its files went.</summary>
public sealed record SweepOutcome(
    SweepRequest Request,
    BarSeries Series,
    string OutputDirectory,
    IReadOnlyList<string> Files,
    SweepResult? Sweep = null,
    WalkForwardResult? WalkForward = null,
    WalkForwardOptions? Windows = null);

/// <summary>Runs a <see cref="SweepRequest"/> in two steps, so a caller can show progress against a known total:
/// <see cref="PrepareAsync"/> checks the request and every combination before loading data, then loads the bars;
/// <see cref="PreparedSweep.Run"/> runs the grid (or walks it forward) on all cores with progress and cancellation and
/// writes the ranked CSV and heat map (or the walk-forward windows, equity and metrics).</summary>
public static class SweepRun
{
    public static async Task<PreparedSweep> PrepareAsync(SweepRequest request, AppSettings settings, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = Check(request);
        var series = await LoadBarsAsync(settings, request.Symbol, request.Interval, request.Start, request.End, ct);
        var windows = request.WalkForward is { } wf ? WalkForwardSizes(series, wf) : null;
        var dir = request.OutDir ?? ArtifactFolder.CreateUnique(Path.Combine(settings.ArtifactsDir, "sweeps"), $"{request.Symbol}-{request.Strategy}");
        return new PreparedSweep(request, options, series, windows, dir);
    }

    /// <summary>Checks what can be checked without the bars (parallelism, capital, every combination against the
    /// strategy) and returns the sweep's options; a bad value throws <see cref="RequestException"/> naming its field.</summary>
    public static SweepOptions Check(SweepRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Parallelism is < 1)
        {
            throw new RequestException($"--parallelism must be at least 1 (got {request.Parallelism}).", "parallelism");
        }

        var options = new SweepOptions
        {
            Strategy = request.Strategy,
            BaseParameters = request.BaseParameters,
            Backtest = new ExchangeOptions { InitialCapital = RequestChecks.Capital(request.Capital), Calendar = NyseCalendar.Instance },
            Metrics = request.Metrics ?? new MetricsOptions(),
            RankBy = request.RankBy,
            MaxDegreeOfParallelism = request.Parallelism ?? Environment.ProcessorCount,
        };
        // Fail on an unknown strategy or a bad value in any combination before loading data.
        foreach (var combination in request.Grid.Combinations())
        {
            RequestChecks.Checked(() => options.CreateStrategy(combination), "grid", reason => $"{combination}: {reason}");
        }

        return options;
    }

    /// <summary>Bars from the bundled (or configured) sample data, as <c>aitrader backtest</c> loads them; an empty range
    /// is an error naming the fix.</summary>
    /// <param name="cache">The columnar bar cache to load through; null: <paramref name="settings"/>' own.</param>
    public static async Task<BarSeries> LoadBarsAsync(AppSettings settings, Symbol symbol, Timeframe interval,
        DateOnly? start, DateOnly? end, CancellationToken ct, BarFileCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (start is { } s && end is { } e && s > e)
        {
            throw new RequestException($"--start {s:yyyy-MM-dd} is after --end {e:yyyy-MM-dd}; pick a start before the end.", "start");
        }

        var root = settings.SampleDataDir ?? SampleData.LocateRoot();
        IBarSource source = new CsvBarSource(root, NyseCalendar.Instance, cache ?? settings.BarCache());
        var startUtc = start is { } sd ? ExchangeTime.StartOfDateUtc(sd) : (DateTime?)null;
        var endUtc = end is { } ed ? ExchangeTime.EndOfDateUtc(ed) : (DateTime?)null;
        var series = await source.GetBarsAsync(new BarRequest(symbol, interval, startUtc, endUtc), ct);
        if (series.Bars.Count == 0)
        {
            throw NoBars(symbol, interval);
        }

        return series;
    }

    /// <summary>The error for a range that holds no bars.</summary>
    public static RequestException NoBars(Symbol symbol, Timeframe interval) =>
        new($"no {interval} bars for {symbol} in the requested range; widen --start/--end.", "start");

    /// <summary>"Risk-free rate 4.00%": the rate the Sharpe and Sortino columns assume, labelled as in the metrics table.</summary>
    public static string RateNote(MetricsOptions options) =>
        $"Risk-free rate {BacktestReportWriter.FormatPercent(options.RiskFreeRate)}";

    // The heat map names the rate only when one was given, so a default run draws the same picture as before the flag.
    internal static string HeatmapRateNote(MetricsOptions options) =>
        options.RiskFreeRate == 0 ? "" : $" · {RateNote(options).ToLowerInvariant()}";

    private static WalkForwardOptions WalkForwardSizes(BarSeries series, WalkForwardRequest request)
    {
        if (request.InSampleBars is not null && request.InSampleYears is not null)
        {
            throw new RequestException("give the in-sample window once: --in-sample (bars) or --is-years, not both.", "in_sample");
        }

        if (request.OutOfSampleBars is not null && request.OutOfSampleYears is not null)
        {
            throw new RequestException("give the out-of-sample window once: --out-of-sample (bars) or --oos-years, not both.", "out_of_sample");
        }

        int Bars(int? bars, double? years, double defaultYears, string flag, string yearsFlag)
        {
            if (bars is { } b)
            {
                return b >= 1 ? b : throw new RequestException($"{flag} must be at least 1 bar (got {b}).", RequestChecks.Field(flag));
            }

            var y = years ?? defaultYears;
            return y > 0 && double.IsFinite(y)
                ? WalkForwardPlan.BarsForYears(series, y)
                : throw new RequestException($"{yearsFlag} must be a positive number of years (got {y.ToString(CultureInfo.InvariantCulture)}).",
                    RequestChecks.Field(yearsFlag));
        }

        var options = new WalkForwardOptions(
            Bars(request.InSampleBars, request.InSampleYears, 2, "--in-sample", "--is-years"),
            Bars(request.OutOfSampleBars, request.OutOfSampleYears, 0.5, "--out-of-sample", "--oos-years"));
        if (series.Bars.Count <= options.InSampleBars)
        {
            throw new RequestException(
                $"walk-forward needs more than the {options.InSampleBars} in-sample bars; {series.Symbol} has {series.Bars.Count} in range. Shorten the windows or widen --start/--end.",
                "in_sample");
        }

        return options;
    }
}

/// <summary>A checked sweep with its bars loaded: <see cref="Total"/> backtests to run into <see cref="OutputDirectory"/>.</summary>
public sealed class PreparedSweep
{
    private readonly SweepOptions _options;

    internal PreparedSweep(SweepRequest request, SweepOptions options, BarSeries series, WalkForwardOptions? windows, string outputDirectory)
    {
        Request = request;
        _options = options;
        Series = series;
        Windows = windows;
        OutputDirectory = outputDirectory;
        Total = windows is null ? request.Grid.Count : WalkForwardRunner.TotalRuns(series.Bars.Count, request.Grid, windows);
    }

    public SweepRequest Request { get; }

    public BarSeries Series { get; }

    /// <summary>The walk-forward windows in bars; null for a sweep.</summary>
    public WalkForwardOptions? Windows { get; }

    public string OutputDirectory { get; }

    /// <summary>Backtests the run will make (what <see cref="Run"/>'s progress counts to).</summary>
    public int Total { get; }

    /// <param name="progress">Completed backtests, reported from the workers (out of order).</param>
    public SweepOutcome Run(IProgress<int>? progress, CancellationToken ct)
    {
        var request = Request;
        if (Windows is { } windows)
        {
            return Write(new WalkForwardRunner(_options).Run(Series, request.Grid, windows, progress, ct));
        }

        return Write(new SweepRunner(_options).Run(Series, request.Grid, progress, ct));
    }

    /// <summary>A walk-forward's windows, whose in-sample sweeps a caller runs elsewhere (null for a sweep).</summary>
    public IReadOnlyList<WalkForwardWindow>? WalkForwardWindows() => Windows is { } windows ? WalkForwardRunner.Windows(Series, windows) : null;

    /// <summary>Finishes a walk-forward whose in-sample sweeps ran elsewhere (<paramref name="inSample"/>[w] is window w's,
    /// see <see cref="WalkForwardWindows"/>): the out-of-sample runs here, then the files <see cref="Run"/> writes.</summary>
    /// <param name="progress">Windows finished.</param>
    public SweepOutcome CompleteWalkForward(IReadOnlyList<SweepResult> inSample, IProgress<int>? progress, CancellationToken ct)
    {
        var windows = Windows ?? throw new InvalidOperationException("a sweep has no walk-forward windows.");
        return Write(new WalkForwardRunner(_options).Complete(Series, windows, inSample, progress, ct));
    }

    private SweepOutcome Write(WalkForwardResult result)
    {
        var files = WalkForwardReportWriter.Write(OutputDirectory, result, Request.Grid);
        return new SweepOutcome(Request, Series, OutputDirectory, [files.WindowsCsv, files.EquityCsv, files.MetricsCsv],
            WalkForward: result, Windows: Windows);
    }

    /// <summary>The runner of this sweep's cells: one combination at a time (<see cref="SweepRunner.RunCombination"/>) and
    /// the ranking of their rows (<see cref="SweepRunner.Result"/>), for a caller that runs the cells elsewhere.</summary>
    public SweepRunner CellRunner() => new(_options);

    /// <summary>Writes a finished sweep's ranked CSV and heat map into <see cref="OutputDirectory"/>, as <see cref="Run"/>
    /// does for the sweep it runs itself.</summary>
    public SweepOutcome Write(SweepResult sweep)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        var request = Request;
        var written = SweepReportWriter.Write(OutputDirectory, sweep,
            $"{request.Symbol} · {request.Strategy} · {request.RankBy.Name()}{SweepRun.HeatmapRateNote(_options.Metrics ?? new MetricsOptions())}", request.Png);
        string[] files = written.HeatmapPng is { } png
            ? [written.Csv, written.HeatmapSvg, written.HeatmapHtml, png]
            : [written.Csv, written.HeatmapSvg, written.HeatmapHtml];
        return new SweepOutcome(request, Series, OutputDirectory, files,
            Sweep: sweep);
    }
}
