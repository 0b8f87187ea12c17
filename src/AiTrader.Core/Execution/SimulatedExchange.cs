using System.Globalization;
using AiTrader.Core.Domain;
using AiTrader.Core.Risk;

namespace AiTrader.Core.Execution;

/// <summary>The role an order plays for its symbol's position.</summary>
public enum OrderRole
{
    /// <summary>Opens or adds to a position (market or limit).</summary>
    Entry,

    /// <summary>Closes the whole position at market.</summary>
    Exit,

    /// <summary>The position's protective stop.</summary>
    Stop,
}

/// <summary>Where an order is at the simulated exchange.</summary>
public enum ExchangeOrderStatus
{
    New,
    PartiallyFilled,
    Filled,
    Cancelled,
    Rejected,
}

/// <summary>An order at the simulated exchange: the order as sent, what has filled, and its state.</summary>
public sealed class ExchangeOrder
{
    internal ExchangeOrder(Order order, OrderRole role, string? clientOrderId)
    {
        Order = order;
        Role = role;
        ClientOrderId = clientOrderId;
        StopLevel = order.StopPrice;
        UpdatedAt = order.CreatedAt;
    }

    /// <summary>The order as sent (a stop keeps the level it was sent with; moves are amendments).</summary>
    public Order Order { get; }

    public OrderRole Role { get; }

    public string? ClientOrderId { get; }

    public string Id => Order.Id;

    public Symbol Symbol => Order.Symbol;

    public OrderSide Side => Order.Side;

    public decimal Quantity => Order.Quantity;

    public ExchangeOrderStatus Status { get; internal set; }

    public decimal Filled { get; internal set; }

    internal decimal FilledValue { get; set; }

    /// <summary>Volume-weighted price of the fills so far, null before the first.</summary>
    public decimal? AverageFillPrice => Filled > 0 ? FilledValue / Filled : null;

    public DateTime UpdatedAt { get; internal set; }

    /// <summary>A stop's current level (after amendments).</summary>
    public decimal? StopLevel { get; internal set; }

    /// <summary>An entry's protective stop level, placed when it fills (moved while it works by stop moves).</summary>
    public decimal? AttachedStop { get; internal set; }

    internal string? StopClientOrderId { get; init; }

    /// <summary>The New York day number of the session the order first worked in; null until then.</summary>
    internal int? Day { get; set; }

    /// <summary>A stop that triggered and could not fill whole (volume cap) works its rest at later opens.</summary>
    public bool Triggered { get; internal set; }

    public bool IsOpen => Status is ExchangeOrderStatus.New or ExchangeOrderStatus.PartiallyFilled;

    public decimal Remaining => Math.Max(0, Quantity - Filled);
}

/// <summary>One symbol's side of the exchange: its position, mark, working orders and protective stop.</summary>
public sealed class SymbolBook
{
    internal SymbolBook(Symbol symbol, int index)
    {
        Symbol = symbol;
        Index = index;
    }

    public Symbol Symbol { get; }

    /// <summary>Registration order at the exchange (the watchlist order).</summary>
    public int Index { get; }

    /// <summary>Signed shares held.</summary>
    public decimal Position { get; internal set; }

    /// <summary>Sign of the position (−1, 0, 1), kept as an int so the per-bar checks avoid decimal comparisons.</summary>
    public int Sign { get; internal set; }

    /// <summary>The latest good close (0 before the first).</summary>
    public decimal Mark { get; internal set; }

    internal List<ExchangeOrder> Working { get; } = [];

    /// <summary>The position's protective stop while it is open.</summary>
    public ExchangeOrder? Stop { get; internal set; }

    /// <summary>Nothing works and nothing rests: a bar changes nothing here.</summary>
    public bool IsIdle => Working.Count == 0 && Stop is null;

    /// <summary>Open market and limit orders, in submission order.</summary>
    public IReadOnlyList<ExchangeOrder> WorkingOrders => Working;

    public decimal? ProtectiveStop => Stop is { Triggered: false } stop ? stop.StopLevel : null;
}

