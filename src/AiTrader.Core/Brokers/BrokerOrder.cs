using AiTrader.Core.Domain;

namespace AiTrader.Core.Brokers;

/// <summary>Where an order is in its life at the broker.</summary>
public enum BrokerOrderStatus
{
    PendingNew,
    Accepted,
    New,
    PartiallyFilled,
    Filled,
    DoneForDay,
    PendingCancel,
    Cancelled,
    Expired,
    PendingReplace,
    Replaced,
    Rejected,
    Suspended,
    Stopped,
    Calculated,
    AcceptedForBidding,

    /// <summary>A bracket leg waiting for its parent to fill.</summary>
    Held,

    /// <summary>A status this code does not know yet; treat as open and re-read the order.</summary>
    Unknown,
}

/// <summary>Which orders <see cref="IBroker.GetOrdersAsync"/> returns.</summary>
public enum OrderStatusFilter
{
    Open,
    Closed,
    All,
}

/// <summary>Status helpers shared by every broker.</summary>
public static class BrokerOrderStatusExtensions
{
    /// <summary>True when the order can no longer fill: filled, cancelled, expired, replaced or rejected.</summary>
    public static bool IsTerminal(this BrokerOrderStatus status) =>
        status is BrokerOrderStatus.Filled or BrokerOrderStatus.Cancelled or BrokerOrderStatus.Expired
            or BrokerOrderStatus.Replaced or BrokerOrderStatus.Rejected;
}

/// <summary>An order as the broker reports it. Quantities are positive; <see cref="Side"/> gives direction; times are UTC.</summary>
/// <param name="Quantity">Ordered shares; 0 for a dollar-notional order (see <see cref="Notional"/>).</param>
/// <param name="AverageFillPrice">Volume-weighted price of the fills so far, null before the first fill.</param>
/// <param name="Legs">The child orders of a bracket (take-profit and stop-loss), empty for simple orders.</param>
public sealed record BrokerOrder(
    string Id,
    string ClientOrderId,
    Symbol Symbol,
    OrderSide Side,
    BrokerOrderType Type,
    TimeInForce TimeInForce,
    BrokerOrderStatus Status,
    decimal Quantity,
    decimal FilledQuantity,
    decimal? AverageFillPrice,
    decimal? LimitPrice,
    decimal? StopPrice,
    DateTime CreatedAt,
    DateTime? UpdatedAt = null,
    DateTime? SubmittedAt = null,
    DateTime? FilledAt = null,
    BrokerOrderClass OrderClass = BrokerOrderClass.Simple,
    decimal? Notional = null,
    IReadOnlyList<BrokerOrder>? Legs = null)
{
    /// <summary>Child orders, never null.</summary>
    public IReadOnlyList<BrokerOrder> Legs { get; init; } = Legs ?? [];

    public decimal RemainingQuantity => Math.Max(0, Quantity - FilledQuantity);

    public bool IsTerminal => Status.IsTerminal();
}
