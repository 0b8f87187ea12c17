namespace AiTrader.Core.Domain;

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
