using AiTrader.Core.Domain;

namespace AiTrader.Core.Strategies;

/// <summary>What a strategy may see at the close of a bar: the bars so far, its position, the account and its resting stop.</summary>
/// <param name="Symbol">The traded symbol.</param>
/// <param name="Timeframe">The bar length.</param>
/// <param name="Bars">Every accepted bar up to and including the current one; the driver never puts a later bar in it,
/// so a strategy cannot look ahead by indexing.</param>
/// <param name="PositionQuantity">Signed shares held: positive long, negative short, zero flat.</param>
/// <param name="Cash">Account cash after every fill so far.</param>
/// <param name="Equity">Cash plus the position marked at the current close.</param>
/// <param name="ProtectiveStop">The resting stop level of the open position, or null when there is none.</param>
/// <param name="AllowShort">Whether the account may open short positions.</param>
public sealed record StrategyContext(
    Symbol Symbol,
    Timeframe Timeframe,
    IReadOnlyList<Bar> Bars,
    decimal PositionQuantity,
    decimal Cash,
    decimal Equity,
    decimal? ProtectiveStop,
    bool AllowShort)
{
    /// <summary>The bar that just closed.</summary>
    public Bar Bar => Bars[^1];

    /// <summary>Zero-based index of the current bar among the accepted bars.</summary>
    public int BarIndex => Bars.Count - 1;

    public bool IsFlat => PositionQuantity == 0;

    public bool IsLong => PositionQuantity > 0;

    public bool IsShort => PositionQuantity < 0;
}
