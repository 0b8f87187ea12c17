using AiTrader.Core.Execution;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Backtesting.Sweeps;

/// <summary>What a sweep runs: the strategy, fixed parameters, account settings, rank metric and how many cores to use.</summary>
public sealed record SweepOptions
{
    /// <summary>Catalog name of the strategy, e.g. <c>breakout</c>.</summary>
    public required string Strategy { get; init; }

    /// <summary>Parameters held fixed for every combination; grid values override them.</summary>
    public IReadOnlyDictionary<string, string> BaseParameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Account and cost settings of every run.</summary>
    public ExchangeOptions Backtest { get; init; } = new();

    /// <summary>Annualization and risk-free rate for the metrics; defaults when null.</summary>
    public MetricsOptions? Metrics { get; init; }

    /// <summary>The statistic that orders the results (higher is better; undefined values rank last).</summary>
    public RankMetric RankBy { get; init; } = RankMetric.Sharpe;

    /// <summary>Most backtests run at once; the output does not depend on it.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Builds a fresh strategy from merged parameters; <see cref="StrategyCatalog.Create"/> of
    /// <see cref="Strategy"/> when null. Tests use it to sweep strategies that are not in the catalog.</summary>
    public Func<IReadOnlyDictionary<string, string>, IStrategy>? StrategyFactory { get; init; }

    /// <summary>A fresh strategy for <paramref name="combination"/>; never shared between runs.</summary>
    public IStrategy CreateStrategy(ParameterCombination combination)
    {
        ArgumentNullException.ThrowIfNull(combination);
        var parameters = combination.ToParameters(BaseParameters);
        return StrategyFactory is { } factory ? factory(parameters) : StrategyCatalog.Create(Strategy, parameters);
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public SweepOptions Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Strategy);
        if (MaxDegreeOfParallelism < 1)
        {
            throw new ArgumentException($"parallelism must be at least 1; got {MaxDegreeOfParallelism}.", nameof(MaxDegreeOfParallelism));
        }

        Backtest.Validate();
        return this;
    }
}
