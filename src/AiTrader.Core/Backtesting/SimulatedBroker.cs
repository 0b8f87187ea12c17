using AiTrader.Core.Domain;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Backtesting;

/// <summary>The backtest's venue for one symbol: turns intents into orders, fills them against later bars, books trades.</summary>
/// <remarks>
/// Fill conventions (all prices rounded to 4 decimal places, half away from zero):
/// <list type="bullet">
/// <item>Market orders decided at bar t's close fill at the open of the next bar the driver accepts: buys at
/// open × (1 + bps/10000), sells at open × (1 − bps/10000). Exits fill before entries, so a reversal closes first.</item>
/// <item>A buy that opens or adds to a long is cut to the whole shares cash can pay for, fee included (a cash account).</item>
/// <item>The protective stop rests from the bar after the decision that set it, including the bar its entry fills on.
/// A long stop triggers when low ≤ stop and fills at the stop, or at open × (1 − bps/10000) when the bar opens at or
/// through it (a gap); shorts mirror with high ≥ stop.</item>
/// <item>Commission per fill = max(MinCommission, CommissionPerShare × quantity), exact.</item>
/// </list>
/// </remarks>
internal sealed class SimulatedBroker
{
    private readonly Symbol _symbol;
    private readonly BacktestOptions _options;
    private readonly FillModel _fillModel;
    private readonly Portfolio _portfolio;
    private readonly List<Order> _orders = [];
    private readonly List<Fill> _fills = [];
    private readonly List<TradeRecord> _trades = [];
    private readonly List<(Order Order, IntentKind Kind)> _pendingMarket = [];
    private Order? _stop;
    private RoundTrip? _openTrade;

    public SimulatedBroker(Symbol symbol, BacktestOptions options)
        : this(symbol, options, new Portfolio(options.InitialCapital))
    {
    }

    /// <summary>A venue for <paramref name="symbol"/> booking into <paramref name="portfolio"/>, which several brokers
    /// (one per symbol of a portfolio backtest) may share; buys are then cut to the shared cash.</summary>
    public SimulatedBroker(Symbol symbol, BacktestOptions options, Portfolio portfolio)
    {
        _symbol = symbol;
        _options = options;
        _fillModel = new FillModel(options);
        _portfolio = portfolio;
    }

    public IReadOnlyList<Order> Orders => _orders;

    public IReadOnlyList<Fill> Fills => _fills;

    public IReadOnlyList<TradeRecord> Trades => _trades;

    public decimal Cash => _portfolio.Cash;

    public decimal PositionQuantity => _portfolio.GetPosition(_symbol).Quantity;

    public decimal? ProtectiveStop => _stop?.StopPrice;

    public decimal Equity(decimal mark) => _portfolio.Cash + PositionQuantity * mark;

    /// <summary>Turns a strategy's intents at <paramref name="decisionBar"/>'s close into orders for the next bar.
    /// Intents that cannot apply (a short when shorting is off, an exit when flat, an entry against an open position
    /// without an exit first) are dropped.</summary>
    public void Submit(IReadOnlyList<OrderIntent> intents, Bar decisionBar)
    {
        // Validate each intent against the position the earlier intents of this batch will leave.
        var projected = PositionQuantity;
        foreach (var intent in intents)
        {
            var sign = intent.PositionSide == PositionSide.Long ? 1 : -1;
            switch (intent.Kind)
            {
                case IntentKind.Entry:
                    if (intent.Quantity is not { } quantity || quantity <= 0
                        || (intent.PositionSide == PositionSide.Short && !_options.AllowShort)
                        || Math.Sign(projected) == -sign)
                    {
                        continue;
                    }

                    _pendingMarket.Add((NewOrder(intent.Side, quantity, OrderType.Market, decisionBar, null, intent.Reason), IntentKind.Entry));
                    projected += sign * quantity;
                    if (intent.StopPrice is { } entryStop)
                    {
                        _stop = NewOrder(Opposite(intent.Side), Math.Abs(projected), OrderType.Stop, decisionBar, entryStop, intent.Reason);
                    }

                    break;

                case IntentKind.Exit:
                    if (Math.Sign(projected) != sign)
                    {
                        continue;
                    }

                    _pendingMarket.Add((NewOrder(intent.Side, Math.Abs(projected), OrderType.Market, decisionBar, null, intent.Reason), IntentKind.Exit));
                    projected = 0;
                    break;

                case IntentKind.MoveStop:
                    if (Math.Sign(projected) != sign || intent.StopPrice is not { } level)
                    {
                        continue;
                    }

                    _stop = NewOrder(intent.Side, Math.Abs(projected), OrderType.Stop, decisionBar, level, intent.Reason);
                    break;
            }
        }
    }

