using AiTrader.Core.Domain;
using AiTrader.Core.Scanning;
using AiTrader.Core.Signals.Regimes;

namespace AiTrader.Cluster.Scans;

/// <summary>A <see cref="Bar"/> on the wire (the core type knows nothing of Orleans); decimals keep their scale.</summary>
[GenerateSerializer]
public struct BarSurrogate
{
    [Id(0)] public DateTime Timestamp;
    [Id(1)] public decimal Open;
    [Id(2)] public decimal High;
    [Id(3)] public decimal Low;
    [Id(4)] public decimal Close;
    [Id(5)] public decimal Volume;
    [Id(6)] public long? TradeCount;
    [Id(7)] public decimal? Vwap;
}

[RegisterConverter]
public sealed class BarSurrogateConverter : IConverter<Bar, BarSurrogate>
{
    public Bar ConvertFromSurrogate(in BarSurrogate surrogate) => new(DateTime.SpecifyKind(surrogate.Timestamp, DateTimeKind.Utc),
        surrogate.Open, surrogate.High, surrogate.Low, surrogate.Close, surrogate.Volume, surrogate.TradeCount, surrogate.Vwap);

    public BarSurrogate ConvertToSurrogate(in Bar value) => new()
    {
        Timestamp = value.Timestamp,
        Open = value.Open,
        High = value.High,
        Low = value.Low,
        Close = value.Close,
        Volume = value.Volume,
        TradeCount = value.TradeCount,
        Vwap = value.Vwap,
    };
}

/// <summary>A <see cref="ScanRow"/> on the wire: every field, so a row measured on a silo prints as one measured here.</summary>
[GenerateSerializer]
public struct ScanRowSurrogate
{
    [Id(0)] public DateTime Window;
    [Id(1)] public string Symbol;
    [Id(2)] public int Status;
    [Id(3)] public int? Rank;
    [Id(4)] public decimal? Score;
    [Id(5)] public decimal? Gap;
    [Id(6)] public decimal? Rvol;
    [Id(7)] public decimal? LastPrice;
    [Id(8)] public DateTime? LastBarUtc;
    [Id(9)] public decimal? PriorClose;
    [Id(10)] public DateOnly? PriorCloseDate;
    [Id(11)] public decimal Volume;
    [Id(12)] public decimal? AverageVolume;
    [Id(13)] public DateOnly[] SessionDates;
    [Id(14)] public decimal? DollarVolume;
    [Id(15)] public double? ProbUp;
    [Id(16)] public int? Regime;
    [Id(17)] public string? Note;
}

[RegisterConverter]
public sealed class ScanRowSurrogateConverter : IConverter<ScanRow, ScanRowSurrogate>
{
    public ScanRow ConvertFromSurrogate(in ScanRowSurrogate s) => new(
        Utc(s.Window), new Symbol(s.Symbol), (ScanRowStatus)s.Status, s.Rank, s.Score, s.Gap, s.Rvol, s.LastPrice,
        s.LastBarUtc is { } lb ? Utc(lb) : null, s.PriorClose, s.PriorCloseDate, s.Volume, s.AverageVolume, s.SessionDates ?? [],
        s.DollarVolume, s.ProbUp, s.Regime is { } g ? (MarketRegime)g : null, s.Note);

    public ScanRowSurrogate ConvertToSurrogate(in ScanRow value) => new()
    {
        Window = value.Window,
        Symbol = value.Symbol.Value,
        Status = (int)value.Status,
        Rank = value.Rank,
        Score = value.Score,
        Gap = value.Gap,
        Rvol = value.Rvol,
        LastPrice = value.LastPrice,
        LastBarUtc = value.LastBarUtc,
        PriorClose = value.PriorClose,
        PriorCloseDate = value.PriorCloseDate,
        Volume = value.Volume,
        AverageVolume = value.AverageVolume,
        SessionDates = [.. value.SessionDates],
        DollarVolume = value.DollarVolume,
        ProbUp = value.ProbUp,
        Regime = value.Regime is { } g ? (int)g : null,
        Note = value.Note,
    };

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}
