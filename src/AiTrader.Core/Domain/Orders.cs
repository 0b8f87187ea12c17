namespace AiTrader.Core.Domain;

public enum OrderSide
{
    Buy,
    Sell,
}

public static class OrderSides
{
    /// <summary>The other side: what closes or protects a position <paramref name="side"/> opened.</summary>
    public static OrderSide Opposite(this OrderSide side) => side == OrderSide.Buy ? OrderSide.Sell : OrderSide.Buy;
}

public enum OrderType
{
    Market,
    Stop,
    Limit,
}

public enum PositionSide
{
    Long,
    Short,
}

/// <summary>An order as sent to a broker (simulated or real). Quantity is always positive; the side gives direction.</summary>
public sealed record Order(
    string Id,
    Symbol Symbol,
    OrderSide Side,
    decimal Quantity,
    OrderType Type,
    DateTime CreatedAt,
    decimal? LimitPrice = null,
    decimal? StopPrice = null,
    string Reason = "");

/// <summary>An execution. <see cref="Fee"/> is the commission charged for this fill, in account currency.</summary>
public sealed record Fill(
    string OrderId,
    Symbol Symbol,
    OrderSide Side,
    decimal Quantity,
    decimal Price,
    decimal Fee,
    DateTime Timestamp);
