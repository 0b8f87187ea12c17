using AiTrader.Application;
using AiTrader.Application.Sweeps;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Backtesting.Sweeps;
using AiTrader.Core.Domain;

namespace AiTrader.Cluster;

/// <summary>A sweep as it travels to the silos: the fields of a <see cref="SweepRequest"/> in plain serializable form,
/// under an id that lets a silo prepare the sweep (strategy check, bars) once for all of its cells.</summary>
[GenerateSerializer, Immutable]
public sealed record SweepCellJob
{
    [Id(0)] public required Guid Id { get; init; }
    [Id(1)] public required string Symbol { get; init; }
    [Id(2)] public required string Strategy { get; init; }
    [Id(3)] public required string[] GridNames { get; init; }
    [Id(4)] public required string[][] GridValues { get; init; }
    [Id(5)] public required string Interval { get; init; }
    [Id(6)] public DateOnly? Start { get; init; }
    [Id(7)] public DateOnly? End { get; init; }
    [Id(8)] public required string RankBy { get; init; }
    [Id(9)] public required decimal Capital { get; init; }
    [Id(10)] public required Dictionary<string, string> BaseParameters { get; init; }
    [Id(11)] public required int TradingDaysPerYear { get; init; }
    [Id(12)] public required double RiskFreeRate { get; init; }
    [Id(13)] public required int MinTradingDaysToAnnualize { get; init; }

    /// <summary>The job of <paramref name="request"/>; walk-forward does not run on a cluster yet.</summary>
    public static SweepCellJob From(SweepRequest request, Guid id)
    {
        Check(request);
        var metrics = request.Metrics ?? new MetricsOptions();
        return new SweepCellJob
        {
            Id = id,
            Symbol = request.Symbol.Value,
            Strategy = request.Strategy,
            GridNames = [.. request.Grid.Parameters.Select(p => p.Name)],
            GridValues = [.. request.Grid.Parameters.Select(p => p.Values.ToArray())],
            Interval = request.Interval.ToString(),
            Start = request.Start,
            End = request.End,
            RankBy = request.RankBy.Name(),
            Capital = request.Capital,
            BaseParameters = new Dictionary<string, string>(request.BaseParameters, StringComparer.OrdinalIgnoreCase),
            TradingDaysPerYear = metrics.TradingDaysPerYear,
            RiskFreeRate = metrics.RiskFreeRate,
            MinTradingDaysToAnnualize = metrics.MinTradingDaysToAnnualize,
        };
    }

    /// <summary>Throws a <see cref="RequestException"/> when <paramref name="request"/> cannot run on a cluster (yet):
    /// walk-forward runs on one machine only.</summary>
    public static void Check(SweepRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.WalkForward is not null)
        {
            throw new RequestException("walk-forward does not run on a cluster yet; drop --cluster to run it on this machine.", "cluster");
        }
    }

    /// <summary>The request this job was made from (one machine's parallelism and output folder left out: a cell runs one
    /// backtest and writes nothing).</summary>
    public SweepRequest ToRequest()
    {
        var grid = new ParameterGrid([.. GridNames.Select((name, i) => new GridParameter(name, GridValues[i]))]);
        return new SweepRequest(new Symbol(Symbol), Strategy, grid, Timeframe.Parse(Interval), Start, End, RankMetrics.Parse(RankBy),
            Capital, BaseParameters, new MetricsOptions(TradingDaysPerYear, RiskFreeRate, MinTradingDaysToAnnualize), Parallelism: 1);
    }
}
