using System.Runtime.CompilerServices;
using AiTrader.Core.Brokers;
using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Execution.Paper;

/// <summary>The simulated exchange behind the broker interface: what a caller that speaks <see cref="IBroker"/> (a
/// script, the API, a test) uses to trade on paper. It adds nothing to the exchange's rules; it maps orders and ids.</summary>
/// <remarks>
/// <list type="bullet">
/// <item>A market order that reduces the position is an exit (capped at the position); any other market or limit
/// order is an entry, with <see cref="BrokerOrderRequest.StopLoss"/> as the protective stop it places when it fills.
/// A stop order moves (or places) the position's protective stop.</item>
/// <item><see cref="SubmitOrderAsync"/> is idempotent on the client order id; <see cref="ReplaceOrderAsync"/> amends a stop
/// in place (the order keeps its id).</item>
/// <item>Fills happen when the trading loop drives the exchange with bars; the paper broker itself has no market. Its
/// events go to the loop that drives the exchange, so <see cref="StreamTradeUpdatesAsync"/> ends at once.</item>
/// </list>
/// </remarks>
public sealed class PaperBroker : IBroker
{
    private readonly ITradingCalendar _calendar;
    private readonly TimeProvider _clock;

    public PaperBroker(SimulatedExchange exchange, ITradingCalendar? calendar = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        Exchange = exchange;
        _calendar = calendar ?? exchange.Options.Calendar ?? NyseCalendar.Instance;
        _clock = clock ?? TimeProvider.System;
    }

    public SimulatedExchange Exchange { get; }

    public string Name => "paper";

    private DateTime Now => _clock.GetUtcNow().UtcDateTime;

    public Task<BrokerAccount> GetAccountAsync(CancellationToken cancellationToken = default)
    {
        var positions = Exchange.Books.Where(b => b.Sign != 0).ToList();
        var longValue = positions.Where(b => b.Sign > 0).Sum(b => b.Position * b.Mark);
        var shortValue = positions.Where(b => b.Sign < 0).Sum(b => b.Position * b.Mark);
        var cash = Exchange.Cash;
        var equity = Exchange.Equity;
        return Task.FromResult(new BrokerAccount("paper", "ACTIVE", "USD", equity, equity, cash, Math.Max(0, cash), Math.Max(0, cash),
            Math.Max(0, cash), 1m, longValue, shortValue, false, 0, false, false, false, false, Exchange.Options.AllowShort));
    }

    public Task<BrokerOrder> SubmitOrderAsync(BrokerOrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Exchange.FindByClientOrderId(request.ClientOrderId) is { } known)
        {
            return Task.FromResult(ToBroker(known));
        }

        request.Validate();
        var now = Now;
        var position = Exchange.PositionOf(request.Symbol);
        var reduces = request.Side == OrderSide.Sell ? position > 0 : position < 0;
        ExchangeOrder order;
        switch (request.Type)
        {
            case BrokerOrderType.Market when reduces && request.StopLoss is null:
                order = Exchange.SubmitExitOrder(new ExitTicket(request.Symbol, request.Side, Math.Min(request.Quantity, Math.Abs(position)),
                    now, "paper order", request.ClientOrderId));
                break;
            case BrokerOrderType.Market or BrokerOrderType.Limit:
                order = Exchange.SubmitEntryOrder(new EntryTicket(request.Symbol, request.Side, request.Quantity, request.LimitPrice,
                    request.StopLoss, now, "paper order", request.ClientOrderId, request.ClientOrderId + "-stop"));
                break;
            case BrokerOrderType.Stop:
                Exchange.MoveStop(new StopTicket(request.Symbol, request.Side, request.StopPrice!.Value, now, "paper order", request.ClientOrderId));
                order = Exchange.Book(request.Symbol).Stop
                    ?? throw new BrokerException(Name, BrokerErrorKind.Rejected, $"No {request.Symbol} position for a {request.Side} stop to protect.");
                break;
            default:
                throw new BrokerException(Name, BrokerErrorKind.Rejected, $"{request.Type} orders are not simulated by the paper broker.");
        }

