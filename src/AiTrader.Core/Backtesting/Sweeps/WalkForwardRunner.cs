using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;

namespace AiTrader.Core.Backtesting.Sweeps;

/// <summary>Walk-forward window lengths in bars and how much history the out-of-sample run may warm up on.</summary>
/// <param name="InSampleBars">Bars each grid is tuned on.</param>
/// <param name="OutOfSampleBars">Bars the chosen parameters are then tested on (also the roll step).</param>
/// <param name="WarmupBars">Bars before each out-of-sample block the strategy sees but cannot trade on; null means the
/// whole in-sample block.</param>
public sealed record WalkForwardOptions(int InSampleBars, int OutOfSampleBars, int? WarmupBars = null);

/// <summary>One window's outcome: the parameters tuned in-sample and what they did out-of-sample.</summary>
/// <param name="Window">The window's bar ranges.</param>
/// <param name="InSampleFirst">Open time of the first in-sample bar.</param>
/// <param name="InSampleLast">Open time of the last in-sample bar.</param>
/// <param name="OutOfSampleFirst">Open time of the first out-of-sample bar.</param>
/// <param name="OutOfSampleLast">Open time of the last out-of-sample bar.</param>
/// <param name="Chosen">The best combination in-sample.</param>
/// <param name="InSampleScore">Its in-sample rank metric (null when undefined for every combination).</param>
/// <param name="OutOfSample">Metrics of the out-of-sample run alone (its own account starting at initial capital).</param>
/// <param name="Trades">The out-of-sample trades.</param>
/// <param name="Equity">The out-of-sample equity curve: one point per out-of-sample bar, nothing from the warm-up.</param>
public sealed record WalkForwardWindowResult(
    WalkForwardWindow Window,
    DateTime InSampleFirst,
    DateTime InSampleLast,
    DateTime OutOfSampleFirst,
    DateTime OutOfSampleLast,
    ParameterCombination Chosen,
    double? InSampleScore,
    PerformanceMetrics OutOfSample,
    IReadOnlyList<TradeRecord> Trades,
    IReadOnlyList<EquityPoint> Equity);

/// <summary>A walk-forward run: per-window out-of-sample results and the stitched out-of-sample curve with its metrics.</summary>
/// <param name="RankBy">The metric used to choose parameters in-sample.</param>
/// <param name="Windows">Windows in time order.</param>
/// <param name="Equity">The out-of-sample curves chained: each window continues from the previous window's final equity.</param>
/// <param name="Trades">The out-of-sample trades, P&amp;L and fees scaled by the same chaining factor as their window's curve.</param>
/// <param name="Metrics">Metrics of the stitched curve: out-of-sample only.</param>
public sealed record WalkForwardResult(
    RankMetric RankBy,
    IReadOnlyList<WalkForwardWindowResult> Windows,
    IReadOnlyList<EquityPoint> Equity,
    IReadOnlyList<TradeRecord> Trades,
    PerformanceMetrics Metrics);

/// <summary>Rolling walk-forward optimisation: tune the grid in-sample, trade the winner on the following unseen bars, repeat.</summary>
/// <remarks>Only out-of-sample numbers leave this class. Each out-of-sample run is a fresh account on the bars
/// [OOS start − warm-up, OOS end): the strategy warms its indicators on the preceding in-sample bars through a
/// <see cref="WarmupGuard"/> (which drops every decision before the OOS start), and any position still open at the
/// window's last bar is closed there, so no trade straddles two windows.</remarks>
public sealed class WalkForwardRunner
{
    private readonly SweepOptions _options;

    public WalkForwardRunner(SweepOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validate();
    }

    /// <summary>Runs every window; <paramref name="progress"/> counts finished backtests out of
    /// windows × (grid size + 1), see <see cref="TotalRuns"/>.</summary>
    public WalkForwardResult Run(BarSeries series, ParameterGrid grid, WalkForwardOptions walkForward,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(grid);
        var windows = Windows(series, walkForward);
        var sweeper = new SweepRunner(_options);
        var engine = new BacktestEngine(_options.Backtest);
        var done = 0;
        var results = new List<WalkForwardWindowResult>(windows.Count);

        foreach (var window in windows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var offset = done;
            var inSample = series.Slice(window.InSampleStart, window.InSampleLength);
            var sweep = sweeper.Run(inSample, grid,
                progress is null ? null : new OffsetProgress(progress, offset), cancellationToken);
            done += grid.Count;
            results.Add(OutOfSample(engine, series, window, sweep.Best, walkForward));
            progress?.Report(++done);
        }

        return Finish(results);
    }

    /// <summary>The windows of a walk-forward over <paramref name="series"/>, in time order: what <see cref="Run"/> tunes
    /// one by one, and what a caller that runs the in-sample sweeps elsewhere (a cluster) hands to
    /// <see cref="Complete"/>.</summary>
    public static IReadOnlyList<WalkForwardWindow> Windows(BarSeries series, WalkForwardOptions walkForward)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(walkForward);
        if (walkForward.WarmupBars is < 0)
        {
            throw new ArgumentException($"warm-up must not be negative; got {walkForward.WarmupBars}.", nameof(walkForward));
        }

