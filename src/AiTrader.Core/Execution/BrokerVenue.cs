using System.Collections.Concurrent;
using System.Globalization;
using AiTrader.Core.Brokers;
using AiTrader.Core.Domain;
using AiTrader.Core.Risk;

namespace AiTrader.Core.Execution;

/// <summary>A real broker (Alpaca paper or live) as the trading loop's venue: the router's commands are queued during a
/// bar time and sent by <see cref="FlushAsync"/>; fills arrive on the broker's trade-updates stream and are reconciled
/// against its orders on every <see cref="RefreshAsync"/>.</summary>
/// <remarks>
/// <list type="bullet">
/// <item>An entry is sent as a market or limit order; its protective stop goes with it as Alpaca's one-triggers-other
/// (<c>oto</c>) stop loss, so it rests from the moment the entry fills.</item>
/// <item>A stop move replaces the resting stop (Alpaca's replace call, a new order id), never cancel-and-resubmit.</item>
/// <item>An exit first cancels the position's stop (the broker holds the shares for it) and then sells at market.</item>
/// <item>Fills are paired into round trips by <see cref="RoundTripLedger"/>, the same pairing as the simulated exchange.
/// An order whose filled quantity grew without a stream event (the socket was down) yields a fill event for the
/// difference, priced so that it explains the order's new average, keyed <c>reconciled-&lt;filled quantity&gt;</c>; a
/// stream event for a quantity already reconciled is dropped. So each share filled is reported once.</item>
/// </list>
/// </remarks>
public sealed class BrokerVenue : IExecutionVenue, IAsyncDisposable
{
    private readonly ConcurrentQueue<TradeUpdate> _incoming = new();
    private readonly Dictionary<string, decimal> _filled = new(StringComparer.Ordinal);
    private readonly Dictionary<string, decimal> _filledValue = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _reasons = new(StringComparer.Ordinal);
    private readonly Dictionary<Symbol, decimal> _positions = [];
    private readonly Dictionary<Symbol, decimal> _marks = [];
    private readonly List<BrokerOrder> _open = [];
    private readonly List<Func<CancellationToken, Task>> _commands = [];
    private readonly List<ExecutionEvent> _events = [];
    private readonly RoundTripLedger _ledger = new();
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Func<BrokerOrder, bool> _owned;
    private Task? _reader;
    private bool _carried;

    /// <param name="owned">Which orders this run follows (e.g. client order ids with the run's prefix); default all.</param>
    public BrokerVenue(IBroker broker, Func<BrokerOrder, bool>? owned = null)
    {
        ArgumentNullException.ThrowIfNull(broker);
        Broker = broker;
        _owned = owned ?? (_ => true);
    }

    public IBroker Broker { get; }

    public decimal Cash { get; private set; }

    public decimal Equity
    {
        get
        {
            lock (_gate)
            {
                var equity = Cash;
                foreach (var (symbol, quantity) in _positions)
                {
                    equity += quantity * _marks.GetValueOrDefault(symbol);
                }

                return equity;
            }
        }
    }

    /// <summary>Set when the trade-updates stream ended with an error (the loop keeps trading on REST reconciliation).</summary>
    public Exception? StreamFault { get; private set; }

    public IReadOnlyList<ExecutionEvent> PendingEvents => _events;

    public void ClearEvents() => _events.Clear();

