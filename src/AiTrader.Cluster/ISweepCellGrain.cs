using AiTrader.Core.Backtesting;

namespace AiTrader.Cluster;

/// <summary>Runs one cell (one parameter combination) of a sweep on the silo that receives the call.</summary>
public interface ISweepCellGrain : IGrainWithStringKey
{
    /// <summary>Backtests combination <paramref name="cell"/> of <paramref name="job"/>'s grid on the job's bars; the
    /// caller's <paramref name="cancellationToken"/> reaches the silo and stops the backtest part-way.</summary>
    Task<SweepCellResult> Run(SweepCellJob job, int cell, CancellationToken cancellationToken = default);
}

/// <summary>One cell's outcome: the combination's metrics and score, and the silo that ran it.</summary>
/// <param name="Cell">The combination's index in grid order.</param>
/// <param name="Metrics">Full-period metrics of the backtest (sent as JSON, exactly: see <see cref="ClusterSerialization"/>).</param>
/// <param name="Score">The rank metric's value; null when undefined.</param>
/// <param name="Silo">The silo that ran the cell (its address), for the placement log.</param>
[GenerateSerializer, Immutable]
public sealed record SweepCellResult(
    [property: Id(0)] int Cell,
    [property: Id(1)] PerformanceMetrics Metrics,
    [property: Id(2)] double? Score,
    [property: Id(3)] string Silo);
