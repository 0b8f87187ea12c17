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

    /// <summary>A walk-forward's in-sample windows as bar ranges of the job's series (first bar, bar count), one block of
    /// cells per window: cell <c>w × grid size + i</c> is combination i on window w's bars. Null for a sweep (cell i is
    /// combination i on the whole series).</summary>
    [Id(14)] public int[][]? InSampleWindows { get; init; }

    /// <summary>The name of the job's bars in the cluster's shared bar cache (<see cref="SharedBarCache"/>): a silo that
    /// has the cache reads them from there, a silo without it (or the cache without them) loads them as the client did.
    /// Null when the client shares no bars.</summary>
    [Id(15)] public string? SharedBars { get; init; }

    /// <summary>Cells of the job: the grid's size, times the windows of a walk-forward.</summary>
    public int Cells(ParameterGrid grid)
    {
        ArgumentNullException.ThrowIfNull(grid);
        return grid.Count * (InSampleWindows?.Length ?? 1);
    }

    /// <summary>The job of <paramref name="request"/>; for a walk-forward, with its in-sample <paramref name="windows"/>.</summary>
    public static SweepCellJob From(SweepRequest request, Guid id, IReadOnlyList<WalkForwardWindow>? windows = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if ((request.WalkForward is null) != (windows is null))
        {
            throw new ArgumentException("a walk-forward job needs its windows, and a sweep has none.", nameof(windows));
        }

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
            InSampleWindows = windows?.Select(w => new[] { w.InSampleStart, w.InSampleLength }).ToArray(),
        };
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