    /// <summary>Reads the account and starts listening to trade updates in the background.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        // Orders already at the broker were filled before this run looked: this first read records them as known, so
        // they are history rather than events of this session.
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        _reader = Task.Run(() => ReadUpdatesAsync(_stopping.Token), CancellationToken.None);
    }

    public void Mark(Symbol symbol, decimal close)
    {
        lock (_gate)
        {
            _marks[symbol] = close;
        }
    }

    public decimal PositionOf(Symbol symbol)
    {
        lock (_gate)
        {
            return _positions.GetValueOrDefault(symbol);
        }
    }

    public decimal? ProtectiveStopOf(Symbol symbol)
    {
        lock (_gate)
        {
            return OpenStop(symbol)?.StopPrice;
        }
    }

    public bool HasWorkingEntry(Symbol symbol, OrderSide side)
    {
        lock (_gate)
        {
            return _open.Any(o => IsWorkingEntry(o, symbol, side));
        }
    }

    public bool HasWorkingExit(Symbol symbol, OrderSide side)
    {
        lock (_gate)
        {
            return _open.Any(o => o.Symbol == symbol && o.Side == side && o.Type == BrokerOrderType.Market && Reduces(o));
        }
    }

    public void CancelWorkingEntries(Symbol symbol, OrderSide side, DateTime at, string reason)
    {
        List<BrokerOrder> entries;
        lock (_gate)
        {
            entries = _open.Where(o => IsWorkingEntry(o, symbol, side)).ToList();
            _open.RemoveAll(entries.Contains);
        }

        foreach (var entry in entries)
        {
            _reasons[entry.Id] = reason;
            _commands.Add(ct => CancelQuietlyAsync(entry.Id, ct));
        }
    }

    public void SubmitEntry(EntryTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        var request = new BrokerOrderRequest(ClientIdOr(ticket.ClientOrderId), ticket.Symbol, ticket.Side,
            ticket.Quantity, ticket.LimitPrice is null ? BrokerOrderType.Market : BrokerOrderType.Limit,
            ticket.LimitPrice is null ? TimeInForce.Gtc : TimeInForce.Day, LimitPrice: ticket.LimitPrice, StopLoss: ticket.StopPrice);
        Queue(request, ticket.Reason, ticket.DecisionTime);
    }

    public void SubmitExit(ExitTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        BrokerOrder? stop;
        lock (_gate)
        {
            stop = OpenStop(ticket.Symbol);
        }

        if (stop is not null)
        {
            // The broker holds the position's shares for its stop: release them before selling at market.
            _reasons[stop.Id] = CancelReasons.Exit;
            _commands.Add(ct => CancelQuietlyAsync(stop.Id, ct));
        }

        Queue(new BrokerOrderRequest(ClientIdOr(ticket.ClientOrderId), ticket.Symbol, ticket.Side, ticket.Quantity,
            TimeInForce: TimeInForce.Gtc), ticket.Reason, ticket.DecisionTime);
    }

    public void MoveStop(in StopTicket move)
    {
        var ticket = move; // the commands run later, after the bar time: they keep their own copy
        BrokerOrder? stop;
        decimal position;
        lock (_gate)
        {
            stop = OpenStop(ticket.Symbol);
            position = _positions.GetValueOrDefault(ticket.Symbol);
        }

        if (stop is not null)
        {
            _commands.Add(async ct =>
            {
                var replacing = await Broker.ReplaceOrderAsync(stop.Id, new BrokerOrderReplacement(StopPrice: ticket.StopPrice,
                    ClientOrderId: ticket.ClientOrderId), ct).ConfigureAwait(false);
                _reasons[replacing.Id] = ticket.Reason;
                lock (_gate)
                {
                    _open.Remove(stop);
                    _open.Add(replacing);
                }

                _events.Add(new ExecutionEvent(ExecutionEventKind.StopMoved, ticket.DecisionTime, ToOrder(replacing, ticket.Reason),
                    replacing.ClientOrderId, Reason: ticket.Reason, Price: ticket.StopPrice));
            });
            return;
        }

        if (position != 0)
        {
            Queue(new BrokerOrderRequest(ClientIdOr(ticket.ClientOrderId), ticket.Symbol, ticket.Side,
                Math.Abs(position), BrokerOrderType.Stop, TimeInForce.Gtc, StopPrice: ticket.StopPrice), ticket.Reason, ticket.DecisionTime);
        }
    }

    public AccountSnapshot Snapshot()
    {
        lock (_gate)
        {
            var positions = _positions.Where(p => p.Value != 0)
                .ToDictionary(p => p.Key, p => new PositionSnapshot(p.Value, _marks.GetValueOrDefault(p.Key)));
            return new AccountSnapshot(Equity, Cash, positions);
        }
    }

    public void EndSession(DateTime closeUtc)
    {
        // The broker expires day orders itself and reports it on the stream.
    }

    /// <summary>Sends the commands the router queued during the bar time, in order. A refusal becomes a rejected event.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var commands = _commands.ToList();
        _commands.Clear();
        foreach (var command in commands)
        {
            await command(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Brings cash, positions and open orders up to date and reconciles fills the stream did not report.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var account = await Broker.GetAccountAsync(cancellationToken).ConfigureAwait(false);
        var positions = await Broker.GetPositionsAsync(cancellationToken).ConfigureAwait(false);
        var orders = await Broker.GetOrdersAsync(OrderStatusFilter.All, cancellationToken: cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            Cash = account.Cash;
            _positions.Clear();
            foreach (var p in positions)
            {
                _positions[p.Symbol] = p.Quantity;
                if (!_marks.ContainsKey(p.Symbol) && p.CurrentPrice is { } price)
                {
                    _marks[p.Symbol] = price;
                }
            }

            if (!_carried)
            {
                // Positions held before this run started have no known cost: their closing trades are not reported.
                foreach (var (symbol, quantity) in _positions)
                {
                    _ledger.Carry(symbol, quantity);
                }

                _carried = true;
            }

            _open.Clear();
            foreach (var order in orders.Reverse())
            {
                var owned = _owned(order);
                foreach (var o in order.Legs.Prepend(order))
                {
                    if (!o.IsTerminal && o.Status != BrokerOrderStatus.Held)
                    {
                        _open.Add(o);
                    }

                    if (!owned)
                    {
                        continue;
                    }

                    var known = _filled.GetValueOrDefault(o.Id);
                    if (o.FilledQuantity > known && _reader is not null)
                    {
                        var quantity = o.FilledQuantity - known;
                        var at = o.FilledAt ?? o.UpdatedAt ?? o.CreatedAt;
                        // The price that moves the order's average from what was known to what the broker reports now.
                        var value = (o.AverageFillPrice ?? 0m) * o.FilledQuantity;
                        var price = (value - _filledValue.GetValueOrDefault(o.Id)) / quantity;
                        AddFill(o, quantity, price, at, "reconciled-" + o.FilledQuantity.ToString(CultureInfo.InvariantCulture));
                    }

                    if (o.FilledQuantity >= known)
                    {
                        _filled[o.Id] = o.FilledQuantity;
                        _filledValue[o.Id] = (o.AverageFillPrice ?? 0m) * o.FilledQuantity;
                    }
                }
            }

            DrainStream();
        }
    }

    private void DrainStream()
    {
        while (_incoming.TryDequeue(out var update))
        {
            var o = update.Order;
            var at = update.Timestamp ?? o.UpdatedAt ?? o.CreatedAt;
            switch (update.Event)
            {
                case TradeUpdateEvent.Fill or TradeUpdateEvent.PartialFill:
                    var known = _filled.GetValueOrDefault(o.Id);
                    if (o.FilledQuantity <= known || update.Price is not { } price || update.Quantity is not { } quantity)
                    {
                        continue; // already reconciled from the broker's order
                    }

                    _filled[o.Id] = o.FilledQuantity;
                    _filledValue[o.Id] = (o.AverageFillPrice ?? price) * o.FilledQuantity;
                    AddFill(o, quantity, price, at, update.ExecutionId);
                    break;
                case TradeUpdateEvent.Canceled or TradeUpdateEvent.Expired:
                    var reason = _reasons.GetValueOrDefault(o.Id) ?? update.RawEvent;
                    _events.Add(new ExecutionEvent(ExecutionEventKind.Cancelled, at, ToOrder(o, reason), o.ClientOrderId, Reason: reason, FilledQuantity: o.FilledQuantity));
                    break;
                case TradeUpdateEvent.Rejected:
                    _events.Add(new ExecutionEvent(ExecutionEventKind.Rejected, at, ToOrder(o, ""), o.ClientOrderId,
                        Reason: update.RawEvent));
                    break;
            }
        }
    }

    private void AddFill(BrokerOrder o, decimal quantity, decimal price, DateTime at, string? executionId)
    {
        var fill = new Fill(o.Id, o.Symbol, o.Side, quantity, price, 0m, at);
        var reason = o.Type is BrokerOrderType.Stop or BrokerOrderType.StopLimit ? ExitReasons.Stop : ExitReasons.Signal;
        var closed = _ledger.Book(fill, reason);
        _events.Add(new ExecutionEvent(ExecutionEventKind.Fill, at, ToOrder(o, _reasons.GetValueOrDefault(o.Id) ?? ""), o.ClientOrderId,
            fill, closed, reason, o.FilledQuantity, o.Status == BrokerOrderStatus.Filled, ExecutionId: executionId));
    }

    private void Queue(BrokerOrderRequest request, string reason, DateTime decisionTime)
    {
        _commands.Add(async ct =>
        {
            try
            {
                var order = await Broker.SubmitOrderAsync(request, ct).ConfigureAwait(false);
                _reasons[order.Id] = reason;
                foreach (var leg in order.Legs)
                {
                    _reasons[leg.Id] = "protective stop: " + reason;
                }

                lock (_gate)
                {
                    _open.Add(order);
                }

                _events.Add(new ExecutionEvent(ExecutionEventKind.Accepted, decisionTime, ToOrder(order, reason) with { CreatedAt = decisionTime },
                    order.ClientOrderId));
            }
            catch (BrokerException ex) when (ex.Kind is BrokerErrorKind.Rejected or BrokerErrorKind.PdtRejected
                or BrokerErrorKind.InsufficientBuyingPower or BrokerErrorKind.InsufficientQuantity)
            {
                var refused = new Order(request.ClientOrderId, request.Symbol, request.Side, request.Quantity, ToOrderType(request.Type),
                    decisionTime, request.LimitPrice, request.StopPrice, reason);
                _events.Add(new ExecutionEvent(ExecutionEventKind.Rejected, decisionTime, refused, request.ClientOrderId, Reason: ex.Message));
            }
        });
    }

    private async Task CancelQuietlyAsync(string orderId, CancellationToken ct)
    {
        try
        {
            await Broker.CancelOrderAsync(orderId, ct).ConfigureAwait(false);
        }
        catch (BrokerException ex) when (ex.Kind is BrokerErrorKind.NotCancelable or BrokerErrorKind.NotFound)
        {
            // Filled or gone meanwhile: the stream says which.
        }
    }

    private BrokerOrder? OpenStop(Symbol symbol) =>
        _open.LastOrDefault(o => o.Symbol == symbol && o.Type is BrokerOrderType.Stop or BrokerOrderType.StopLimit);

    /// <summary>A market or limit order on <paramref name="side"/> of <paramref name="symbol"/> that opens or adds (an entry).</summary>
    private bool IsWorkingEntry(BrokerOrder o, Symbol symbol, OrderSide side) =>
        o.Symbol == symbol && o.Side == side && o.Type is BrokerOrderType.Market or BrokerOrderType.Limit && !Reduces(o);

    /// <summary>The router's client order id, or a fresh one when it gave none (a venue driven without a run id).</summary>
    private static string ClientIdOr(string? clientOrderId) => clientOrderId ?? Guid.NewGuid().ToString("N")[..24];

    /// <summary>True for a market or limit order that sells a long or buys back a short (an exit).</summary>
    private bool Reduces(BrokerOrder o)
    {
        var position = _positions.GetValueOrDefault(o.Symbol);
        return o.Side == OrderSide.Sell ? position > 0 : position < 0;
    }

    private static Order ToOrder(BrokerOrder o, string reason) =>
        new(o.Id, o.Symbol, o.Side, o.Quantity, ToOrderType(o.Type), o.CreatedAt, o.LimitPrice, o.StopPrice, reason);

    private static OrderType ToOrderType(BrokerOrderType type) => type switch
    {
        BrokerOrderType.Stop or BrokerOrderType.StopLimit or BrokerOrderType.TrailingStop => OrderType.Stop,
        BrokerOrderType.Limit => OrderType.Limit,
        _ => OrderType.Market,
    };

    private async Task ReadUpdatesAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var update in Broker.StreamTradeUpdatesAsync(cancellationToken).ConfigureAwait(false))
            {
                if (_owned(update.Order))
                {
                    _incoming.Enqueue(update);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is BrokerException or IOException)
        {
            StreamFault = ex;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_reader is not null)
        {
            await _reader.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }
}
