using AiTrader.Core.Domain;

namespace AiTrader.Core.Brokers;

/// <summary>A broker the execution agent trades through: the paper broker, Alpaca paper or Alpaca live.</summary>
/// <remarks>Implementations must make <see cref="SubmitOrderAsync"/> idempotent on
/// <see cref="BrokerOrderRequest.ClientOrderId"/>: resubmitting an id the broker already holds returns that
/// order instead of creating a second one, which is what makes crash-and-restart safe.</remarks>
public interface IBroker
{
    /// <summary>Short name for logs and journal lines, e.g. "alpaca-paper" or "paper".</summary>
    string Name { get; }

    Task<BrokerAccount> GetAccountAsync(CancellationToken cancellationToken = default);

    /// <summary>Submits an order; returns the existing order when the client order id is already known.</summary>
    Task<BrokerOrder> SubmitOrderAsync(BrokerOrderRequest request, CancellationToken cancellationToken = default);

    /// <summary>Orders filtered by status, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<BrokerOrder>> GetOrdersAsync(
        OrderStatusFilter status = OrderStatusFilter.Open, int limit = 500, CancellationToken cancellationToken = default);

    /// <summary>One order by broker id; throws <see cref="BrokerException"/> with <see cref="BrokerErrorKind.NotFound"/> when unknown.</summary>
    Task<BrokerOrder> GetOrderAsync(string orderId, CancellationToken cancellationToken = default);

    /// <summary>One order by the caller's client order id, or null when the broker has none with that id.</summary>
    Task<BrokerOrder?> FindOrderByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken = default);

    /// <summary>Requests cancellation. The final state arrives later (stream or polling);
    /// an order that is already final fails with <see cref="BrokerErrorKind.NotCancelable"/>.</summary>
    Task CancelOrderAsync(string orderId, CancellationToken cancellationToken = default);

    /// <summary>Replaces an open order's quantity or prices (a stop's level when it trails) and returns the order that now
    /// works: a new order id at a broker that replaces (Alpaca), the same order where it is amended in place.</summary>
    Task<BrokerOrder> ReplaceOrderAsync(string orderId, BrokerOrderReplacement replacement, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<BrokerPosition>> GetPositionsAsync(CancellationToken cancellationToken = default);

    /// <summary>Flattens one position with a market order and returns that order.</summary>
    Task<BrokerOrder> ClosePositionAsync(Symbol symbol, CancellationToken cancellationToken = default);

    Task<BrokerClock> GetClockAsync(CancellationToken cancellationToken = default);

    /// <summary>Trading days between two New York dates, inclusive.</summary>
    Task<IReadOnlyList<BrokerCalendarDay>> GetCalendarAsync(DateOnly start, DateOnly end, CancellationToken cancellationToken = default);

    /// <summary>Order events as they happen, in the broker's order. Ends when the connection closes or the token is cancelled;
    /// events missed while disconnected are not replayed, so reconcile with <see cref="GetOrdersAsync"/> after reconnecting.</summary>
    IAsyncEnumerable<TradeUpdate> StreamTradeUpdatesAsync(CancellationToken cancellationToken = default);
}
