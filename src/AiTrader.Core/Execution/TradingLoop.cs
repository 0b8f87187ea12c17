using AiTrader.Core.Domain;
using AiTrader.Core.Risk;
using AiTrader.Core.Sessions;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Execution;

/// <summary>One symbol's bar at a bar time, as a driver hands it to <see cref="TradingLoop.Step"/>.</summary>
/// <param name="leg">The symbol's index in the loop's watchlist.</param>
/// <param name="bar">The bar.</param>
/// <param name="badPrint">Why the outlier check flagged the bar, or null for a good bar.</param>
/// <param name="sourceIndex">The bar's index in its series (history drivers), or −1 for a feed.</param>
public readonly struct LegBar(int leg, Bar bar, string? badPrint = null, int sourceIndex = -1)
{
    public readonly int Leg = leg;

    // A field, not a property, so the loop can pass the bar on by reference.
    public readonly Bar Bar = bar;

    public readonly string? BadPrint = badPrint;

    public readonly int SourceIndex = sourceIndex;
}

/// <summary>What the loop does beyond the venue's rules: the traded session and a flatten window.</summary>
/// <param name="Timeframe">The bar interval (intraday bars are checked against the session hours, daily bars only against the day).</param>
/// <param name="FlattenMinutesBeforeClose">When set, every position is exited this many minutes before the close and
/// nothing is opened after.</param>
public sealed record LoopOptions(Timeframe Timeframe, int? FlattenMinutesBeforeClose = null);

/// <summary>One traded symbol: its strategy and what the loop keeps for it.</summary>
public sealed class TradingLeg
{
    internal TradingLeg(int index, Symbol symbol, IStrategy strategy, Timeframe timeframe, bool allowShort, TradedBars bars)
    {
        Index = index;
        Symbol = symbol;
        Strategy = strategy;
        Bars = bars;
        Context = new StrategyContext(symbol, timeframe, bars, 0m, 0m, 0m, null, allowShort);
    }

    public int Index { get; }

    public Symbol Symbol { get; }

    public IStrategy Strategy { get; }

    internal TradedBars Bars { get; }

    internal StrategyContext Context { get; }

    internal SymbolBook? Book { get; set; }

    /// <summary>The last traded (good, in-session) bar: the last one the strategy saw (read, not copied per bar).</summary>
    public Bar? LastTraded => Bars.Count > 0 ? Bars[Bars.Count - 1] : null;

    /// <summary>Bars skipped as bad prints.</summary>
    public int Flagged { get; internal set; }

    /// <summary>Bars outside the traded session (pre-market, after-hours, closed days).</summary>
    public int OutsideSession { get; internal set; }

    /// <summary>Bars the strategy saw.</summary>
    public int Traded => Bars.Count;
}

/// <summary>The one trading loop: backtests (a series, or many on one account), paper replays and live sessions all run
/// their bars through <see cref="Step"/>; only the driver (history, replay feed, live stream), the venue (the simulated
/// exchange, or a broker adapter) and the clock differ.</summary>
/// <remarks>
/// Per bar time t, with the symbols that have a bar at t in watchlist order:
/// <list type="number">
/// <item>Bad prints (flagged by the outlier check) are skipped for their symbol: no fill, no decision.</item>
/// <item>Bars outside the traded session (see <see cref="SessionClock"/>) are skipped the same way: the strategy does not
/// see them and nothing fills on them. When t starts a new session, what was left of orders from the previous one is
/// cancelled at its close.</item>
/// <item>At the simulated exchange, the symbols' orders fill in three passes (reducing orders at the open, entries at
/// the open, stops within the bar; see <see cref="SimulatedExchange"/>).</item>
/// <item>The venue's events reach the strategies (<see cref="IStrategy.OnFill"/>, <see cref="IStrategy.OnTradeClosed"/>),
/// the sizing stage, the guardrails and the journal; the guardrails see the equity.</item>
/// <item>Each symbol is marked at its close, then each strategy decides on bars 0..t and the account (shared equity when
/// several symbols trade), and the order router routes its intents.</item>
/// </list>
/// Nothing decided at t fills before the next bar of its symbol.
/// </remarks>
public sealed class TradingLoop
{
    private readonly IExecutionVenue _venue;
    private readonly SimulatedExchange? _exchange;
    private readonly OrderRouter _router;
    private readonly TradingLeg[] _legs;
    private readonly Dictionary<Symbol, TradingLeg> _bySymbol = [];
    private readonly SessionClock _clock;
    private readonly LoopOptions _options;
    private readonly GuardrailSet? _guardrails;
    private readonly IExecutionJournal? _journal;
    private int _tradedDay = int.MinValue;
    private DateTime _lastTradedTime;
    private readonly int _flattenMinutes;