/// <summary>The one matching engine: per-symbol order books on one cash account, every fill rule, the fees and the
/// pairing of fills into round trips. Backtests drive it directly; paper trading drives the same instance through the
/// trading loop (and <see cref="Paper.PaperBroker"/> is a thin broker front over it).</summary>
/// <remarks>
/// Rules (all prices rounded to 4 dp half away from zero where they are made; amounts exact decimals):
/// <list type="bullet">
/// <item>Orders decided at a bar's close work from the next traded bar of their symbol (the loop decides which bars are
/// traded: the session rules of <see cref="ExchangeOptions"/>).</item>
/// <item>At each traded bar time, across the symbols with a bar, in watchlist order: first every reducing order at the
/// open (exits, and the rest of a triggered stop), then every entry at the open (market and limit), then every resting
/// stop within the bar. So cash freed by exits at the open can fund entries at that open, and cash from a stop hit
/// later in the bar cannot.</item>
/// <item>Market orders fill at the open moved by the slippage: buys at open × (1 + bps/10000), sells at open × (1 −
/// bps/10000).</item>
/// <item>Limit orders fill only when the bar trades through the limit (a buy needs low &lt; limit, a sell high &gt;
/// limit), at the limit or at the open when it opens better, without slippage.</item>
/// <item>A buy that opens or adds to a long is cut to the whole shares cash pays for, commission included (a cash
/// account); the rest is cancelled (<see cref="CancelReasons.InsufficientCash"/>).</item>
/// <item>With <see cref="ExchangeOptions.MaxVolumeShare"/>, an order takes at most that share of each bar's volume; the
/// rest works on later bars. Market and limit orders are day orders: what is left when the session they first worked in
/// ends is cancelled, stamped at that session's close (<see cref="CancelReasons.SessionEnd"/>). A triggered stop keeps
/// working at later opens until the position is flat.</item>
/// <item>An entry's protective stop rests from the moment the entry fills: placed (or amended) at the entry's fill, for
/// the whole position, and checked in the rest of that bar. A long stop triggers when low ≤ stop and fills at the stop,
/// or at the slipped open when the bar opens at or through it (a gap); shorts mirror with high ≥ stop. Moving the stop
/// amends the one resting stop (logged in <see cref="StopAmendments"/>); before the entry fills it moves the level the
/// entry will place.</item>
/// <item>An exit that finds nothing to close, or an entry that finds the opposite position still open, is cancelled.
/// When a position goes flat its stop and any other reducing order are cancelled.</item>
/// <item>Commission per fill = max(MinCommission, CommissionPerShare × quantity), exact.</item>
/// <item>Submitting a client order id the exchange already has returns that order (idempotent resubmission).</item>
/// </list>
/// Driven from one thread; not thread-safe.
/// </remarks>
public sealed class SimulatedExchange : IExecutionVenue
{
    private readonly Dictionary<Symbol, SymbolBook> _books = [];
    private readonly List<SymbolBook> _bookList = [];
    private readonly List<ExchangeOrder> _orders = [];
    private readonly Dictionary<string, ExchangeOrder> _byClientId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ExchangeOrder> _byId = new(StringComparer.Ordinal);
    private readonly List<Fill> _fills = [];
    private readonly List<string> _fillReasons = [];
    private readonly List<Cancellation> _cancellations = [];
    private readonly List<StopAmendment> _amendments = [];
    private readonly List<ExecutionEvent> _events = [];
    private readonly RoundTripLedger _ledger = new();
    private int _nextId;
    private SymbolBook? _lastBook;

    public SimulatedExchange(ExchangeOptions? options = null)
    {
        Options = (options ?? new ExchangeOptions()).Validate();
        FillModel = new FillModel(Options);
        Portfolio = new Portfolio(Options.InitialCapital);
        LowestCash = Portfolio.Cash;
    }

    public ExchangeOptions Options { get; }

    public FillModel FillModel { get; }

    /// <summary>The cash account every symbol books into.</summary>
    public Portfolio Portfolio { get; }

    public decimal Cash => Portfolio.Cash;

    /// <summary>The lowest cash balance after any fill (the initial capital when nothing filled).</summary>
    public decimal LowestCash { get; private set; }

    /// <summary>Cash plus every position at its symbol's mark.</summary>
    public decimal Equity
    {
        get
        {
            var equity = Portfolio.Cash;
            foreach (var book in _bookList)
            {
                if (book.Sign != 0)
                {
                    equity += book.Position * book.Mark;
                }
            }

            return equity;
        }
    }

