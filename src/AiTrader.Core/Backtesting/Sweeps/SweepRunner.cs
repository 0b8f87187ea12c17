using System.Runtime.ExceptionServices;
using AiTrader.Core.MarketData;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Backtesting.Sweeps;

/// <summary>Runs a strategy once per grid combination over one bar series, in parallel, and ranks the results.</summary>
/// <remarks>Every combination gets its own strategy instance (strategies hold indicator state) while all runs read the same
/// bar series, which nobody mutates. Results are stored at their combination index and ranked with a total order, so the
/// output is the same for any degree of parallelism and any thread schedule.</remarks>
public sealed class SweepRunner
{
    private readonly SweepOptions _options;
    private readonly BacktestEngine _engine;

    public SweepRunner(SweepOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Validate();
        _engine = new BacktestEngine(_options.Backtest);
    }

    public SweepOptions Options => _options;

    /// <summary>Backtests every combination of <paramref name="grid"/> on <paramref name="series"/>.</summary>
    /// <param name="progress">Receives the number of finished combinations (from worker threads, not necessarily in order).</param>
    /// <exception cref="ArgumentException">A combination's parameters are unknown or invalid (checked before any run starts).</exception>
    public SweepResult Run(BarSeries series, ParameterGrid grid, IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(grid);

        var combinations = grid.Combinations().ToArray();
        // Build each strategy once up front so a bad value in the last combination fails before hours of work.
        foreach (var combination in combinations)
        {
            _options.CreateStrategy(combination);
        }

        var rows = new SweepRow[combinations.Length];
        var finished = 0;
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = _options.MaxDegreeOfParallelism,
            CancellationToken = cancellationToken,
        };

        try
        {
            Parallel.For(0, combinations.Length, parallel, i =>
            {
                rows[i] = RunCombination(series, combinations[i]);
                progress?.Report(Interlocked.Increment(ref finished));
            });
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            // Surface the first failure as itself so callers (and the CLI's one-line errors) see the real type.
            ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
            throw;
        }

        return Result(grid, rows);
    }

    /// <summary>Backtests one combination on <paramref name="series"/>: its metrics and its score under the rank metric.
    /// What every cell of a sweep runs, here or on another machine (safe to call from many threads at once).</summary>
    /// <param name="cancellationToken">Stops the backtest part-way (<see cref="CancellableStrategy"/>); one that cannot be
    /// cancelled leaves the run as it is.</param>
    public SweepRow RunCombination(BarSeries series, ParameterCombination combination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(combination);
        var strategy = _options.CreateStrategy(combination);
        var result = _engine.Run(series, cancellationToken.CanBeCanceled ? new CancellableStrategy(strategy, cancellationToken) : strategy);
        var metrics = PerformanceCalculator.Compute(_options.Backtest.InitialCapital, result.EquityCurve, result.Trades, _options.Metrics);
        return new SweepRow(combination, metrics, _options.RankBy.ValueOf(metrics));
    }

    /// <summary>The sweep's result from one row per combination, in grid order (<paramref name="rows"/>[i] is combination i),
    /// ranked by <see cref="Rank"/>.</summary>
    public SweepResult Result(ParameterGrid grid, IReadOnlyList<SweepRow> rows)
    {
        ArgumentNullException.ThrowIfNull(grid);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count != grid.Count)
        {
            throw new ArgumentException($"a sweep of {grid.Count} combinations needs {grid.Count} rows, got {rows.Count}.", nameof(rows));
        }

        return new SweepResult(grid, _options.RankBy, rows, Rank(rows));
    }

    /// <summary>Orders rows best first: score descending, null scores last, equal scores by combination index.</summary>
    public static IReadOnlyList<SweepRow> Rank(IReadOnlyList<SweepRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        return rows
            .OrderBy(r => r.Score is null ? 1 : 0)
            .ThenByDescending(r => r.Score ?? 0)
            .ThenBy(r => r.Combination.Index)
            .ToArray();
    }
}
