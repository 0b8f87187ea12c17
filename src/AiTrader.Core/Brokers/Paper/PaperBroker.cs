using System.Runtime.CompilerServices;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Brokers.Paper;

/// <summary>An in-memory, deterministic broker that fills orders against bars fed by the driver, with the backtester's fill model.</summary>
/// <remarks>
/// Conventions (the same as <see cref="BacktestEngine"/>'s simulated broker, so a replay books the backtest's trades):
/// <list type="bullet">
/// <item>Only regular-session bars (per the calendar) execute anything; pre-market and after-hours bars are ignored.</item>
/// <item>A market order fills at the open of the next accepted bar of its symbol, buys at open × (1 + bps/10000) and
/// sells at open × (1 − bps/10000), rounded to 4 dp half away from zero. Orders that reduce a position fill before
/// orders that open one. A buy that opens a long is cut to what cash pays for, commission included (a cash account).</item>
/// <item>A stop rests from the bar after it was placed. A sell stop triggers when low ≤ stop and fills at the stop, or at
/// the slipped open when the bar opens at or through it (a gap); buy stops mirror with high ≥ stop. Stops only ever
/// reduce a position and are cancelled once the symbol is flat.</item>
/// <item>With <see cref="BacktestOptions.MaxVolumeShare"/> an order takes at most <see cref="FillModel.VolumeCap"/> shares
/// from a bar (each at that bar's price); the rest fills on later bars of the same session, and what is left at the
/// close is cancelled. States: New → PartiallyFilled → Filled / Cancelled.</item>
/// <item>Commission per fill = max(MinCommission, CommissionPerShare × quantity).</item>
/// <item><see cref="SubmitOrderAsync"/> is idempotent on the client order id.</item>
/// </list>
/// The broker is driven from one thread; it is not thread-safe.
/// </remarks>
public sealed class PaperBroker : IBroker
{
    private readonly BacktestOptions _options;
    private readonly FillModel _fillModel;
    private readonly ITradingCalendar _calendar;
    private readonly List<BrokerOrder> _orders = [];
    private readonly Dictionary<string, int> _byClientId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _byId = new(StringComparer.Ordinal);
    private readonly List<PaperFill> _fills = [];
    private readonly RoundTripLedger _roundTrips = new();
    private readonly Dictionary<Symbol, decimal> _lastPrices = [];
    private readonly Queue<TradeUpdate> _updates = new();
    private Portfolio _portfolio;
    private DateTime _now;

    public PaperBroker(BacktestOptions? options = null, ITradingCalendar? calendar = null)
    {
        _options = (options ?? new BacktestOptions()).Validate();
        _fillModel = new FillModel(_options);
        _calendar = calendar ?? NyseCalendar.Instance;
        _portfolio = new Portfolio(_options.InitialCapital);
        _now = DateTime.SpecifyKind(DateTime.UnixEpoch, DateTimeKind.Utc);
    }

    public string Name => "paper";

    public BacktestOptions Options => _options;

    /// <summary>The broker's clock: the time of the last accepted bar (or the restored snapshot's).</summary>
    public DateTime Now => _now;

    /// <summary>The replay cursor the driver stores with the snapshot: the last bar it finished processing.</summary>
    public DateTime? LastProcessedUtc { get; set; }

    public decimal Cash => _portfolio.Cash;

    public IReadOnlyList<BrokerOrder> Orders => _orders;

    public IReadOnlyList<PaperFill> Fills => _fills;

    /// <summary>Completed round trips, booked exactly as the backtester books them.</summary>
    public IReadOnlyList<TradeRecord> Trades => _roundTrips.Closed;

    public decimal PositionOf(Symbol symbol) => _portfolio.GetPosition(symbol).Quantity;

    public decimal? LastPrice(Symbol symbol) => _lastPrices.TryGetValue(symbol, out var p) ? p : null;

    /// <summary>Cash plus every position marked at its last accepted close.</summary>
    public decimal Equity => _portfolio.Cash + _portfolio.Positions.Sum(p => p.Quantity * (LastPrice(p.Symbol) ?? p.AveragePrice));

