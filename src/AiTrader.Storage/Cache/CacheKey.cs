using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;

namespace AiTrader.Storage;

/// <summary>What a cached series is: the vendor it came from, the symbol, the bar length and the price adjustment.</summary>
public sealed record CacheKey
{
    public CacheKey(string vendor, Symbol symbol, Timeframe timeframe, PriceAdjustment adjustment)
    {
        Vendor = CachePaths.ValidateVendor(vendor);
        if (symbol.Value is null)
        {
            throw new ArgumentException("Symbol must not be default.", nameof(symbol));
        }

        Symbol = symbol;
        Timeframe = timeframe;
        Adjustment = adjustment;
    }

    /// <summary>Lower-case vendor name such as <c>alpaca</c> or <c>sample</c> (letters, digits, '.', '_', '-').</summary>
    public string Vendor { get; }

    public Symbol Symbol { get; init; }

    public Timeframe Timeframe { get; init; }

    public PriceAdjustment Adjustment { get; init; }

    /// <summary>The interval as stored in the catalog and the cache path, e.g. <c>1Min</c> or <c>1Day</c>.</summary>
    public string Interval => Timeframe.ToString();

    /// <summary>The adjustment as stored in the catalog and the cache path: <c>raw</c> or <c>split</c>.</summary>
    public string AdjustmentName => CachePaths.AdjustmentName(Adjustment);

    public override string ToString() => $"{Vendor}/{Symbol}/{Interval}/{AdjustmentName}";
}
