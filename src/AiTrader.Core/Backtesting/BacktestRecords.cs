using AiTrader.Core.Domain;

namespace AiTrader.Core.Backtesting;

/// <summary>Why a position was closed.</summary>
public static class ExitReasons
{
    public const string Stop = "stop";
    public const string Signal = "signal";
    public const string EndOfData = "end_of_data";
}

/// <summary>Why an order's remainder was cancelled.</summary>
public static class CancelReasons
{
    /// <summary>A day limit order, or the volume-capped remainder of an order, outlived its session.</summary>
    public const string SessionEnd = "session_end";

    /// <summary>An exit decided while an entry on that side was still working: the entry's rest is cancelled first.</summary>
    public const string Exit = "exit";

    /// <summary>A new entry on the same side replaced one still working.</summary>
    public const string Replaced = "replaced";
}

/// <summary>The unfilled <paramref name="Quantity"/> of order <paramref name="OrderId"/>, cancelled at <paramref name="Timestamp"/>
/// (the first bar of a later session, or the decision that cancelled it).</summary>
public sealed record Cancellation(string OrderId, decimal Quantity, DateTime Timestamp, string Reason);

/// <summary>A resting stop order moved to <paramref name="StopPrice"/> by the decision at <paramref name="Timestamp"/>
/// (it applies from the next bar).</summary>
public sealed record StopAmendment(string OrderId, DateTime Timestamp, decimal StopPrice, string Reason);

/// <summary>A completed round trip. <see cref="Pnl"/> is net of <see cref="Fees"/> (entry and exit commissions).</summary>
public sealed record TradeRecord(
    Symbol Symbol,
    PositionSide Side,
    decimal Quantity,
    DateTime EntryTime,
    decimal EntryPrice,
    DateTime ExitTime,
    decimal ExitPrice,
    decimal Pnl,
    decimal Fees,
    string ExitReason);

/// <summary>Mark-to-market account value at a bar's close.</summary>
/// <param name="Timestamp">The bar's timestamp (UTC).</param>
/// <param name="Equity">Cash plus every position marked at the close.</param>
/// <param name="GrossPositionValue">Sum of |position value| over the positions at the close.</param>
/// <remarks>A value type holding the raw amounts: the engine stores one per bar, so it must not allocate, and the
/// exposure ratio (a decimal division) is only worked out when a report asks for it.</remarks>
public readonly record struct EquityPoint(DateTime Timestamp, decimal Equity, decimal GrossPositionValue)
{
    /// <summary>Gross exposure: <see cref="GrossPositionValue"/> / <see cref="Equity"/>, 0 when equity is 0.</summary>
    public decimal GrossExposure => Equity == 0 ? 0m : GrossPositionValue / Equity;
}