        return WalkForwardPlan.Rolling(series.Bars.Count, walkForward.InSampleBars, walkForward.OutOfSampleBars);
    }

    /// <summary>The walk-forward from in-sample sweeps run elsewhere: <paramref name="inSample"/>[w] is the sweep of
    /// <see cref="Windows"/>[w]'s in-sample bars. Runs each window's out-of-sample backtest and stitches them, exactly
    /// as <see cref="Run"/> does after its own sweeps; <paramref name="progress"/> counts the windows done.</summary>
    public WalkForwardResult Complete(BarSeries series, WalkForwardOptions walkForward, IReadOnlyList<SweepResult> inSample,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(inSample);
        var windows = Windows(series, walkForward);
        if (inSample.Count != windows.Count)
        {
            throw new ArgumentException($"a walk-forward of {windows.Count} windows needs {windows.Count} in-sample sweeps, got {inSample.Count}.", nameof(inSample));
        }

        var engine = new BacktestEngine(_options.Backtest);
        var results = new List<WalkForwardWindowResult>(windows.Count);
        for (var w = 0; w < windows.Count; w++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            results.Add(OutOfSample(engine, series, windows[w], inSample[w].Best, walkForward));
            progress?.Report(w + 1);
        }

        return Finish(results);
    }

    /// <summary>One window's out-of-sample run of <paramref name="chosen"/>, warmed up on the bars before it.</summary>
    private WalkForwardWindowResult OutOfSample(BacktestEngine engine, BarSeries series, WalkForwardWindow window, SweepRow chosen,
        WalkForwardOptions walkForward)
    {
        var warmup = Math.Min(walkForward.WarmupBars ?? window.InSampleLength, window.OutOfSampleStart);
        var runStart = window.OutOfSampleStart - warmup;
        var bars = series.Slice(runStart, window.OutOfSampleEnd - runStart);
        var oosFirst = series.Bars[window.OutOfSampleStart].Timestamp;
        var run = engine.Run(bars, new WarmupGuard(_options.CreateStrategy(chosen.Combination), oosFirst));

        // The guard kept the account flat through the warm-up, so dropping those points loses nothing but flat lines.
        var equity = run.EquityCurve.Skip(warmup).ToArray();
        var metrics = PerformanceCalculator.Compute(_options.Backtest.InitialCapital, equity, run.Trades, _options.Metrics);
        return new WalkForwardWindowResult(window,
            series.Bars[window.InSampleStart].Timestamp, series.Bars[window.InSampleEnd - 1].Timestamp,
            oosFirst, series.Bars[window.OutOfSampleEnd - 1].Timestamp,
            chosen.Combination, chosen.Score, metrics, run.Trades, equity);
    }

    private WalkForwardResult Finish(List<WalkForwardWindowResult> results)
    {
        var capital = _options.Backtest.InitialCapital;
        var (stitched, trades) = Stitch(capital, results);
        var overall = PerformanceCalculator.Compute(capital, stitched, trades, _options.Metrics);
        return new WalkForwardResult(_options.RankBy, results, stitched, trades, overall);
    }

    /// <summary>Number of backtests a walk-forward run performs (for a progress bar's total).</summary>
    public static int TotalRuns(int barCount, ParameterGrid grid, WalkForwardOptions walkForward)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(walkForward);
        return WalkForwardPlan.Rolling(barCount, walkForward.InSampleBars, walkForward.OutOfSampleBars).Count * (grid.Count + 1);
    }

    /// <summary>Chains the windows' curves as one account that carries its equity from window to window: a window's
    /// points, P&amp;L and fees are scaled by (equity before the window) / (initial capital). Returns compound; the
    /// scaled values are rounded to 4 decimal places.</summary>
    public static (IReadOnlyList<EquityPoint> Equity, IReadOnlyList<TradeRecord> Trades) Stitch(decimal initialCapital,
        IReadOnlyList<WalkForwardWindowResult> windows)
    {
        ArgumentNullException.ThrowIfNull(windows);
        var equity = new List<EquityPoint>();
        var trades = new List<TradeRecord>();
        var carried = initialCapital;
        foreach (var w in windows)
        {
            var factor = carried / initialCapital;
            equity.AddRange(w.Equity.Select(p => p with { Equity = Round(p.Equity * factor) }));
            trades.AddRange(w.Trades.Select(t => t with { Pnl = Round(t.Pnl * factor), Fees = Round(t.Fees * factor) }));
            if (w.Equity.Count > 0)
            {
                carried = equity[^1].Equity;
            }
        }

        return (equity, trades);
    }

    private static decimal Round(decimal value) => Math.Round(value, 4, MidpointRounding.AwayFromZero);
}

/// <summary>Shifts a nested count by the runs already done before it (a window's sweep after the earlier windows' runs;
/// the out-of-sample runs after a cluster's in-sample cells), reporting on the caller's thread.</summary>
public sealed class OffsetProgress(IProgress<int> inner, int offset) : IProgress<int>
{
    public void Report(int value) => inner.Report(offset + value);
}