    /// <summary>The resting stop level of <paramref name="symbol"/>'s open protective stop, or null.</summary>
    public decimal? ProtectiveStop(Symbol symbol) =>
        _orders.LastOrDefault(o => o.Symbol == symbol && o.Type == BrokerOrderType.Stop && !o.IsTerminal)?.StopPrice;

    /// <summary>Executes what rests for <paramref name="symbol"/> against <paramref name="bar"/>; returns the events it caused.
    /// A bar outside the regular session changes nothing and returns no events.</summary>
    public IReadOnlyList<TradeUpdate> OnBar(Symbol symbol, Bar bar)
    {
        if (!IsRegularSession(bar.Timestamp))
        {
            return [];
        }

        var before = _updates.Count;
        CancelSessionRemainders(bar.Timestamp, symbol);
        _now = bar.Timestamp;
        // Each order takes at most the cap from this bar (FillModel.VolumeCap, the backtester's rule).
        var volume = _fillModel.VolumeCap(bar.Volume);
        // A stop that triggered but could not fill whole (volume cap) works its rest like a market order.
        var markets = OpenOrders(symbol, BrokerOrderType.Market)
            .Concat(OpenOrders(symbol, BrokerOrderType.Stop).Where(i => _orders[i].FilledQuantity > 0))
            .OrderBy(i => Reduces(_orders[i].Side, PositionOf(symbol)) ? 0 : 1)
            .ThenBy(i => i)
            .ToList();
        foreach (var i in markets)
        {
            FillMarket(i, bar, volume);
        }

        foreach (var i in OpenOrders(symbol, BrokerOrderType.Stop).Where(i => _orders[i].FilledQuantity == 0))
        {
            TriggerStop(i, bar, volume);
        }

        if (PositionOf(symbol) == 0)
        {
            foreach (var i in OpenOrders(symbol, BrokerOrderType.Stop))
            {
                Finish(i, BrokerOrderStatus.Cancelled, TradeUpdateEvent.Canceled);
            }
        }

        _lastPrices[symbol] = bar.Close;
        return _updates.Skip(before).ToList();
    }

    /// <summary>Takes every queued event (fills, cancels, rejects, acknowledgements) in the order they happened.</summary>
    public IReadOnlyList<TradeUpdate> DrainTradeUpdates()
    {
        var list = _updates.ToList();
        _updates.Clear();
        return list;
    }

    public Task<BrokerAccount> GetAccountAsync(CancellationToken cancellationToken = default)
    {
        var longValue = _portfolio.Positions.Where(p => p.Quantity > 0).Sum(p => p.Quantity * (LastPrice(p.Symbol) ?? p.AveragePrice));
        var shortValue = _portfolio.Positions.Where(p => p.Quantity < 0).Sum(p => p.Quantity * (LastPrice(p.Symbol) ?? p.AveragePrice));
        var cash = _portfolio.Cash;
        return Task.FromResult(new BrokerAccount("paper", "ACTIVE", "USD", Equity, Equity, cash, Math.Max(0, cash), Math.Max(0, cash),
            Math.Max(0, cash), 1m, longValue, shortValue, false, 0, false, false, false, false, _options.AllowShort));
    }

    public Task<BrokerOrder> SubmitOrderAsync(BrokerOrderRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_byClientId.TryGetValue(request.ClientOrderId, out var existing))
        {
            return Task.FromResult(_orders[existing]);
        }