    /// <summary>Σ |position × mark| over the symbols.</summary>
    public decimal GrossPositionValue
    {
        get
        {
            var gross = 0m;
            foreach (var book in _bookList)
            {
                if (book.Sign != 0)
                {
                    gross += Math.Abs(book.Position * book.Mark);
                }
            }

            return gross;
        }
    }

    public IReadOnlyList<SymbolBook> Books => _bookList;

    /// <summary>Every order in the order it was created (stops when their entry filled).</summary>
    public IReadOnlyList<ExchangeOrder> AllOrders => _orders;

    /// <summary>Every order as sent, in sending order.</summary>
    public IReadOnlyList<Order> Orders => _orders.Select(o => o.Order).ToArray();

    /// <summary>Every execution, in time order.</summary>
    public IReadOnlyList<Fill> Fills => _fills;

    /// <summary>Why each fill of <see cref="Fills"/> happened (signal, stop, end of data), index for index.</summary>
    public IReadOnlyList<string> FillReasons => _fillReasons;

    /// <summary>Completed round trips in the order they closed.</summary>
    public IReadOnlyList<TradeRecord> Trades => _ledger.Closed;

    public IReadOnlyList<Cancellation> Cancellations => _cancellations;

    public IReadOnlyList<StopAmendment> StopAmendments => _amendments;

    public IReadOnlyList<ExecutionEvent> PendingEvents => _events;

    /// <summary>Whether accepts, cancels and stop moves are reported as events (a journal wants them; a backtest without one
    /// does not, and a trail on every bar of a trend should cost no allocation). Fills and rejects are always reported; the
    /// records (orders, cancellations, amendments) are kept either way.</summary>
    public bool ReportsBookkeeping { get; set; } = true;

    /// <summary>How many events wait (a plain field read for the loop's hot path).</summary>
    public int EventCount => _events.Count;

    /// <summary>How many fills so far (a plain field read for the drivers' hot path).</summary>
    public int FillCount => _fills.Count;

    public void ClearEvents() => _events.Clear();

    /// <summary>The book of <paramref name="symbol"/>, registered on first use (registration order is the watchlist order).</summary>
    public SymbolBook Book(Symbol symbol)
    {
        // One symbol is asked for over and over on a single-symbol run: remember it and skip the dictionary.
        if (_lastBook is { } last && ReferenceEquals(last.Symbol.Value, symbol.Value))
        {
            return last;
        }

        if (!_books.TryGetValue(symbol, out var book))
        {
            book = new SymbolBook(symbol, _bookList.Count);
            _books[symbol] = book;
            _bookList.Add(book);
        }

        _lastBook = book;
        return book;
    }

    public decimal PositionOf(Symbol symbol) => _books.TryGetValue(symbol, out var b) ? b.Position : 0m;

    public decimal? ProtectiveStopOf(Symbol symbol) => _books.TryGetValue(symbol, out var b) ? b.ProtectiveStop : null;

    public ExchangeOrder? FindByClientOrderId(string clientOrderId) =>
        _byClientId.TryGetValue(clientOrderId, out var order) ? order : null;

    public ExchangeOrder? FindById(string id) => _byId.TryGetValue(id, out var order) ? order : null;

    public bool HasWorkingEntry(Symbol symbol, OrderSide side) => HasWorking(symbol, side, OrderRole.Entry);

    public bool HasWorkingExit(Symbol symbol, OrderSide side) => HasWorking(symbol, side, OrderRole.Exit);

    private bool HasWorking(Symbol symbol, OrderSide side, OrderRole role)
    {
        if (!_books.TryGetValue(symbol, out var book))
        {
            return false;
        }

        foreach (var o in book.Working)
        {
            if (o.Role == role && o.Side == side)
            {
                return true;
            }
        }

        return false;
    }

    public void Mark(Symbol symbol, decimal close) => Book(symbol).Mark = close;

    public AccountSnapshot Snapshot()
    {
        var positions = new Dictionary<Symbol, PositionSnapshot>();
        foreach (var book in _bookList)
        {
            if (book.Sign != 0)
            {
                positions[book.Symbol] = new PositionSnapshot(book.Position, book.Mark);
            }
        }

        return new AccountSnapshot(Equity, Cash, positions);
    }

