namespace AiTrader.Core.Brokers;

/// <summary>What happened to an order, as pushed by the broker's trade-updates stream.</summary>
public enum TradeUpdateEvent
{
    New,
    Fill,
    PartialFill,
    Canceled,
    Expired,
    DoneForDay,
    Replaced,
    Rejected,
    PendingNew,
    Stopped,
    PendingCancel,
    PendingReplace,
    Calculated,
    Suspended,
    OrderReplaceRejected,
    OrderCancelRejected,

    /// <summary>An event name this code does not know; <see cref="TradeUpdate.RawEvent"/> has it.</summary>
    Unknown,
}

/// <summary>One order event. Fills carry <see cref="Price"/> and <see cref="Quantity"/> of this execution and the
/// resulting signed <see cref="PositionQuantity"/>; <see cref="Order"/> is the order's state after the event.</summary>
public sealed record TradeUpdate(
    TradeUpdateEvent Event,
    string RawEvent,
    BrokerOrder Order,
    DateTime? Timestamp = null,
    decimal? Price = null,
    decimal? Quantity = null,
    decimal? PositionQuantity = null,
    string? ExecutionId = null);