    /// <param name="legs">The watchlist, in order: one strategy instance per symbol (each is reset here).</param>
    /// <param name="sources">Per leg, the series the history driver walks (bars read in place); null entries (or none)
    /// for a feed.</param>
    public TradingLoop(IExecutionVenue venue, OrderRouter router, ExchangeOptions account, LoopOptions options,
        IReadOnlyList<(Symbol Symbol, IStrategy Strategy)> legs, IReadOnlyList<IReadOnlyList<Bar>?>? sources = null,
        IExecutionJournal? journal = null)
    {
        ArgumentNullException.ThrowIfNull(venue);
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(legs);
        if (legs.Count == 0)
        {
            throw new ArgumentException("The loop needs at least one symbol.", nameof(legs));
        }

        _venue = venue;
        _exchange = venue as SimulatedExchange;
        if (_exchange is not null && journal is null)
        {
            _exchange.ReportsBookkeeping = false;
        }

        _router = router;
        _options = options;
        _flattenMinutes = options.FlattenMinutesBeforeClose ?? -1;
        _journal = journal;
        _guardrails = router.Guardrails;
        _clock = new SessionClock(account.Calendar, account.ExtendedHours, options.Timeframe);
        _legs = new TradingLeg[legs.Count];
        var strategies = new HashSet<IStrategy>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < legs.Count; i++)
        {
            var (symbol, strategy) = legs[i];
            ArgumentNullException.ThrowIfNull(strategy);
            if (_bySymbol.ContainsKey(symbol))
            {
                throw new ArgumentException($"Symbol {symbol} appears twice in the watchlist.", nameof(legs));
            }

            if (!strategies.Add(strategy))
            {
                throw new ArgumentException($"{symbol} shares a strategy instance with another symbol; strategies keep per-symbol state, so give each symbol its own.", nameof(legs));
            }

            var source = sources is not null && i < sources.Count ? sources[i] : null;
            var leg = new TradingLeg(i, symbol, strategy, options.Timeframe, account.AllowShort, new TradedBars(source))
            {
                Book = _exchange?.Book(symbol),
            };
            strategy.Reset();
            _legs[i] = leg;
            _bySymbol[symbol] = leg;
        }
    }

    public IReadOnlyList<TradingLeg> Legs => _legs;

    public IExecutionVenue Venue => _venue;

    public OrderRouter Router => _router;

    /// <summary>The exchange session of the last traded bar time (null before the first, or without a calendar).</summary>
    public TradingSession? CurrentSession { get; private set; }

    /// <summary>The last bar time that traded.</summary>
    public DateTime? LastTradedTime => _tradedDay == int.MinValue ? null : _lastTradedTime;


    /// <summary>Whether bars at <paramref name="time"/> are traded, and the exchange session that day.</summary>
    public bool IsTraded(DateTime time, out TradingSession? session)
    {
        var traded = _clock.IsTraded(time);
        session = _clock.Session;
        return traded;
    }

    /// <summary>Runs one bar time: <paramref name="bars"/> all share one timestamp and come in watchlist order.</summary>
    /// <returns>How many symbols traded at this bar time (0 when every bar was flagged or outside the session).</returns>
    public int Step(ReadOnlySpan<LegBar> bars)
    {
        if (bars.Length == 1)
        {
            ref readonly var only = ref bars[0];
            return StepOne(only.Leg, in only.Bar, only.BadPrint, only.SourceIndex) ? 1 : 0;
        }

        if (bars.Length == 0)
        {
            return 0;
        }

        var time = bars[0].Bar.Timestamp;
        if (!Begin(time))
        {
            foreach (ref readonly var b in bars)
            {
                var leg = _legs[b.Leg];
                if (b.BadPrint is not null)
                {
                    leg.Flagged++;
                }
                else
                {
                    leg.OutsideSession++;
                }
            }

            return 0;
        }

        Span<bool> traded = bars.Length <= 64 ? stackalloc bool[bars.Length] : new bool[bars.Length];
        var count = 0;
        for (var i = 0; i < bars.Length; i++)
        {
            ref readonly var b = ref bars[i];
            if (b.BadPrint is not null)
            {
                _legs[b.Leg].Flagged++;
            }
            else
            {
                traded[i] = true;
                count++;
            }
        }

        if (count == 0)
        {
            return 0;
        }

        if (_exchange is not null)
        {
            // Reducing orders of every symbol at the open, then every entry at the open, then the stops within the bar.
            for (var pass = 0; pass < 3; pass++)
            {
                for (var i = 0; i < bars.Length; i++)
                {
                    if (!traded[i])
                    {
                        continue;
                    }

                    ref readonly var b = ref bars[i];
                    var book = _legs[b.Leg].Book!;
                    if (book.IsIdle)
                    {
                        continue;
                    }

                    switch (pass)
                    {
                        case 0:
                            _exchange.FillReducing(book, in b.Bar, _clock.Day);
                            break;
                        case 1:
                            _exchange.FillEntries(book, in b.Bar, _clock.Day);
                            break;
                        default:
                            _exchange.FillStop(book, in b.Bar);
                            break;
                    }
                }
            }
        }

        for (var i = 0; i < bars.Length; i++)
        {
            if (traded[i])
            {
                ref readonly var b = ref bars[i];
                _router.OnMatched(_legs[b.Leg].Symbol);
                _venue.Mark(_legs[b.Leg].Symbol, b.Bar.Close);
            }
        }

        DispatchEvents();
        _guardrails?.OnEquity(time, _venue.Equity);

        var equity = _venue.Equity;
        var cash = _venue.Cash;
        for (var i = 0; i < bars.Length; i++)
        {
            if (traded[i])
            {
                ref readonly var b = ref bars[i];
                Decide(_legs[b.Leg], in b.Bar, b.SourceIndex, cash, equity, shared: true);
            }
        }

        DispatchEvents();
        return count;
    }

    /// <summary>One symbol's bar at its own bar time: the single-symbol path of <see cref="Step"/>, the same rules with
    /// nothing allocated per bar.</summary>
    /// <returns>True when the bar traded.</returns>
    public bool StepOne(int legIndex, in Bar bar, string? badPrint = null, int sourceIndex = -1)
    {
        var leg = _legs[legIndex];
        if (badPrint is not null)
        {
            leg.Flagged++;
            return false;
        }

        if (!Begin(bar.Timestamp))
        {
            leg.OutsideSession++;
            return false;
        }

        var book = leg.Book;
        if (book is not null)
        {
            book.Mark = bar.Close;
            if (!book.IsIdle)
            {
                _exchange!.Match(book, in bar, _clock.Day);
                _router.OnMatched(leg.Symbol);
                if (_exchange.EventCount > 0)
                {
                    // Fills reach the strategy, the sizing stage and the guardrails before the decision.
                    DispatchEvents();
                }
            }
        }
        else
        {
            _venue.Mark(leg.Symbol, bar.Close);
            if (HasEvents)
            {
                DispatchEvents();
            }
        }

        if (_guardrails is not null)
        {
            _guardrails.OnEquity(bar.Timestamp, _venue.Equity);
        }

        var shared = _legs.Length > 1;
        Decide(leg, in bar, sourceIndex, shared ? _venue.Cash : 0m, shared ? _venue.Equity : 0m, shared);
        if (HasEvents)
        {
            DispatchEvents();
        }

        return true;
    }

    /// <summary>Ends the current session: cancels what is left of its orders at its close. Drivers call it when they know
    /// the session is over (a live clock past the close, the end of a replay) before journaling its summary; a later bar
    /// of a new session does the same by itself.</summary>
    public void EndSession()
    {
        if (_tradedDay == int.MinValue)
        {
            return;
        }

        _venue.EndSession(CurrentSession?.CloseUtc ?? LastTradedEnd);
        DispatchEvents();
    }

    /// <summary>Closes every open position at its symbol's last traded close (backtests end this way; live runs do not).</summary>
    public void CloseAtEnd()
    {
        if (_exchange is null)
        {
            throw new InvalidOperationException("Only the simulated exchange closes positions at the end of the data.");
        }

        foreach (var leg in _legs)
        {
            if (leg.LastTraded is { } last)
            {
                _exchange.CloseAtEnd(leg.Book!, last);
            }
        }

        DispatchEvents();
    }

    /// <summary>The first traded bar of a new day: the previous session ends (its leftovers cancelled at its close).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void NewSession()
    {
        if (_tradedDay != int.MinValue)
        {
            _venue.EndSession(CurrentSession?.CloseUtc ?? LastTradedEnd);
        }

        _tradedDay = _clock.Day;
        CurrentSession = _clock.Session;
    }

    /// <summary>The end of the last traded bar: a session's close when there is no calendar to give one.</summary>
    private DateTime LastTradedEnd => _lastTradedTime + _options.Timeframe.Duration;

    /// <summary>Events waiting at the venue (read off the exchange directly on the hot path: no interface call).</summary>
    private bool HasEvents => _exchange is not null ? _exchange.EventCount > 0 : _venue.PendingEvents.Count > 0;

    /// <summary>Classifies the bar time; at the first traded bar of a new session, ends the previous one.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool Begin(DateTime time)
    {
        if (!_clock.IsTraded(time))
        {
            return false;
        }

        if (_clock.Day != _tradedDay)
        {
            NewSession();
        }

        _lastTradedTime = time;
        return true;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void Decide(TradingLeg leg, in Bar bar, int sourceIndex, decimal cash, decimal equity, bool shared)
    {
        leg.Bars.Keep(sourceIndex, in bar);
        var context = leg.Context;
        if (leg.Book is { } book)
        {
            if (shared)
            {
                context.UpdateShared(in bar, book.Position, book.Sign, cash, equity, book.ProtectiveStop);
            }
            else
            {
                context.UpdateMarked(in bar, book.Position, book.Sign, _exchange!.Cash, book.ProtectiveStop);
            }
        }
        else
        {
            var position = _venue.PositionOf(leg.Symbol);
            context.UpdateShared(in bar, position, Math.Sign(position), _venue.Cash, _venue.Equity, _venue.ProtectiveStopOf(leg.Symbol));
        }

        var intents = leg.Strategy.OnBar(context);
        if (_flattenMinutes >= 0 && CurrentSession is { } session && bar.Timestamp >= session.CloseUtc.AddMinutes(-_flattenMinutes))
        {
            intents = Flatten(intents, context.PositionQuantity, _flattenMinutes);
        }

        // Most bars bring no intents, usually as an empty array: testing that type first spares the router call and the
        // interface dispatch of Count.
        if (intents is not OrderIntent[] { Length: 0 })
        {
            _router.Route(leg.Symbol, in bar, intents, leg.Book?.Position ?? _venue.PositionOf(leg.Symbol));
        }
    }

    /// <summary>Inside the flatten window: no entries, and an exit for an open position.</summary>
    private static List<OrderIntent> Flatten(IReadOnlyList<OrderIntent> intents, decimal position, int minutes)
    {
        var kept = intents.Where(i => i.Kind != IntentKind.Entry).ToList();
        if (position != 0 && !kept.Any(i => i.Kind == IntentKind.Exit))
        {
            kept.Insert(0, OrderIntent.Exit(position > 0 ? PositionSide.Long : PositionSide.Short,
                $"flatten {minutes} minutes before the close"));
        }

        return kept;
    }

    /// <summary>Hands the venue's events to the strategies, the sizing stage, the guardrails and the journal, in order
    /// (a broker venue's drivers call it after sending the bar time's commands).</summary>
    public void DispatchEvents()
    {
        var events = _venue.PendingEvents;
        if (events.Count == 0)
        {
            return;
        }

        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (e.Kind == ExecutionEventKind.Fill && e.Fill is { } fill)
            {
                var leg = _bySymbol.GetValueOrDefault(fill.Symbol);
                leg?.Strategy.OnFill(fill);
                _guardrails?.OnFill(fill);
                if (e.ClosedTrade is { } trade)
                {
                    _router.OnTradeClosed(trade);
                    leg?.Strategy.OnTradeClosed(trade);
                }
            }

            _journal?.Event(e);
        }

        _venue.ClearEvents();
    }
}
