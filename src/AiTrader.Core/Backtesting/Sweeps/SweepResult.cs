namespace AiTrader.Core.Backtesting.Sweeps;

/// <summary>One combination's outcome: its parameters, its metrics and its score under the sweep's rank metric.</summary>
/// <param name="Combination">The grid point.</param>
/// <param name="Metrics">Full-period metrics of the run.</param>
/// <param name="Score">The rank metric's value; null when undefined (ranks last).</param>
public sealed record SweepRow(ParameterCombination Combination, PerformanceMetrics Metrics, double? Score);

/// <summary>Everything a sweep produced: rows in grid order and the same rows ranked best first.</summary>
/// <param name="Grid">The swept grid.</param>
/// <param name="RankBy">The metric that ordered <paramref name="Ranked"/>.</param>
/// <param name="Rows">One row per combination, at its combination index.</param>
/// <param name="Ranked">The rows best first: score descending, undefined scores last, ties by combination index.</param>
public sealed record SweepResult(
    ParameterGrid Grid,
    RankMetric RankBy,
    IReadOnlyList<SweepRow> Rows,
    IReadOnlyList<SweepRow> Ranked)
{
    /// <summary>The best row (first of <see cref="Ranked"/>).</summary>
    public SweepRow Best => Ranked[0];
}
