using AiTrader.Core.Domain;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Backtesting;

/// <summary>The backtest's venue for one symbol: turns intents into orders, fills them against later bars, books trades.</summary>
/// <remarks>
/// Fill conventions (all prices rounded to 4 decimal places, half away from zero):
/// <list type="bullet">
/// <item>Orders decided at bar t's close work from the next bar the driver lets fill (see
/// <see cref="BacktestOptions.Calendar"/>: inside the session only, unless extended hours are on). Exits fill before
/// entries, so a reversal closes first.</item>
/// <item>Market orders fill at that bar's open: buys at open × (1 + bps/10000), sells at open × (1 − bps/10000).</item>
/// <item>Limit orders fill only when the bar trades through the limit (a buy needs low &lt; limit, a sell high &gt;
/// limit), at the limit or at the open when it opens better; no slippage. They are day orders: what has not filled
/// by the end of the session they first work in is cancelled.</item>
/// <item>A buy that opens or adds to a long is cut to the whole shares cash can pay for, fee included (a cash account).</item>
/// <item>With <see cref="BacktestOptions.MaxVolumeShare"/>, an order takes at most that share of each bar's volume;
/// the rest works on later bars of the same session and is cancelled at its end. A triggered stop keeps working
/// (at later opens) until the position is closed.</item>
/// <item>The protective stop rests from the bar after the decision that set it, including the bar its entry fills on.
/// A long stop triggers when low ≤ stop and fills at the stop, or at open × (1 − bps/10000) when the bar opens at or
/// through it (a gap); shorts mirror with high ≥ stop. Moving the stop amends the one resting stop order (as a
/// broker's replace would): the order keeps the level it was sent with and each move is logged in
/// <see cref="StopAmendments"/>, so nothing recorded at a bar changes afterwards.</item>
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
    private readonly List<Cancellation> _cancellations = [];
    private readonly List<WorkingOrder> _working = [];
    private readonly List<StopAmendment> _amendments = [];
    private decimal _quantity;
    private int _stopIndex = -1;
    private decimal _stopLevel;
    private bool _stopTriggered;
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
        _quantity = portfolio.GetPosition(symbol).Quantity;
        PositionSign = Math.Sign(_quantity);
    }

    public IReadOnlyList<Order> Orders => _orders;

    public IReadOnlyList<Fill> Fills => _fills;

    public IReadOnlyList<TradeRecord> Trades => _trades;

    /// <summary>Unfilled remainders cancelled at a session's end.</summary>
    public IReadOnlyList<Cancellation> Cancellations => _cancellations;

    /// <summary>Every move of a resting stop, in time order.</summary>
    public IReadOnlyList<StopAmendment> StopAmendments => _amendments;

    public decimal Cash => _portfolio.Cash;

    public decimal PositionQuantity => _quantity;

    /// <summary>Sign of the position (−1, 0, 1), kept as an int so the per-bar checks avoid decimal comparisons.</summary>
    public int PositionSign { get; private set; }

    public decimal? ProtectiveStop => _stopIndex >= 0 ? _stopLevel : null;

    /// <summary>Turns a strategy's intents at <paramref name="decisionBar"/>'s close into orders for the next bar.
    /// Intents that cannot apply (a short when shorting is off, an exit when flat, an entry against an open position
    /// without an exit first) are dropped.</summary>
    public void Submit(IReadOnlyList<OrderIntent> intents, in Bar decisionBar)
    {
        // Most bars bring no intents, usually as an empty array; testing for that type directly spares the slow
        // interface dispatch of IReadOnlyList.Count on an array.
        if (intents is OrderIntent[] { Length: 0 } || intents.Count == 0)
        {
            return;
        }

        // Validate each intent against the position the earlier intents of this batch will leave.
        var projected = _quantity;
        for (var i = 0; i < intents.Count; i++)
        {
            var intent = intents[i];
            var sign = intent.PositionSide == PositionSide.Long ? 1 : -1;
            switch (intent.Kind)
            {
                case IntentKind.Entry:
                    if (intent.Quantity is not { } quantity || quantity <= 0
                        || (intent.PositionSide == PositionSide.Short && !_options.AllowShort)
                        || Math.Sign(projected) == -sign
                        || (intent.Type == OrderType.Limit && intent.LimitPrice is null))
                    {
                        continue;
                    }

                    CancelWorkingEntries(intent.Side, decisionBar.Timestamp, CancelReasons.Replaced);
                    var type = intent.Type == OrderType.Limit ? OrderType.Limit : OrderType.Market;
                    _working.Add(new WorkingOrder(
                        NewOrder(intent.Side, quantity, type, decisionBar, null, intent.Reason, intent.LimitPrice), IntentKind.Entry));
                    projected += sign * quantity;
                    if (intent.StopPrice is { } entryStop)
                    {
                        SetStop(Opposite(intent.Side), Math.Abs(projected), entryStop, decisionBar, intent.Reason);
                    }

                    break;

                case IntentKind.Exit:
                    if (Math.Sign(projected) != sign)
                    {
                        continue;
                    }

                    CancelWorkingEntries(Opposite(intent.Side), decisionBar.Timestamp, CancelReasons.Exit);
                    _working.Add(new WorkingOrder(
                        NewOrder(intent.Side, Math.Abs(projected), OrderType.Market, decisionBar, null, intent.Reason), IntentKind.Exit));
                    projected = 0;
                    break;

                case IntentKind.MoveStop:
                    if (Math.Sign(projected) != sign || intent.StopPrice is not { } level)
                    {
                        continue;
                    }

                    SetStop(intent.Side, Math.Abs(projected), level, decisionBar, intent.Reason);
                    break;
            }
        }
    }

    /// <summary>Executes what works against <paramref name="bar"/>: first cancels remainders left from an earlier
    /// session (<paramref name="day"/> is the bar's New York date), then, when <paramref name="canFill"/>, the working
    /// orders (exits first) and the protective stop.</summary>
    public void Execute(in Bar bar, bool canFill, int day)
    {
        if (_working.Count > 0)
        {
            ExecuteWorking(in bar, canFill, day);
        }

        if (_stopIndex >= 0 && canFill && PositionSign != 0)
        {
            ExecuteStop(in bar);
        }

        if (PositionSign == 0 && _stopIndex >= 0)
        {
            ClearStop();
        }
    }

    /// <summary>Closes any open position at <paramref name="lastBar"/>'s close without slippage and drops unfilled orders.</summary>
    public void CloseAtEnd(Bar lastBar)
    {
        _working.Clear();
        var position = _quantity;
        if (position != 0)
        {
            var side = position > 0 ? OrderSide.Sell : OrderSide.Buy;
            var order = NewOrder(side, Math.Abs(position), OrderType.Market, lastBar, null, ExitReasons.EndOfData);
            Book(order, Math.Abs(position), lastBar.Close, lastBar.Timestamp, ExitReasons.EndOfData);
        }

        ClearStop();
    }

    /// <summary>Cancels the unfilled rest of every working entry on <paramref name="side"/> (an exit or a new entry
    /// supersedes them, so a volume-capped or resting entry cannot rebuild a position the strategy is leaving).</summary>
    private void CancelWorkingEntries(OrderSide side, DateTime time, string reason)
    {
        for (var i = _working.Count - 1; i >= 0; i--)
        {
            var w = _working[i];
            if (w.Kind == IntentKind.Entry && w.Order.Side == side)
            {
                _cancellations.Add(new Cancellation(w.Order.Id, w.Order.Quantity - w.Filled, time, reason));
                _working.RemoveAt(i);
            }
        }
    }

    private void ExecuteWorking(in Bar bar, bool canFill, int day)
    {
        // Day orders and volume-capped remainders end with the session they first worked in.
        for (var i = 0; i < _working.Count; i++)
        {
            var w = _working[i];
            if (w.Day is { } started && started != day)
            {
                _cancellations.Add(new Cancellation(w.Order.Id, w.Order.Quantity - w.Filled, bar.Timestamp, CancelReasons.SessionEnd));
                w.Done = true;
            }
        }

        if (canFill)
        {
            // Exits before entries, each in submission order, so a reversal closes first.
            for (var pass = 0; pass < 2; pass++)
            {
                var kind = pass == 0 ? IntentKind.Exit : IntentKind.Entry;
                for (var i = 0; i < _working.Count; i++)
                {
                    var w = _working[i];
                    if (!w.Done && w.Kind == kind)
                    {
                        w.Day ??= day;
                        Work(w, in bar);
                    }
                }
            }
        }

        _working.RemoveAll(static w => w.Done);
    }

    private void Work(WorkingOrder w, in Bar bar)
    {
        var order = w.Order;
        var cap = _fillModel.VolumeCap(bar.Volume);
        if (w.Kind == IntentKind.Exit)
        {
            var closes = (order.Side == OrderSide.Sell && _quantity > 0) || (order.Side == OrderSide.Buy && _quantity < 0);
            if (!closes)
            {
                w.Done = true;
                return;
            }

            var exitQuantity = Math.Min(Math.Abs(_quantity), cap);
            if (exitQuantity > 0)
            {
                Fill(w, exitQuantity, _fillModel.SlippedPrice(order.Side, bar.Open), bar.Timestamp, ExitReasons.Signal);
            }

            w.Done = _quantity == 0;
            return;
        }

        var opposite = order.Side == OrderSide.Buy ? _quantity < 0 : _quantity > 0;
        if (opposite)
        {
            w.Done = true;
            return;
        }

        decimal price;
        if (order.Type == OrderType.Limit)
        {
            var limit = order.LimitPrice!.Value;
            var tradesThrough = order.Side == OrderSide.Buy ? bar.Low < limit : bar.High > limit;
            if (!tradesThrough)
            {
                return;
            }

            price = order.Side == OrderSide.Buy ? Math.Min(bar.Open, limit) : Math.Max(bar.Open, limit);
        }
        else
        {
            price = _fillModel.SlippedPrice(order.Side, bar.Open);
        }

        var wanted = Math.Min(order.Quantity - w.Filled, cap);
        var quantity = order.Side == OrderSide.Buy ? _fillModel.AffordableQuantity(wanted, price, _portfolio.Cash) : wanted;
        if (quantity > 0)
        {
            Fill(w, quantity, price, bar.Timestamp, ExitReasons.Signal);
        }

        // Cash, not volume, cut the buy: the rest can never be paid for, so the order is done.
        w.Done = w.Filled == order.Quantity || quantity < wanted;
    }

    private void ExecuteStop(in Bar bar)
    {
        var order = _orders[_stopIndex];
        decimal? fillPrice = null;
        if (_stopTriggered)
        {
            fillPrice = _fillModel.SlippedPrice(order.Side, bar.Open);
        }
        else if (_quantity > 0 && order.Side == OrderSide.Sell && bar.Low <= _stopLevel)
        {
            fillPrice = bar.Open <= _stopLevel ? _fillModel.SlippedPrice(OrderSide.Sell, bar.Open) : _stopLevel;
        }
        else if (_quantity < 0 && order.Side == OrderSide.Buy && bar.High >= _stopLevel)
        {
            fillPrice = bar.Open >= _stopLevel ? _fillModel.SlippedPrice(OrderSide.Buy, bar.Open) : _stopLevel;
        }

        if (fillPrice is not { } price)
        {
            return;
        }

        var quantity = Math.Min(Math.Abs(_quantity), _fillModel.VolumeCap(bar.Volume));
        if (quantity > 0)
        {
            Book(order, quantity, price, bar.Timestamp, ExitReasons.Stop);
        }

        _stopTriggered = _quantity != 0;
    }

    /// <summary>Rests a stop for the open (or opening) position, amending the one already resting if there is one.</summary>
    private void SetStop(OrderSide side, decimal quantity, decimal level, in Bar decisionBar, string reason)
    {
        if (_stopIndex >= 0 && !_stopTriggered && _orders[_stopIndex].Side == side)
        {
            if (level != _stopLevel)
            {
                _stopLevel = level;
                _amendments.Add(new StopAmendment(_orders[_stopIndex].Id, decisionBar.Timestamp, level, reason));
            }

            return;
        }

        ClearStop();
        NewOrder(side, quantity, OrderType.Stop, decisionBar, level, reason);
        _stopIndex = _orders.Count - 1;
        _stopLevel = level;
    }

    private void ClearStop()
    {
        _stopIndex = -1;
        _stopTriggered = false;
    }

    private Order NewOrder(OrderSide side, decimal quantity, OrderType type, in Bar decisionBar, decimal? stopPrice,
        string reason, decimal? limitPrice = null)
    {
        var order = new Order($"o{_orders.Count + 1}", _symbol, side, quantity, type, decisionBar.Timestamp,
            LimitPrice: limitPrice, StopPrice: stopPrice, Reason: reason);
        _orders.Add(order);
        return order;
    }

    private void Fill(WorkingOrder w, decimal quantity, decimal price, DateTime time, string exitReason)
    {
        w.Filled += quantity;
        Book(w.Order, quantity, price, time, exitReason);
    }

    private void Book(Order order, decimal quantity, decimal price, DateTime time, string exitReason)
    {
        var fee = _fillModel.Commission(quantity);
        var fill = new Fill(order.Id, _symbol, order.Side, quantity, price, fee, time);
        var before = _quantity;
        _portfolio.Apply(fill);
        _fills.Add(fill);

        var signed = order.Side == OrderSide.Buy ? quantity : -quantity;
        _quantity = before + signed;
        PositionSign = Math.Sign(_quantity);
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
        if (_quantity != 0)
        {
            return;
        }

        _trades.Add(trade.ToRecord(_symbol, time, exitReason));
        _openTrade = null;
    }

    private static OrderSide Opposite(OrderSide side) => side == OrderSide.Buy ? OrderSide.Sell : OrderSide.Buy;

    /// <summary>A market or limit order still working, with what has filled so far.</summary>
    private sealed class WorkingOrder(Order order, IntentKind kind)
    {
        public Order Order { get; } = order;

        public IntentKind Kind { get; } = kind;

        public decimal Filled { get; set; }

        /// <summary>The New York day number of the session the order first worked in; null until then.</summary>
        public int? Day { get; set; }

        public bool Done { get; set; }
    }
}