        return Task.FromResult(ToBroker(order));
    }

    public Task<BrokerOrder> ReplaceOrderAsync(string orderId, BrokerOrderReplacement replacement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        var order = Find(orderId);
        if (order.Role != OrderRole.Stop || !order.IsOpen || replacement.StopPrice is not { } level)
        {
            throw new BrokerException(Name, BrokerErrorKind.Rejected, $"Order {orderId}: the paper broker replaces only the stop level of an open stop.");
        }

        Exchange.MoveStop(new StopTicket(order.Symbol, order.Side, level, Now, "paper replace", replacement.ClientOrderId));
        return Task.FromResult(ToBroker(order));
    }

    public Task<IReadOnlyList<BrokerOrder>> GetOrdersAsync(OrderStatusFilter status = OrderStatusFilter.Open, int limit = 500,
        CancellationToken cancellationToken = default)
    {
        IReadOnlyList<BrokerOrder> list = Enumerable.Reverse(Exchange.AllOrders)
            .Where(o => status == OrderStatusFilter.All || (status == OrderStatusFilter.Open) == o.IsOpen)
            .Take(limit)
            .Select(ToBroker)
            .ToList();
        return Task.FromResult(list);
    }

    public Task<BrokerOrder> GetOrderAsync(string orderId, CancellationToken cancellationToken = default) =>
        Task.FromResult(ToBroker(Find(orderId)));

    public Task<BrokerOrder?> FindOrderByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Exchange.FindByClientOrderId(clientOrderId) is { } o ? ToBroker(o) : null);

    public Task CancelOrderAsync(string orderId, CancellationToken cancellationToken = default)
    {
        var order = Find(orderId);
        if (!Exchange.Cancel(order, Now))
        {
            throw new BrokerException(Name, BrokerErrorKind.NotCancelable, $"Order {orderId} is already {order.Status}.");
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<BrokerPosition>> GetPositionsAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<BrokerPosition> list = Exchange.Books
            .Where(b => b.Sign != 0)
            .OrderBy(b => b.Symbol.Value, StringComparer.Ordinal)
            .Select(b =>
            {
                var average = Exchange.Portfolio.GetPosition(b.Symbol).AveragePrice;
                var mark = b.Mark != 0 ? b.Mark : average;
                return new BrokerPosition(b.Symbol, b.Position, average, mark, b.Position * mark, b.Position * average,
                    b.Position * (mark - average));
            })
            .ToList();
        return Task.FromResult(list);
    }

    public Task<BrokerOrder> ClosePositionAsync(Symbol symbol, CancellationToken cancellationToken = default)
    {
        var quantity = Exchange.PositionOf(symbol);
        if (quantity == 0)
        {
            throw new BrokerException(Name, BrokerErrorKind.NotFound, $"No open paper position in {symbol}.");
        }

        var id = FormattableString.Invariant($"close-{symbol}-{Now:yyyyMMddHHmmssfff}");
        return SubmitOrderAsync(new BrokerOrderRequest(id, symbol, quantity > 0 ? OrderSide.Sell : OrderSide.Buy, Math.Abs(quantity)),
            cancellationToken);
    }

    public Task<BrokerClock> GetClockAsync(CancellationToken cancellationToken = default)
    {
        var now = Now;
        var date = ExchangeTime.SessionDate(now);
        var today = _calendar.GetSession(date);
        var isOpen = today?.Contains(now) == true;
        var next = today is not null && now < today.OpenUtc
            ? today
            : _calendar.GetSessions(date.AddDays(1), date.AddDays(14)).FirstOrDefault();
        var nextClose = isOpen ? today!.CloseUtc : next?.CloseUtc ?? now;
        return Task.FromResult(new BrokerClock(now, isOpen, next?.OpenUtc ?? now, nextClose));
    }

    public Task<IReadOnlyList<BrokerCalendarDay>> GetCalendarAsync(DateOnly start, DateOnly end, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<BrokerCalendarDay> days = _calendar.GetSessions(start, end)
            .Select(s => new BrokerCalendarDay(s.Date, s.OpenUtc, s.CloseUtc, s.PremarketOpenUtc, s.AfterHoursCloseUtc))
            .ToList();
        return Task.FromResult(days);
    }

    public async IAsyncEnumerable<TradeUpdate> StreamTradeUpdatesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // The exchange reports its events to the trading loop that drives it; there is no separate connection to follow.
        await Task.CompletedTask.ConfigureAwait(false);
        yield break;
    }

    private ExchangeOrder Find(string orderId) =>
        Exchange.FindById(orderId) ?? throw new BrokerException(Name, BrokerErrorKind.NotFound, $"No paper order with id {orderId}.");

    /// <summary>An exchange order as a broker reports it.</summary>
    public static BrokerOrder ToBroker(ExchangeOrder o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return new BrokerOrder(
            o.Id,
            o.ClientOrderId ?? o.Id,
            o.Symbol,
            o.Side,
            o.Order.Type switch
            {
                OrderType.Limit => BrokerOrderType.Limit,
                OrderType.Stop => BrokerOrderType.Stop,
                _ => BrokerOrderType.Market,
            },
            o.Role == OrderRole.Stop ? TimeInForce.Gtc : TimeInForce.Day,
            o.Status switch
            {
                ExchangeOrderStatus.New => BrokerOrderStatus.New,
                ExchangeOrderStatus.PartiallyFilled => BrokerOrderStatus.PartiallyFilled,
                ExchangeOrderStatus.Filled => BrokerOrderStatus.Filled,
                ExchangeOrderStatus.Cancelled => BrokerOrderStatus.Cancelled,
                _ => BrokerOrderStatus.Rejected,
            },
            o.Quantity,
            o.Filled,
            o.AverageFillPrice,
            o.Order.LimitPrice,
            o.StopLevel,
            o.Order.CreatedAt,
            o.UpdatedAt,
            o.Order.CreatedAt,
            o.Filled > 0 ? o.UpdatedAt : null);
    }
}
