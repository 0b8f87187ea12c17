using AiTrader.Core.Scanning;
using AiTrader.Core.Signals.Regimes;
using AiTrader.Core.Strategies;

namespace AiTrader.Cluster.Scans;

/// <summary>A universe scan as it travels to the symbol grains: the session date and the <see cref="ScanOptions"/> in
/// plain serializable form.</summary>
[GenerateSerializer, Immutable]
public sealed record UniverseScanJob
{
    [Id(0)] public required DateOnly Date { get; init; }
    [Id(1)] public required int LookbackSessions { get; init; }
    [Id(2)] public required int MinSessions { get; init; }
    [Id(3)] public decimal? MinPrice { get; init; }
    [Id(4)] public decimal? MaxPrice { get; init; }
    [Id(5)] public decimal? MinDollarVolume { get; init; }
    [Id(6)] public decimal? MinAbsGap { get; init; }
    [Id(7)] public decimal? MinRvol { get; init; }
    [Id(8)] public double? MinProbUp { get; init; }

    /// <summary>The regime filter's regimes (as their enum values); null for no filter.</summary>
    [Id(9)] public int[]? Regimes { get; init; }
    /// <summary>The <see cref="GapDirection"/>, as its value.</summary>
    [Id(10)] public required int Direction { get; init; }
    [Id(11)] public required decimal GapWeight { get; init; }
    [Id(12)] public required decimal RvolWeight { get; init; }
    [Id(13)] public required decimal RvolCap { get; init; }
    [Id(14)] public required int Top { get; init; }

    public static UniverseScanJob From(ScanOptions options, DateOnly date)
    {
        ArgumentNullException.ThrowIfNull(options);
        var score = options.Scoring;
        return new UniverseScanJob
        {
            Date = date,
            LookbackSessions = options.LookbackSessions,
            MinSessions = options.MinSessions,
            MinPrice = options.MinPrice,
            MaxPrice = options.MaxPrice,
            MinDollarVolume = options.MinDollarVolume,
            MinAbsGap = options.MinAbsGap,
            MinRvol = options.MinRvol,
            MinProbUp = options.MinProbUp,
            Regimes = options.Regimes is { } set ? [.. set.Regimes.Select(r => (int)r)] : null,
            Direction = (int)options.Direction,
            GapWeight = score.GapWeight,
            RvolWeight = score.RvolWeight,
            RvolCap = score.RvolCap,
            Top = options.Top,
        };
    }

    /// <summary>The options this job was made from.</summary>
    public ScanOptions ToOptions() => new ScanOptions(LookbackSessions, MinSessions, MinPrice, MaxPrice, MinDollarVolume, MinAbsGap, MinRvol,
        MinProbUp, Regimes is { } r ? RegimeSet.Of([.. r.Select(v => (MarketRegime)v)]) : null, (GapDirection)Direction,
        new ScanScore(GapWeight, RvolWeight, RvolCap), Top).Validate();
}

/// <summary>A stretch of one symbol's market-data stream: every minute bar that opened at or after <paramref name="FromUtc"/>
/// and before <paramref name="ToUtc"/>, in time order (an empty list says the symbol did not trade in it).</summary>
[GenerateSerializer, Immutable]
public sealed record ScanBarBatch(
    [property: Id(0)] DateTime FromUtc,
    [property: Id(1)] DateTime ToUtc,
    [property: Id(2)] AiTrader.Core.Domain.Bar[] Bars);

/// <summary>A symbol grain's answer at a window: its row (or the error line of a failed data read), and what it holds.</summary>
/// <param name="Row">The symbol's row, as the single-machine scanner measures it.</param>
/// <param name="Error">The error line when the symbol's data failed (the row then says Error).</param>
/// <param name="Silo">The silo the grain is active on.</param>
/// <param name="Activation">This activation's id: a new one after the grain was deactivated and rebuilt.</param>
/// <param name="BarsFromCache">Minute bars this activation read from the bar cache (its rebuild and any gap in the stream).</param>
/// <param name="BarsStreamed">Minute bars this activation was fed by the stream.</param>
/// <param name="StateBytes">The managed bytes of the symbol's scan state, roughly.</param>
/// <param name="Points">Minute bars the state holds.</param>
[GenerateSerializer, Immutable]
public sealed record ScanSymbolReply(
    [property: Id(0)] ScanRow Row,
    [property: Id(1)] string? Error,
    [property: Id(2)] string Silo,
    [property: Id(3)] Guid Activation,
    [property: Id(4)] int BarsFromCache,
    [property: Id(5)] int BarsStreamed,
    [property: Id(6)] long StateBytes,
    [property: Id(7)] int Points);