    // ---- commands ----------------------------------------------------------------------------------------------

    public void SubmitEntry(EntryTicket ticket) => SubmitEntryOrder(ticket);

    /// <summary>Accepts an entry (market, or limit when <see cref="EntryTicket.LimitPrice"/> is set) with the stop it will
    /// place when it fills; rejects a short the account does not allow, a non-positive quantity or limit.</summary>
    public ExchangeOrder SubmitEntryOrder(EntryTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        if (Known(ticket.ClientOrderId) is { } known)
        {
            return known;
        }

        var type = ticket.LimitPrice is null ? OrderType.Market : OrderType.Limit;
        var order = Create(new Order(NextId(), ticket.Symbol, ticket.Side, ticket.Quantity, type, ticket.DecisionTime,
            ticket.LimitPrice, null, ticket.Reason), OrderRole.Entry, ticket.ClientOrderId, ticket.StopClientOrderId);
        order.AttachedStop = ticket.StopPrice;
        var book = Book(ticket.Symbol);
        var refusal = ticket switch
        {
            { Quantity: <= 0 } => "quantity must be positive",
            _ when ticket.Quantity != decimal.Truncate(ticket.Quantity) => "quantity must be whole shares",
            { LimitPrice: <= 0 } => "a limit price must be positive",
            { StopPrice: <= 0 } => "a stop price must be positive",
            { Side: OrderSide.Sell } when !Options.AllowShort && book.Sign <= 0 => "shorts are not allowed on this account",
            _ => null,
        };
        if (refusal is not null)
        {
            order.Status = ExchangeOrderStatus.Rejected;
            _events.Add(new ExecutionEvent(ExecutionEventKind.Rejected, ticket.DecisionTime, order.Order, order.ClientOrderId, Reason: refusal));
            return order;
        }

        book.Working.Add(order);
        Report(ExecutionEventKind.Accepted, ticket.DecisionTime, order);
        return order;
    }

    public void SubmitExit(ExitTicket ticket) => SubmitExitOrder(ticket);

    /// <summary>Accepts a market exit of <see cref="ExitTicket.Quantity"/> shares (the whole position when decided).</summary>
    public ExchangeOrder SubmitExitOrder(ExitTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        if (Known(ticket.ClientOrderId) is { } known)
        {
            return known;
        }

        var order = Create(new Order(NextId(), ticket.Symbol, ticket.Side, ticket.Quantity, OrderType.Market, ticket.DecisionTime,
            Reason: ticket.Reason), OrderRole.Exit, ticket.ClientOrderId);
        if (ticket.Quantity <= 0)
        {
            order.Status = ExchangeOrderStatus.Rejected;
            _events.Add(new ExecutionEvent(ExecutionEventKind.Rejected, ticket.DecisionTime, order.Order, order.ClientOrderId,
                Reason: "quantity must be positive"));
            return order;
        }

        Book(ticket.Symbol).Working.Add(order);
        Report(ExecutionEventKind.Accepted, ticket.DecisionTime, order);
        return order;
    }

    /// <summary>Moves the protective stop: amends the resting one, places one for an open position that has none, or
    /// moves the level a working entry will place. A stop that already triggered is left to finish.</summary>
    public void MoveStop(in StopTicket ticket)
    {
        var book = Book(ticket.Symbol);
        if (book.Stop is { } stop)
        {
            if (!stop.Triggered && stop.Side == ticket.Side && stop.StopLevel != ticket.StopPrice)
            {
                Amend(stop, ticket.StopPrice, ticket.DecisionTime, ticket.Reason);
            }

            return;
        }

        var stopReduces = ticket.Side == OrderSide.Sell ? book.Sign > 0 : book.Sign < 0;
        if (stopReduces)
        {
            PlaceStop(book, ticket.Side, Math.Abs(book.Position), ticket.StopPrice, ticket.DecisionTime, ticket.Reason,
                ticket.ClientOrderId);
            return;
        }

        foreach (var entry in book.Working)
        {
            if (entry.Role == OrderRole.Entry && entry.Side != ticket.Side)
            {
                entry.AttachedStop = ticket.StopPrice;
            }
        }
    }

