using AiTrader.Core.Domain;

namespace AiTrader.Core.Backtesting;

/// <summary>Why a position was closed.</summary>
public static class ExitReasons
{
    public const string Stop = "stop";
    public const string Signal = "signal";
    public const string EndOfData = "end_of_data";
}

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

/// <summary>Mark-to-market account value at a bar's close. <see cref="GrossExposure"/> is |position value| / equity.</summary>
public sealed record EquityPoint(DateTime Timestamp, decimal Equity, decimal GrossExposure);