        request.Validate();
        var order = new BrokerOrder($"paper-{_orders.Count + 1}", request.ClientOrderId, request.Symbol, request.Side, request.Type,
            request.TimeInForce, BrokerOrderStatus.New, request.Quantity, 0m, null, request.LimitPrice, request.StopPrice,
            _now, _now, _now);
        var rejection = request switch
        {
            { Bracket: not null } => "bracket orders are not simulated by the paper broker",
            { Type: not (BrokerOrderType.Market or BrokerOrderType.Stop) } => $"{request.Type} orders are not simulated by the paper broker",
            { ExtendedHours: true } => "the paper broker fills in the regular session only",
            _ => null,
        };
        _orders.Add(rejection is null ? order : order with { Status = BrokerOrderStatus.Rejected });
        _byClientId[order.ClientOrderId] = _orders.Count - 1;
        _byId[order.Id] = _orders.Count - 1;
        _updates.Enqueue(new TradeUpdate(rejection is null ? TradeUpdateEvent.New : TradeUpdateEvent.Rejected,
            rejection ?? "new", _orders[^1], _now));
        return Task.FromResult(_orders[^1]);
    }

    public Task<IReadOnlyList<BrokerOrder>> GetOrdersAsync(OrderStatusFilter status = OrderStatusFilter.Open, int limit = 500,
        CancellationToken cancellationToken = default)
    {
        IReadOnlyList<BrokerOrder> list = Enumerable.Reverse(_orders)
            .Where(o => status == OrderStatusFilter.All || (status == OrderStatusFilter.Open) != o.IsTerminal)
            .Take(limit)
            .ToList();
        return Task.FromResult(list);
    }

    public Task<BrokerOrder> GetOrderAsync(string orderId, CancellationToken cancellationToken = default) =>
        _byId.TryGetValue(orderId, out var i)
            ? Task.FromResult(_orders[i])
            : throw new BrokerException(Name, BrokerErrorKind.NotFound, $"No paper order with id {orderId}.");

    public Task<BrokerOrder?> FindOrderByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_byClientId.TryGetValue(clientOrderId, out var i) ? _orders[i] : null);

    public Task CancelOrderAsync(string orderId, CancellationToken cancellationToken = default)
    {
        if (!_byId.TryGetValue(orderId, out var i))
        {
            throw new BrokerException(Name, BrokerErrorKind.NotFound, $"No paper order with id {orderId}.");
        }

        if (_orders[i].IsTerminal)
        {
            throw new BrokerException(Name, BrokerErrorKind.NotCancelable, $"Order {orderId} is already {_orders[i].Status}.");
        }

        // A simulated venue has no cancel race: the order is cancelled at once.
        Finish(i, BrokerOrderStatus.Cancelled, TradeUpdateEvent.Canceled);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<BrokerPosition>> GetPositionsAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<BrokerPosition> list = _portfolio.Positions
            .Where(p => p.Quantity != 0)
            .OrderBy(p => p.Symbol.Value, StringComparer.Ordinal)
            .Select(p =>
            {
                var mark = LastPrice(p.Symbol) ?? p.AveragePrice;
                return new BrokerPosition(p.Symbol, p.Quantity, p.AveragePrice, mark, p.Quantity * mark,
                    p.Quantity * p.AveragePrice, p.Quantity * (mark - p.AveragePrice));
            })
            .ToList();
        return Task.FromResult(list);
    }

    public Task<BrokerOrder> ClosePositionAsync(Symbol symbol, CancellationToken cancellationToken = default)
    {
        var quantity = PositionOf(symbol);
        if (quantity == 0)
        {
            throw new BrokerException(Name, BrokerErrorKind.NotFound, $"No open paper position in {symbol}.");
        }

        var id = FormattableString.Invariant($"close-{symbol}-{_now:yyyyMMddHHmmss}");
        return SubmitOrderAsync(new BrokerOrderRequest(id, symbol, quantity > 0 ? OrderSide.Sell : OrderSide.Buy, Math.Abs(quantity)),
            cancellationToken);
    }

    public Task<BrokerClock> GetClockAsync(CancellationToken cancellationToken = default)
    {
        var date = ExchangeTime.SessionDate(_now);
        var today = _calendar.GetSession(date);
        var isOpen = IsRegularSession(_now);
        // The next open is today's when it is still ahead, else the first session within the next two weeks.
        var next = today is not null && _now < today.OpenUtc
            ? today
            : _calendar.GetSessions(date.AddDays(1), date.AddDays(14)).FirstOrDefault();
        var nextClose = isOpen ? today!.CloseUtc : next?.CloseUtc ?? _now;
        return Task.FromResult(new BrokerClock(_now, isOpen, next?.OpenUtc ?? _now, nextClose));
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
        // The paper venue has no connection: the stream is what has queued up, and it ends when drained.
        foreach (var update in DrainTradeUpdates())
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return update;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>The state to persist; restoring it with <see cref="FromState"/> gives an equivalent broker.</summary>
    public PaperBrokerState ExportState() =>
        new(_options.InitialCapital, _orders.ToList(), _fills.ToList(),
            _lastPrices.ToDictionary(kv => kv.Key.Value, kv => kv.Value, StringComparer.Ordinal), _now, LastProcessedUtc);

    /// <summary>Rebuilds a broker from a snapshot by re-booking its fills; the costs come from <paramref name="options"/>.</summary>
    public static PaperBroker FromState(PaperBrokerState state, BacktestOptions? options = null, ITradingCalendar? calendar = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var broker = new PaperBroker((options ?? new BacktestOptions()) with { InitialCapital = state.InitialCash }, calendar);
        foreach (var order in state.Orders)
        {
            broker._orders.Add(order);
            broker._byClientId[order.ClientOrderId] = broker._orders.Count - 1;
            broker._byId[order.Id] = broker._orders.Count - 1;
        }

        foreach (var fill in state.Fills)
        {
            broker.Book(fill);
        }

        foreach (var (symbol, price) in state.LastPrices)
        {
            broker._lastPrices[new Symbol(symbol)] = price;
        }

        broker._now = state.Now ?? broker._now;
        broker.LastProcessedUtc = state.LastProcessedUtc;
        return broker;
    }

    private IEnumerable<int> OpenOrders(Symbol symbol, BrokerOrderType type)
    {
        var list = new List<int>();
        for (var i = 0; i < _orders.Count; i++)
        {
            var o = _orders[i];
            if (o.Symbol == symbol && o.Type == type && !o.IsTerminal && o.CreatedAt < _now)
            {
                list.Add(i);
            }
        }

        return list;
    }

    private void FillMarket(int index, Bar bar, decimal volumeCap)
    {
        var order = _orders[index];
        var position = PositionOf(order.Symbol);
        var price = _fillModel.SlippedPrice(order.Side, bar.Open);
        var wanted = order.RemainingQuantity;
        decimal quantity;
        if (Reduces(order.Side, position))
        {
            // Never cross zero in one fill: an exit is sized to the position, like the backtester's.
            quantity = Math.Min(wanted, Math.Abs(position));
        }
        else if (order.Side == OrderSide.Sell && !_options.AllowShort)
        {
            quantity = 0;
        }
        else
        {
            quantity = order.Side == OrderSide.Buy ? _fillModel.AffordableQuantity(wanted, price, _portfolio.Cash) : wanted;
        }

        if (quantity <= 0)
        {
            Finish(index, BrokerOrderStatus.Cancelled, TradeUpdateEvent.Canceled);
            return;
        }

        var take = Math.Min(quantity, volumeCap);
        if (take <= 0)
        {
            return; // the bar's volume is used up: the order waits for the next bar
        }

        // Cut by cash or by the position (not by volume): the rest of the order is cancelled after this fill.
        Execute(index, take, price, order.Type == BrokerOrderType.Stop ? ExitReasons.Stop : ExitReasons.Signal, cancelRest: quantity < wanted && take == quantity);
    }

    private void TriggerStop(int index, Bar bar, decimal volumeCap)
    {
        var order = _orders[index];
        var position = PositionOf(order.Symbol);
        if (order.StopPrice is not { } stop || !Reduces(order.Side, position))
        {
            return;
        }

        decimal? price = null;
        if (order.Side == OrderSide.Sell && bar.Low <= stop)
        {
            price = bar.Open <= stop ? _fillModel.SlippedPrice(OrderSide.Sell, bar.Open) : stop;
        }
        else if (order.Side == OrderSide.Buy && bar.High >= stop)
        {
            price = bar.Open >= stop ? _fillModel.SlippedPrice(OrderSide.Buy, bar.Open) : stop;
        }

        if (price is not { } p)
        {
            return;
        }

        var quantity = Math.Min(order.Quantity, Math.Abs(position));
        var take = Math.Min(quantity, volumeCap);
        if (take > 0)
        {
            Execute(index, take, p, ExitReasons.Stop, cancelRest: quantity < order.Quantity && take == quantity);
        }
    }

    private void Execute(int index, decimal quantity, decimal price, string exitReason, bool cancelRest)
    {
        var order = _orders[index];
        var fill = new PaperFill(order.Id, order.ClientOrderId, order.Symbol, order.Side, quantity, price,
            _fillModel.Commission(quantity), _now, exitReason);
        Book(fill);
        var filled = order.FilledQuantity + quantity;
        var complete = filled >= order.Quantity;
        var updated = order with
        {
            Status = complete ? BrokerOrderStatus.Filled : BrokerOrderStatus.PartiallyFilled,
            FilledQuantity = filled,
            AverageFillPrice = ((order.AverageFillPrice ?? 0m) * order.FilledQuantity + price * quantity) / filled,
            FilledAt = _now,
            UpdatedAt = _now,
        };
        _orders[index] = updated;
        var executions = _fills.Count(f => f.OrderId == order.Id);
        _updates.Enqueue(new TradeUpdate(complete ? TradeUpdateEvent.Fill : TradeUpdateEvent.PartialFill,
            complete ? "fill" : "partial_fill", updated, _now, price, quantity, PositionOf(order.Symbol),
            FormattableString.Invariant($"{order.Id}-x{executions}")));
        if (!complete && cancelRest)
        {
            // A fill cut short by cash, or an exit larger than the position, ends the order: the rest is cancelled.
            Finish(index, BrokerOrderStatus.Cancelled, TradeUpdateEvent.Canceled);
        }
    }

    /// <summary>Cancels the unfilled rest of orders that started filling in a session that has ended (a volume-capped order
    /// does not carry over to the next day); the cancel is stamped at that session's close.</summary>
    /// <param name="utc">The time now: every partially filled order whose fills are from an earlier session is cancelled.</param>
    /// <param name="symbol">Only this symbol's orders; null for all.</param>
    public IReadOnlyList<TradeUpdate> CancelSessionRemainders(DateTime utc, Symbol? symbol = null)
    {
        var before = _updates.Count;
        var today = ExchangeTime.SessionDate(utc);
        for (var i = 0; i < _orders.Count; i++)
        {
            var o = _orders[i];
            if (o.IsTerminal || o.FilledQuantity == 0 || o.FilledAt is not { } at || (symbol is { } only && o.Symbol != only))
            {
                continue;
            }

            var close = _calendar.GetSession(ExchangeTime.SessionDate(at))?.CloseUtc ?? at;
            if (ExchangeTime.SessionDate(at) < today || utc >= close)
            {
                Finish(i, BrokerOrderStatus.Cancelled, TradeUpdateEvent.Canceled, close);
            }
        }

        return _updates.Skip(before).ToList();
    }

    private void Finish(int index, BrokerOrderStatus status, TradeUpdateEvent @event, DateTime? at = null)
    {
        var when = at ?? _now;
        var updated = _orders[index] with { Status = status, UpdatedAt = when };
        _orders[index] = updated;
        _updates.Enqueue(new TradeUpdate(@event, @event.ToString().ToLowerInvariant(), updated, when));
    }


    /// <summary>Books one fill into cash, positions and round trips, exactly as the backtester's simulated broker does.</summary>
    private void Book(PaperFill paper)
    {
        var fill = paper.ToFill();
        _portfolio.Apply(fill);
        _fills.Add(paper);
        // Fills never go through flat here (an exit is sized to the position), so the ledger's trades are the backtester's.
        _roundTrips.Book(fill, paper.ExitReason);
    }

    /// <summary>True when <paramref name="utc"/> lies in a regular session (open inclusive, close exclusive).</summary>
    public bool IsRegularSession(DateTime utc) =>
        _calendar.IsInRegularSession(utc);

    private static bool Reduces(OrderSide side, decimal position) =>
        (side == OrderSide.Sell && position > 0) || (side == OrderSide.Buy && position < 0);
}
