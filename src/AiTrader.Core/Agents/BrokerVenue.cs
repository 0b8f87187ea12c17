using System.Collections.Concurrent;
using System.Globalization;
using AiTrader.Core.Brokers;
using AiTrader.Core.Domain;

namespace AiTrader.Core.Agents;

/// <summary>A real broker (Alpaca paper or live) as a venue: orders execute at the broker, events arrive on its
/// trade-updates stream, and cash, positions and stops are read back from it once per bar time.</summary>
/// <remarks>
/// Fills are reconciled against the broker's orders on every refresh: an order whose filled quantity grew without a
/// stream event (the socket was down, or the order filled before the stream listened) yields a fill event for the
/// difference, priced so that it explains the order's new average fill price, keyed <c>reconciled-&lt;filled quantity&gt;</c>; a stream event for a quantity
/// already reconciled is dropped. So each share filled is journaled once, whichever way the loop learns of it.
/// </remarks>
public sealed class BrokerVenue : ITradingVenue
{
    private readonly ConcurrentQueue<TradeUpdate> _incoming = new();
    private readonly Dictionary<string, decimal> _filled = new(StringComparer.Ordinal);
    private readonly Dictionary<string, decimal> _filledValue = new(StringComparer.Ordinal);
    private readonly Dictionary<Symbol, decimal> _positions = [];
    private readonly Dictionary<Symbol, decimal> _stops = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Func<BrokerOrder, bool> _owned;
    private List<VenueEvent> _reconciled = [];
    private Task? _reader;

    /// <param name="owned">Which orders this run follows (e.g. client order ids with the run's prefix); default all.</param>
    public BrokerVenue(IBroker broker, Func<BrokerOrder, bool>? owned = null)
    {
        ArgumentNullException.ThrowIfNull(broker);
        Broker = broker;
        _owned = owned ?? (_ => true);
    }

    public IBroker Broker { get; }

    public decimal Cash { get; private set; }

    public decimal Equity { get; private set; }

    public DateTime? LastProcessedUtc { get; set; }

    /// <summary>Set when the trade-updates stream ended with an error (the loop keeps trading on REST reconciliation).</summary>
    public Exception? StreamFault { get; private set; }

    /// <summary>Reads the account and starts listening to trade updates in the background.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        // Orders already at the broker were filled before this run looked: this first read records them as known, so
        // they are history rather than events of this session.
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        _reader = Task.Run(() => ReadUpdatesAsync(_stopping.Token), CancellationToken.None);
    }

    public void OnBar(Symbol symbol, Bar bar)
    {
        // The broker executes on its own market; the bar only tells the loop the time and the mark.
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var account = await Broker.GetAccountAsync(cancellationToken).ConfigureAwait(false);
        var positions = await Broker.GetPositionsAsync(cancellationToken).ConfigureAwait(false);
        var orders = await Broker.GetOrdersAsync(OrderStatusFilter.All, cancellationToken: cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            Cash = account.Cash;
            Equity = account.Equity;
            _positions.Clear();
            foreach (var p in positions)
            {
                _positions[p.Symbol] = p.Quantity;
            }

            _stops.Clear();
            foreach (var o in orders.Where(o => !o.IsTerminal && o.Type == BrokerOrderType.Stop && o.StopPrice is not null).Reverse())
            {
                _stops[o.Symbol] = o.StopPrice!.Value;
            }

            foreach (var order in orders.Where(_owned).Reverse())
            {
                var known = _filled.GetValueOrDefault(order.Id);
                if (order.FilledQuantity > known && _reader is not null)
                {
                    var quantity = order.FilledQuantity - known;
                    var at = order.FilledAt ?? order.UpdatedAt ?? order.CreatedAt;
                    var id = "reconciled-" + order.FilledQuantity.ToString(CultureInfo.InvariantCulture);
                    // The price that moves the order's average from what was known to what the broker reports now.
                    var value = (order.AverageFillPrice ?? 0m) * order.FilledQuantity;
                    var price = (value - _filledValue.GetValueOrDefault(order.Id)) / quantity;
                    var update = new TradeUpdate(order.Status == BrokerOrderStatus.Filled ? TradeUpdateEvent.Fill : TradeUpdateEvent.PartialFill,
                        "reconciled", order, at, price, quantity, _positions.GetValueOrDefault(order.Symbol), id);
                    _reconciled.Add(new VenueEvent(update, new Fill(order.Id, order.Symbol, order.Side, quantity, price, 0m, at)));
                }

                if (order.FilledQuantity >= known)
                {
                    _filled[order.Id] = order.FilledQuantity;
                    _filledValue[order.Id] = (order.AverageFillPrice ?? 0m) * order.FilledQuantity;
                }
            }
        }
    }

    public decimal PositionOf(Symbol symbol)
    {
        lock (_gate)
        {
            return _positions.GetValueOrDefault(symbol);
        }
    }

    public decimal? ProtectiveStop(Symbol symbol)
    {
        lock (_gate)
        {
            return _stops.TryGetValue(symbol, out var stop) ? stop : null;
        }
    }

    public IReadOnlyList<VenueEvent> DrainEvents()
    {
        lock (_gate)
        {
            var events = new List<VenueEvent>();
            while (_incoming.TryDequeue(out var update))
            {
                if (update.Event is TradeUpdateEvent.Fill or TradeUpdateEvent.PartialFill)
                {
                    var known = _filled.GetValueOrDefault(update.Order.Id);
                    if (update.Order.FilledQuantity <= known || update.Price is not { } price || update.Quantity is not { } quantity)
                    {
                        continue; // already reconciled from the broker's order
                    }

                    _filled[update.Order.Id] = update.Order.FilledQuantity;
                    _filledValue[update.Order.Id] = (update.Order.AverageFillPrice ?? price) * update.Order.FilledQuantity;
                    var at = update.Timestamp ?? update.Order.UpdatedAt ?? update.Order.CreatedAt;
                    events.Add(new VenueEvent(update, new Fill(update.Order.Id, update.Order.Symbol, update.Order.Side, quantity, price, 0m, at)));
                }
                else if (_owned(update.Order))
                {
                    events.Add(new VenueEvent(update, null));
                }
            }

            events.AddRange(_reconciled);
            _reconciled = [];
            return events;
        }
    }

    public void EndSession(DateTime closeUtc)
    {
        // Alpaca expires day orders and reports it on the stream.
    }

    public void Checkpoint()
    {
        // The broker holds the orders and positions; client order ids make resubmission after a restart a no-op.
    }

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