    public void CancelWorkingEntries(Symbol symbol, OrderSide side, DateTime at, string reason)
    {
        if (!_books.TryGetValue(symbol, out var book))
        {
            return;
        }

        for (var i = book.Working.Count - 1; i >= 0; i--)
        {
            var w = book.Working[i];
            if (w.Role == OrderRole.Entry && w.Side == side)
            {
                CancelAt(book, i, at, reason);
            }
        }
    }

    /// <summary>Cancels an open order (a broker front's cancel call).</summary>
    /// <returns>False when the order is not open.</returns>
    public bool Cancel(ExchangeOrder order, DateTime at, string reason = CancelReasons.Requested)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (!order.IsOpen)
        {
            return false;
        }

        var book = Book(order.Symbol);
        if (book.Stop == order)
        {
            book.Stop = null;
            Close(order, ExchangeOrderStatus.Cancelled, at, reason);
            return true;
        }

        var index = book.Working.IndexOf(order);
        if (index < 0)
        {
            return false;
        }

        CancelAt(book, index, at, reason);
        return true;
    }

    // ---- matching (driven by the trading loop) -----------------------------------------------------------------

    /// <summary>Cancels what is left of market and limit orders that worked in a session that has now ended, stamped at
    /// <paramref name="closeUtc"/>, that session's close.</summary>
    public void EndSession(DateTime closeUtc)
    {
        foreach (var book in _bookList)
        {
            for (var i = book.Working.Count - 1; i >= 0; i--)
            {
                if (book.Working[i].Day is not null)
                {
                    CancelAt(book, i, closeUtc, CancelReasons.SessionEnd);
                }
            }
        }
    }

    /// <summary>All three phases of one symbol's bar (reducing orders, entries, stop): the single-symbol path.</summary>
    public void Match(SymbolBook book, in Bar bar, int day)
    {
        if (book.Working.Count > 0)
        {
            FillReducing(book, in bar, day);
            FillEntries(book, in bar, day);
        }
        else if (book.Stop is { Triggered: true })
        {
            FillReducing(book, in bar, day);
        }

        // Most bars of a position only check its resting stop.
        FillStop(book, in bar);
    }

    /// <summary>Phase 1 at the open: the rest of a triggered stop, then the exits, in submission order.</summary>
    public void FillReducing(SymbolBook book, in Bar bar, int day)
    {
        if (book.Stop is { Triggered: true } triggered && book.Sign != 0)
        {
            var take = Math.Min(Math.Abs(book.Position), FillModel.VolumeCap(bar.Volume));
            if (take > 0)
            {
                Book(book, triggered, take, FillModel.SlippedPrice(triggered.Side, bar.Open), bar.Timestamp, ExitReasons.Stop);
            }
        }

        for (var i = 0; i < book.Working.Count; i++)
        {
            var w = book.Working[i];
            if (w.Role != OrderRole.Exit)
            {
                continue;
            }

            w.Day ??= day;
            var closes = w.Side == OrderSide.Sell ? book.Sign > 0 : book.Sign < 0;
            if (!closes)
            {
                CancelAt(book, i--, bar.Timestamp, CancelReasons.NothingToClose);
                continue;
            }

            var take = Math.Min(Math.Min(Math.Abs(book.Position), w.Remaining), FillModel.VolumeCap(bar.Volume));
            if (take > 0 && Book(book, w, take, FillModel.SlippedPrice(w.Side, bar.Open), bar.Timestamp, ExitReasons.Signal))
            {
                i = -1; // the book changed (flat: its reducing orders closed); scan again from the start
            }
        }
    }

    /// <summary>Phase 2 at the open: entries, market and limit, in submission order.</summary>
    public void FillEntries(SymbolBook book, in Bar bar, int day)
    {
        for (var i = 0; i < book.Working.Count; i++)
        {
            var w = book.Working[i];
            if (w.Role != OrderRole.Entry)
            {
                continue;
            }

            w.Day ??= day;
            var opposite = w.Side == OrderSide.Buy ? book.Sign < 0 : book.Sign > 0;
            if (opposite)
            {
                CancelAt(book, i--, bar.Timestamp, CancelReasons.OppositePosition);
                continue;
            }

            decimal price;
            if (w.Order.LimitPrice is { } limit)
            {
                var through = w.Side == OrderSide.Buy ? bar.Low < limit : bar.High > limit;
                if (!through)
                {
                    continue;
                }

                price = w.Side == OrderSide.Buy ? Math.Min(bar.Open, limit) : Math.Max(bar.Open, limit);
            }
            else
            {
                price = FillModel.SlippedPrice(w.Side, bar.Open);
            }

            var wanted = Math.Min(w.Remaining, FillModel.VolumeCap(bar.Volume));
            var quantity = w.Side == OrderSide.Buy ? FillModel.AffordableQuantity(wanted, price, Portfolio.Cash) : wanted;
            if (quantity > 0)
            {
                // A buy cut by cash fills no further, so its protective stop is for the shares it bought.
                Book(book, w, quantity, price, bar.Timestamp, ExitReasons.Signal, lastOfOrder: quantity < wanted);
            }

            if (quantity < wanted && w.IsOpen)
            {
                // Cash, not volume, cut the buy: the rest can never be paid for.
                CancelAt(book, book.Working.IndexOf(w), bar.Timestamp, CancelReasons.InsufficientCash);
                i--;
            }
            else if (!w.IsOpen)
            {
                i--; // it completed and left the working list
            }
        }
    }

    /// <summary>Phase 3 within the bar: the resting protective stop.</summary>
    public void FillStop(SymbolBook book, in Bar bar)
    {
        if (book.Stop is not { Triggered: false, StopLevel: { } level } stop || book.Sign == 0)
        {
            return;
        }

        decimal price;
        if (book.Sign > 0 && stop.Side == OrderSide.Sell && bar.Low <= level)
        {
            price = bar.Open <= level ? FillModel.SlippedPrice(OrderSide.Sell, bar.Open) : level;
        }
        else if (book.Sign < 0 && stop.Side == OrderSide.Buy && bar.High >= level)
        {
            price = bar.Open >= level ? FillModel.SlippedPrice(OrderSide.Buy, bar.Open) : level;
        }
        else
        {
            return;
        }

        stop.Triggered = true;
        var take = Math.Min(Math.Abs(book.Position), FillModel.VolumeCap(bar.Volume));
        if (take > 0)
        {
            Book(book, stop, take, price, bar.Timestamp, ExitReasons.Stop);
        }
    }

    /// <summary>The data ended: cancels the symbol's working orders and closes its position at <paramref name="lastBar"/>'s
    /// close without slippage (commission applies), exit reason <see cref="ExitReasons.EndOfData"/>.</summary>
    public void CloseAtEnd(SymbolBook book, Bar lastBar)
    {
        for (var i = book.Working.Count - 1; i >= 0; i--)
        {
            CancelAt(book, i, lastBar.Timestamp, CancelReasons.EndOfData);
        }

        if (book.Sign == 0)
        {
            return;
        }

        var quantity = Math.Abs(book.Position);
        var side = book.Sign > 0 ? OrderSide.Sell : OrderSide.Buy;
        var order = Create(new Order(NextId(), book.Symbol, side, quantity, OrderType.Market, lastBar.Timestamp,
            Reason: ExitReasons.EndOfData), OrderRole.Exit, null);
        Book(book, order, quantity, lastBar.Close, lastBar.Timestamp, ExitReasons.EndOfData);
    }

    // ---- snapshots -----------------------------------------------------------------------------------------------

    /// <summary>Everything this exchange holds; <see cref="FromState"/> rebuilds an equivalent one.</summary>
    public ExchangeState ExportState() => new(
        Options.InitialCapital,
        _nextId,
        _orders.Select(o => new ExchangeOrderState(o.Order, o.Role, o.ClientOrderId, o.StopClientOrderId, o.Status, o.Filled,
            o.FilledValue, o.UpdatedAt, o.StopLevel, o.AttachedStop, o.Day, o.Triggered, Book(o.Symbol).Stop == o)).ToArray(),
        _fills.ToArray(),
        _fillReasons.ToArray(),
        _cancellations.ToArray(),
        _amendments.ToArray(),
        _bookList.Where(b => b.Mark != 0).ToDictionary(b => b.Symbol.Value, b => b.Mark, StringComparer.Ordinal));

    /// <summary>Rebuilds an exchange from a snapshot with <paramref name="options"/>'s rules (its capital is the snapshot's):
    /// orders and their state as they were; cash, positions and round trips re-booked from the fills.</summary>
    /// <param name="symbols">The watchlist, registered first so book order matches a run that started fresh.</param>
    public static SimulatedExchange FromState(ExchangeState state, ExchangeOptions options, IEnumerable<Symbol>? symbols = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(options);
        if (state.Fills.Count != state.FillReasons.Count)
        {
            throw new FormatException("The exchange snapshot has a fill without its reason.");
        }

        var exchange = new SimulatedExchange(options with { InitialCapital = state.InitialCash });
        foreach (var symbol in symbols ?? [])
        {
            exchange.Book(symbol);
        }

        for (var i = 0; i < state.Fills.Count; i++)
        {
            var fill = state.Fills[i];
            exchange.Portfolio.Apply(fill);
            exchange.LowestCash = Math.Min(exchange.LowestCash, exchange.Portfolio.Cash);
            exchange._fills.Add(fill);
            exchange._fillReasons.Add(state.FillReasons[i]);
            exchange._ledger.Book(fill, state.FillReasons[i]);
            var book = exchange.Book(fill.Symbol);
            book.Position = exchange.Portfolio.GetPosition(fill.Symbol).Quantity;
            book.Sign = Math.Sign(book.Position);
        }

        foreach (var o in state.Orders)
        {
            var order = exchange.Create(o.Order, o.Role, o.ClientOrderId, o.StopClientOrderId);
            order.Status = o.Status;
            order.Filled = o.Filled;
            order.FilledValue = o.FilledValue;
            order.UpdatedAt = o.UpdatedAt;
            order.StopLevel = o.StopLevel;
            order.AttachedStop = o.AttachedStop;
            order.Day = o.Day;
            order.Triggered = o.Triggered;
            if (order.IsOpen)
            {
                var book = exchange.Book(order.Symbol);
                if (o.IsResting)
                {
                    book.Stop = order;
                }
                else if (order.Role != OrderRole.Stop)
                {
                    book.Working.Add(order);
                }
            }
        }

        exchange._nextId = state.NextId;
        exchange._cancellations.AddRange(state.Cancellations);
        exchange._amendments.AddRange(state.StopAmendments);
        foreach (var (symbol, mark) in state.Marks)
        {
            exchange.Book(new Symbol(symbol)).Mark = mark;
        }

        return exchange;
    }

    // ---- booking -------------------------------------------------------------------------------------------------

    /// <summary>Books one execution of <paramref name="order"/>; returns true when it left the symbol flat.</summary>
    /// <param name="lastOfOrder">No more of <paramref name="order"/> will fill (its rest is about to be cancelled): a
    /// protective stop placed now covers the position only, not the rest.</param>
    private bool Book(SymbolBook book, ExchangeOrder order, decimal quantity, decimal price, DateTime time, string exitReason,
        bool lastOfOrder = false)
    {
        var fee = FillModel.Commission(quantity);
        var fill = new Fill(order.Id, book.Symbol, order.Side, quantity, price, fee, time);
        Portfolio.Apply(fill);
        LowestCash = Math.Min(LowestCash, Portfolio.Cash);
        _fills.Add(fill);
        var before = book.Position;
        var reduces = before != 0 && (order.Side == OrderSide.Sell) == (before > 0);
        var reason = reduces ? exitReason : ExitReasons.Signal;
        _fillReasons.Add(reason);
        var closed = _ledger.Book(fill, reason);
        book.Position = Portfolio.GetPosition(book.Symbol).Quantity;
        book.Sign = Math.Sign(book.Position);

        order.Filled += quantity;
        order.FilledValue += quantity * price;
        order.UpdatedAt = time;
        var complete = order.Filled >= order.Quantity;
        order.Status = complete ? ExchangeOrderStatus.Filled : ExchangeOrderStatus.PartiallyFilled;
        _events.Add(new ExecutionEvent(ExecutionEventKind.Fill, time, order.Order, order.ClientOrderId, fill, closed, reason,
            order.Filled, complete, ExecutionId: ReportsBookkeeping ? string.Create(CultureInfo.InvariantCulture, $"{order.Id}-x{_fills.Count}") : null));
        if (complete)
        {
            book.Working.Remove(order);
        }

        if (order.Role == OrderRole.Entry && order.AttachedStop is { } level && book.Sign != 0)
        {
            // The protective stop rests from the moment its entry fills, for the whole position.
            var stopSide = order.Side.Opposite();
            if (book.Stop is { Triggered: false } resting && resting.Side == stopSide)
            {
                if (resting.StopLevel != level)
                {
                    Amend(resting, level, time, order.Order.Reason);
                }
            }
            else if (book.Stop is null)
            {
                // Placed when its entry fills: the stop order exists from then on (its reason is the entry's).
                PlaceStop(book, stopSide, Math.Abs(book.Position) + (lastOfOrder ? 0m : order.Remaining), level, time, order.Order.Reason,
                    order.StopClientOrderId);
            }
        }

        if (book.Sign != 0)
        {
            return false;
        }

        // Flat: nothing is left to protect or close.
        if (book.Stop is { } stop)
        {
            book.Stop = null;
            if (stop.IsOpen)
            {
                Close(stop, ExchangeOrderStatus.Cancelled, time, CancelReasons.PositionClosed);
            }
        }

        for (var i = book.Working.Count - 1; i >= 0; i--)
        {
            if (book.Working[i].Role == OrderRole.Exit)
            {
                CancelAt(book, i, time, CancelReasons.PositionClosed);
            }
        }

        return true;
    }

    private void PlaceStop(SymbolBook book, OrderSide side, decimal quantity, decimal level, DateTime decisionTime, string reason,
        string? clientOrderId)
    {
        var stop = Create(new Order(NextId(), book.Symbol, side, quantity, OrderType.Stop, decisionTime, StopPrice: level,
            Reason: reason), OrderRole.Stop, clientOrderId);
        book.Stop = stop;
        Report(ExecutionEventKind.Accepted, decisionTime, stop);
    }

    private void Amend(ExchangeOrder stop, decimal level, DateTime at, string reason)
    {
        stop.StopLevel = level;
        stop.UpdatedAt = at;
        _amendments.Add(new StopAmendment(stop.Id, at, level, reason));
        if (!ReportsBookkeeping)
        {
            return;
        }

        _events.Add(new ExecutionEvent(ExecutionEventKind.StopMoved, at, stop.Order, stop.ClientOrderId, Reason: reason,
            FilledQuantity: stop.Filled, Price: level));
    }

    private void CancelAt(SymbolBook book, int index, DateTime at, string reason)
    {
        var order = book.Working[index];
        book.Working.RemoveAt(index);
        Close(order, ExchangeOrderStatus.Cancelled, at, reason);
    }

    private void Close(ExchangeOrder order, ExchangeOrderStatus status, DateTime at, string reason)
    {
        order.Status = status;
        order.UpdatedAt = at;
        _cancellations.Add(new Cancellation(order.Id, order.Remaining, at, reason));
        if (ReportsBookkeeping)
        {
            _events.Add(new ExecutionEvent(ExecutionEventKind.Cancelled, at, order.Order, order.ClientOrderId, Reason: reason,
                FilledQuantity: order.Filled));
        }
    }

    /// <summary>Queues an accept (or other bookkeeping) event when someone journals them.</summary>
    private void Report(ExecutionEventKind kind, DateTime at, ExchangeOrder order)
    {
        if (ReportsBookkeeping)
        {
            _events.Add(new ExecutionEvent(kind, at, order.Order, order.ClientOrderId));
        }
    }

    private ExchangeOrder? Known(string? clientOrderId) =>
        clientOrderId is not null && _byClientId.TryGetValue(clientOrderId, out var existing) ? existing : null;

    private ExchangeOrder Create(Order order, OrderRole role, string? clientOrderId, string? stopClientOrderId = null)
    {
        var created = new ExchangeOrder(order, role, clientOrderId) { StopClientOrderId = stopClientOrderId };
        _orders.Add(created);
        _byId[created.Id] = created;
        if (clientOrderId is not null)
        {
            _byClientId[clientOrderId] = created;
        }

        return created;
    }

    private string NextId() => string.Create(CultureInfo.InvariantCulture, $"o{++_nextId}");
}