    /// <summary>Executes what rests against <paramref name="bar"/>: pending market orders at the open, then the protective stop.</summary>
    public void Execute(Bar bar)
    {
        foreach (var (order, kind) in _pendingMarket.OrderBy(p => p.Kind == IntentKind.Exit ? 0 : 1))
        {
            var position = PositionQuantity;
            var price = _fillModel.SlippedPrice(order.Side, bar.Open);
            decimal quantity;
            if (kind == IntentKind.Exit)
            {
                var closesLong = order.Side == OrderSide.Sell && position > 0;
                var closesShort = order.Side == OrderSide.Buy && position < 0;
                if (!closesLong && !closesShort)
                {
                    continue;
                }

                quantity = Math.Abs(position);
            }
            else
            {
                var opposite = order.Side == OrderSide.Buy ? position < 0 : position > 0;
                if (opposite)
                {
                    continue;
                }

                quantity = order.Side == OrderSide.Buy ? _fillModel.AffordableQuantity(order.Quantity, price, _portfolio.Cash) : order.Quantity;
            }

            if (quantity > 0)
            {
                Book(order, quantity, price, bar.Timestamp, ExitReasons.Signal);
            }
        }

        _pendingMarket.Clear();

        if (_stop is { StopPrice: { } stopPrice } stop)
        {
            var position = PositionQuantity;
            decimal? fillPrice = null;
            if (position > 0 && stop.Side == OrderSide.Sell && bar.Low <= stopPrice)
            {
                fillPrice = bar.Open <= stopPrice ? _fillModel.SlippedPrice(OrderSide.Sell, bar.Open) : stopPrice;
            }
            else if (position < 0 && stop.Side == OrderSide.Buy && bar.High >= stopPrice)
            {
                fillPrice = bar.Open >= stopPrice ? _fillModel.SlippedPrice(OrderSide.Buy, bar.Open) : stopPrice;
            }

            if (fillPrice is { } price)
            {
                Book(stop, Math.Abs(position), price, bar.Timestamp, ExitReasons.Stop);
            }
        }

        if (PositionQuantity == 0)
        {
            _stop = null;
        }
    }

    /// <summary>Closes any open position at <paramref name="lastBar"/>'s close without slippage and drops unfilled orders.</summary>
    public void CloseAtEnd(Bar lastBar)
    {
        _pendingMarket.Clear();
        var position = PositionQuantity;
        if (position != 0)
        {
            var side = position > 0 ? OrderSide.Sell : OrderSide.Buy;
            var order = NewOrder(side, Math.Abs(position), OrderType.Market, lastBar, null, ExitReasons.EndOfData);
            Book(order, Math.Abs(position), lastBar.Close, lastBar.Timestamp, ExitReasons.EndOfData);
        }

        _stop = null;
    }

    private Order NewOrder(OrderSide side, decimal quantity, OrderType type, Bar decisionBar, decimal? stopPrice, string reason)
    {
        var order = new Order($"o{_orders.Count + 1}", _symbol, side, quantity, type, decisionBar.Timestamp,
            StopPrice: stopPrice, Reason: reason);
        _orders.Add(order);
        return order;
    }

    private void Book(Order order, decimal quantity, decimal price, DateTime time, string exitReason)
    {
        var fee = _fillModel.Commission(quantity);
        var fill = new Fill(order.Id, _symbol, order.Side, quantity, price, fee, time);
        var before = PositionQuantity;
        _portfolio.Apply(fill);
        _fills.Add(fill);

        var signed = order.Side == OrderSide.Buy ? quantity : -quantity;
        if (before == 0)
        {
            _openTrade = new RoundTrip(signed > 0 ? PositionSide.Long : PositionSide.Short, time);
        }

        var trade = _openTrade!;
        if (before == 0 || Math.Sign(before) == Math.Sign(signed))
        {
            trade.AddEntry(quantity, price, fee);
            return;
        }

        // Orders never cross zero in one fill (exits are sized to the position), so this fill only reduces.
        trade.AddExit(quantity, price, fee);
        if (PositionQuantity != 0)
        {
            return;
        }

        _trades.Add(trade.ToRecord(_symbol, time, exitReason));
        _openTrade = null;
    }

    private static OrderSide Opposite(OrderSide side) => side == OrderSide.Buy ? OrderSide.Sell : OrderSide.Buy;
}
