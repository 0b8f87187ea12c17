using System.Runtime.ExceptionServices;
using AiTrader.Core.Backtesting.Sweeps;
using AiTrader.Core.Execution;
using AiTrader.Core.MarketData;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Backtesting.Bias;

/// <summary>Where to cut the data for a lookahead check: evenly spaced cuts plus seeded random ones.</summary>
/// <param name="EvenCuts">Cut points spread evenly through the data.</param>
/// <param name="RandomCuts">Extra cut points drawn with <paramref name="Seed"/> (the same seed gives the same cuts).</param>
/// <param name="Seed">Seed of the random cuts.</param>
/// <param name="MaxDegreeOfParallelism">Truncated runs at once; the report does not depend on it.</param>
/// <param name="MaxFindingsPerCut">Changed decisions kept per cut (the count is always complete).</param>
public sealed record LookaheadOptions(
    int EvenCuts = 20,
    int RandomCuts = 10,
    int Seed = 1,
    int MaxDegreeOfParallelism = 0,
    int MaxFindingsPerCut = 5);

/// <summary>A decision that changed when the future was cut off: proof the strategy used bars it should not have seen.</summary>
/// <param name="Cut">Bars kept in the truncated run (the cut is after bar Cut − 1).</param>
/// <param name="BarIndex">The bar whose decision changed (≤ Cut − 1).</param>
/// <param name="Timestamp">That bar's open time (UTC).</param>
/// <param name="FullRun">The decision with all bars available.</param>
/// <param name="TruncatedRun">The decision with bars from Cut on removed.</param>
public sealed record LookaheadFinding(int Cut, int BarIndex, DateTime Timestamp, string FullRun, string TruncatedRun);

/// <summary>Outcome of a lookahead check.</summary>
/// <param name="Bars">Bars in the full series.</param>
/// <param name="Cuts">The cut points checked, ascending.</param>
/// <param name="ChangedDecisions">Total decisions that differed, over all cuts.</param>
/// <param name="Findings">The changed decisions kept (up to the per-cut limit), by cut then bar.</param>
public sealed record LookaheadReport(int Bars, IReadOnlyList<int> Cuts, int ChangedDecisions, IReadOnlyList<LookaheadFinding> Findings)
{
    public bool LookaheadDetected => ChangedDecisions > 0;

    /// <summary>Cut points at which at least one decision changed.</summary>
    public IReadOnlyList<int> FailingCuts => Findings.Select(f => f.Cut).Distinct().ToArray();
}

/// <summary>Detects lookahead by re-running a backtest on the data cut short at many points: a decision at bar t may only
/// depend on bars 0..t, so removing later bars must not change any decision up to the cut.</summary>
/// <remarks>Each run gets a new strategy from the factory, which receives the exact series that run uses; a strategy
/// that precomputes anything from the series it is handed (rather than reading <see cref="StrategyContext.Bars"/>)
/// is therefore exposed, because the truncated runs hand it less future. Decisions are compared in full: kind, side,
/// quantity, stop and reason.</remarks>
public sealed class LookaheadChecker
{
    private readonly ExchangeOptions _backtest;

    public LookaheadChecker(ExchangeOptions? backtest = null) => _backtest = (backtest ?? new ExchangeOptions()).Validate();

    /// <summary>Runs the full backtest, then one truncated backtest per cut, and compares decisions.</summary>
    /// <param name="createStrategy">A fresh strategy for the series about to be run.</param>
    /// <param name="progress">Receives the number of truncated runs finished.</param>
    public LookaheadReport Check(BarSeries series, Func<BarSeries, IStrategy> createStrategy, LookaheadOptions? options = null,
        IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(createStrategy);
        options ??= new LookaheadOptions();
        var cuts = CutPoints(series.Bars.Count, options.EvenCuts, options.RandomCuts, options.Seed);
        var engine = new BacktestEngine(_backtest);
        var full = Record(engine, series, createStrategy);

        var perCut = new (int Changed, List<LookaheadFinding> Kept)[cuts.Count];
        var finished = 0;
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = options.MaxDegreeOfParallelism > 0 ? options.MaxDegreeOfParallelism : Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        };

        try
        {
            Parallel.For(0, cuts.Count, parallel, k =>
            {
                var cut = cuts[k];
                var truncated = Record(engine, series.Slice(0, cut), createStrategy);
                perCut[k] = Compare(cut, full, truncated, options.MaxFindingsPerCut);
                progress?.Report(Interlocked.Increment(ref finished));
            });
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
            throw;
        }

        return new LookaheadReport(series.Bars.Count, cuts, perCut.Sum(p => p.Changed),
            perCut.SelectMany(p => p.Kept).ToArray());
    }

    /// <summary>Cut points (bars kept) in [1, barCount − 1]: <paramref name="even"/> spread evenly, plus
    /// <paramref name="random"/> drawn with <paramref name="seed"/>; distinct, ascending.</summary>
    public static IReadOnlyList<int> CutPoints(int barCount, int even, int random, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(even);
        ArgumentOutOfRangeException.ThrowIfNegative(random);
        if (barCount < 2)
        {
            throw new ArgumentException($"a lookahead check needs at least 2 bars; got {barCount}.", nameof(barCount));
        }

        var cuts = new SortedSet<int>();
        for (var i = 1; i <= even; i++)
        {
            cuts.Add(Math.Clamp((int)((long)barCount * i / (even + 1)), 1, barCount - 1));
        }

        var rng = new Random(seed);
        for (var i = 0; i < random; i++)
        {
            cuts.Add(rng.Next(1, barCount));
        }

        return cuts.ToArray();
    }

    private static IReadOnlyList<BarDecision> Record(BacktestEngine engine, BarSeries series, Func<BarSeries, IStrategy> create)
    {
        var recorder = new DecisionRecorder(create(series));
        engine.Run(series, recorder);
        return recorder.Decisions.ToArray();
    }

    private static (int Changed, List<LookaheadFinding> Kept) Compare(int cut, IReadOnlyList<BarDecision> full,
        IReadOnlyList<BarDecision> truncated, int keep)
    {
        // The truncated series is a prefix of the full one, so its decisions line up with the full run's one for one.
        var changed = 0;
        var kept = new List<LookaheadFinding>();
        for (var i = 0; i < truncated.Count; i++)
        {
            var before = i < full.Count ? full[i] : null;
            var after = truncated[i];
            if (before is not null && before.SameAs(after))
            {
                continue;
            }

            changed++;
            if (kept.Count < keep)
            {
                kept.Add(new LookaheadFinding(cut, after.BarIndex, after.Timestamp,
                    before?.Describe() ?? "no decision", after.Describe()));
            }
        }

        return (changed, kept);
    }
}
