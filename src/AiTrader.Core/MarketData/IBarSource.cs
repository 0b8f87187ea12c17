using AiTrader.Core.Domain;

namespace AiTrader.Core.MarketData;

/// <summary>How prices are adjusted for corporate actions.</summary>
public enum PriceAdjustment
{
    /// <summary>As traded, no adjustment.</summary>
    Raw,

    /// <summary>Back-adjusted for splits: prices before an ex-date divided by the split ratio, volumes multiplied.</summary>
    Split,
}

/// <summary>A request for bars: symbol, timeframe, inclusive UTC range (null = open-ended) and adjustment.</summary>
public sealed record BarRequest(
    Symbol Symbol,
    Timeframe Timeframe,
    DateTime? StartUtc = null,
    DateTime? EndUtc = null,
    PriceAdjustment Adjustment = PriceAdjustment.Split);

/// <summary>A bar that a data-quality check flagged (for example a bad print), with the reason.</summary>
public sealed record BarFlag(DateTime Timestamp, string Reason);

/// <summary>Bars for one symbol and timeframe, sorted by time, plus data-quality flags.</summary>
public sealed record BarSeries(
    Symbol Symbol,
    Timeframe Timeframe,
    IReadOnlyList<Bar> Bars,
    IReadOnlyList<BarFlag> Flags)
{
    /// <summary>The flags keyed by bar time (the first flag wins when a time is flagged twice).</summary>
    public Dictionary<DateTime, BarFlag> FlagsByTime()
    {
        var byTime = new Dictionary<DateTime, BarFlag>(Flags.Count);
        foreach (var flag in Flags)
        {
            byTime.TryAdd(flag.Timestamp, flag);
        }

        return byTime;
    }

    public bool IsFlagged(DateTime timestamp)
    {
        foreach (var f in Flags)
        {
            if (f.Timestamp == timestamp)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Something that serves historical bars (bundled CSV, a vendor, a cache).</summary>
public interface IBarSource
{
    /// <summary>Returns the bars in range. Throws <see cref="MarketDataException"/> for an unknown symbol or unsupported timeframe.</summary>
    Task<BarSeries> GetBarsAsync(BarRequest request, CancellationToken cancellationToken = default);
}

/// <summary>A market-data problem a user can fix (unknown symbol, malformed file, no data in range); the message says how.</summary>
public class MarketDataException(string message, Exception? inner = null) : Exception(message, inner);
