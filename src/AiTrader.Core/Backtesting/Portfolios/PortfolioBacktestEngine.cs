using System.Globalization;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Backtesting.Portfolios;

/// <summary>Drives one strategy instance per symbol over the union of their bars, all booking into one cash account.</summary>
/// <remarks>
/// <para>Per distinct timestamp t of the union (in time order), for the symbols that have a bar at t:
/// (1) pending orders execute against that bar through each symbol's <see cref="SimulatedBroker"/> (market orders at the
/// open, then the resting stop), symbols with a pending exit first, then those with a pending entry, then the rest, so
/// cash freed by exits at the open can fund entries at the same open while cash from a stop hit later in the day
/// cannot; ties go in the order the symbols were given. Buys are cut to the shared cash, so cash never goes negative on
/// a long-only account. (2) Each strategy sees its own bars 0..t and a context whose Cash is the shared cash and whose
/// Equity is the whole account (cash plus every position at its symbol's last good close, all closes at t included);
/// its entries are then cut to the exposure limits (see <see cref="ExposureLimits"/>), priced at the decision close
/// moved by the slippage and counting entries already sent but not yet filled. (3) The account is marked.</para>
/// <para>A strategy that sizes from its own closed trades (<see cref="ILearnsFromOwnTrades"/>) is switched to reported
/// trades after its reset and told each of its symbol's round trips as it closes (before the decision at that bar), so
/// its win rate and payoff ratio never count other symbols' P&amp;L, which moves the shared cash too. It still sizes
/// against the whole account's equity and cash.</para>
/// <para>A flagged bar is skipped for its symbol exactly as <see cref="BacktestEngine"/> does (no fill, no decision,
/// marked at the last good close). When a symbol's bars end, its open position is closed at its last good close
/// (exit reason <see cref="ExitReasons.EndOfData"/>, commission, no slippage) and unfilled orders are dropped.</para>
/// <para>Limits are enforced when an entry is decided; later price moves (including the gap to the fill) can carry a
/// position above its limit, and nothing is sold to rebalance.</para>
/// </remarks>
public sealed class PortfolioBacktestEngine
{
    private readonly PortfolioBacktestOptions _options;
    private readonly FillModel _fillModel;

    public PortfolioBacktestEngine(PortfolioBacktestOptions? options = null)
    {
        _options = (options ?? new PortfolioBacktestOptions()).Validate();
        _fillModel = new FillModel(_options.Account);
    }

    public PortfolioBacktestOptions Options => _options;

    /// <summary>Runs every leg's strategy (after <see cref="IStrategy.Reset"/>) on one account.</summary>
    /// <exception cref="ArgumentException">No legs, a symbol twice, one strategy instance on two legs, mixed timeframes,
    /// or bars out of time order.</exception>
    public PortfolioBacktestResult Run(IReadOnlyList<PortfolioLeg> legs)
    {
        ArgumentNullException.ThrowIfNull(legs);
        Validate(legs);

        var account = _options.Account;
        var portfolio = new Portfolio(account.InitialCapital);
        var states = legs.Select(l => new LegState(l, new SimulatedBroker(l.Symbol, account, portfolio))).ToArray();
        var journal = new Journal();
        var limitEvents = new List<ExposureLimitEvent>();
        var skipped = new List<SkippedBar>();
        var equityCurve = new List<EquityPoint>();
        var lowestCash = portfolio.Cash;
        var active = new List<LegState>(states.Length);
        var clock = new SessionClock(account.Calendar, account.ExtendedHours, legs[0].Series.Timeframe);

        while (NextTimestamp(states) is { } t)
        {
            active.Clear();
            active.AddRange(states.Where(s => s.HasBarAt(t)));
            var canFill = clock.CanFill(t);

            // (1) Fills at this timestamp: exits first so their cash can fund entries at the same open.
            foreach (var leg in active.OrderBy(s => s.PendingExit ? 0 : s.PendingEntryValue > 0 ? 1 : 2))
            {
                var bar = leg.CurrentBar;
                if (leg.Flags.TryGetValue(bar.Timestamp, out var badPrint))
                {
                    skipped.Add(new SkippedBar(leg.Symbol, badPrint));
                    leg.DecidesNow = false;
                    continue;
                }

                leg.Broker.Execute(in bar, canFill, clock.Day);
                leg.ReportClosedTrades();
                journal.Collect(leg.Broker);
                lowestCash = Math.Min(lowestCash, portfolio.Cash);
                leg.PendingExit = false;
                leg.PendingEntryValue = 0m;
                leg.Accepted.Add(bar);
                leg.LastGood = bar;
                leg.DecidesNow = true;
            }

            // (2) Decisions at the close of t, every symbol's close at t already known.
            var equity = Equity(portfolio.Cash, states);
            foreach (var leg in active.Where(s => s.DecidesNow))
            {
                var bar = leg.CurrentBar;
                var context = new StrategyContext(leg.Symbol, leg.Series.Timeframe, leg.Visible, leg.Broker.PositionQuantity,
                    portfolio.Cash, equity, leg.Broker.ProtectiveStop, account.AllowShort);
                var intents = Limit(leg, leg.Strategy.OnBar(context), equity, states, bar, limitEvents);
                leg.Broker.Submit(intents, bar);
            }

            // A symbol whose bars end here closes out at its last good close, as the single-symbol engine does.
            foreach (var leg in active)
            {
                leg.Cursor++;
                if (leg.Cursor == leg.Series.Bars.Count && leg.LastGood is { } last)
                {
                    leg.Broker.CloseAtEnd(last);
                    leg.ReportClosedTrades();
                    journal.Collect(leg.Broker);
                    leg.PendingExit = false;
                    leg.PendingEntryValue = 0m;
                }
            }

            equity = Equity(portfolio.Cash, states);
            equityCurve.Add(new EquityPoint(t, equity, GrossValue(states)));
        }

        return new PortfolioBacktestResult(
            legs[0].Strategy.Name,
            _options,
            legs.Select(l => l.Symbol).ToArray(),
            legs.ToDictionary(l => l.Symbol, l => l.Series.Bars.Count),
            journal.Trades,
            equityCurve,
            journal.Fills,
            journal.Orders,
            skipped,
            limitEvents,
            lowestCash,
            portfolio.Cash);
    }

    private IReadOnlyList<OrderIntent> Limit(LegState leg, IReadOnlyList<OrderIntent> intents, decimal equity,
        IReadOnlyList<LegState> states, Bar decisionBar, List<ExposureLimitEvent> events)
    {
        if (intents.Count == 0)
        {
            return intents;
        }

        var limited = new List<OrderIntent>(intents.Count);
        var symbolValue = leg.HeldValue + leg.PendingEntryValue;
        var grossValue = GrossValue(states) + states.Sum(s => s.PendingEntryValue);
        foreach (var intent in intents)
        {
            if (intent.Kind == IntentKind.Exit)
            {
                // An exit earlier in the batch closes the position before an entry (a reversal) fills.
                leg.PendingExit = true;
                grossValue -= leg.HeldValue;
                symbolValue -= leg.HeldValue;
            }

            var shortRefused = intent.PositionSide == PositionSide.Short && !_options.Account.AllowShort;
            if (intent.Kind != IntentKind.Entry || intent.Quantity is not { } wanted || wanted <= 0 || shortRefused)
            {
                limited.Add(intent);
                continue;
            }

            var price = _fillModel.SlippedPrice(intent.Side, decisionBar.Close);
            var fit = ExposureLimits.Fit(_options.MaxSymbolWeight, _options.MaxGrossExposure, equity, symbolValue,
                grossValue, price, wanted);
            if (fit.BindingLimit is { } limit)
            {
                events.Add(new ExposureLimitEvent(decisionBar.Timestamp, leg.Symbol, wanted, fit.Quantity, limit));
            }

            if (fit.Quantity <= 0)
            {
                continue;
            }

            var value = fit.Quantity * price;
            symbolValue += value;
            grossValue += value;
            leg.PendingEntryValue += value;
            // The reason keeps the sizer's own numbers (e.g. Kelly's share count), so it says what cut them.
            limited.Add(fit.Quantity == wanted ? intent : intent with
            {
                Quantity = fit.Quantity,
                Reason = $"{intent.Reason}; cut to {fit.Quantity.ToString(CultureInfo.InvariantCulture)} shares by {fit.BindingLimit}",
            });
        }

        return limited;
    }

    private static decimal Equity(decimal cash, IReadOnlyList<LegState> states)
    {
        var equity = cash;
        foreach (var s in states)
        {
            equity += s.Broker.PositionQuantity * (s.LastGood?.Close ?? 0m);
        }

        return equity;
    }

    private static decimal GrossValue(IReadOnlyList<LegState> states) => states.Sum(s => s.HeldValue);

    private static DateTime? NextTimestamp(IReadOnlyList<LegState> states)
    {
        DateTime? next = null;
        foreach (var s in states)
        {
            if (s.Cursor < s.Series.Bars.Count && (next is null || s.CurrentBar.Timestamp < next))
            {
                next = s.CurrentBar.Timestamp;
            }
        }

        return next;
    }

    private static void Validate(IReadOnlyList<PortfolioLeg> legs)
    {
        if (legs.Count == 0)
        {
            throw new ArgumentException("A portfolio backtest needs at least one symbol.", nameof(legs));
        }

        var symbols = new HashSet<Symbol>();
        var strategies = new HashSet<IStrategy>(ReferenceEqualityComparer.Instance);
        foreach (var leg in legs)
        {
            ArgumentNullException.ThrowIfNull(leg);
            if (!symbols.Add(leg.Symbol))
            {
                throw new ArgumentException($"Symbol {leg.Symbol} appears twice in the portfolio.", nameof(legs));
            }

            if (!strategies.Add(leg.Strategy))
            {
                throw new ArgumentException($"{leg.Symbol} shares a strategy instance with another symbol; strategies keep per-symbol state, so give each symbol its own.", nameof(legs));
            }

            if (leg.Series.Timeframe != legs[0].Series.Timeframe)
            {
                throw new ArgumentException($"{leg.Symbol} has {leg.Series.Timeframe} bars, {legs[0].Symbol} has {legs[0].Series.Timeframe}; use one interval.", nameof(legs));
            }

            if (leg.Strategy.Name != legs[0].Strategy.Name)
            {
                throw new ArgumentException($"{leg.Symbol} runs {leg.Strategy.Name}, {legs[0].Symbol} runs {legs[0].Strategy.Name}; a portfolio run uses one strategy.", nameof(legs));
            }

            var bars = leg.Series.Bars;
            for (var i = 1; i < bars.Count; i++)
            {
                if (bars[i].Timestamp <= bars[i - 1].Timestamp)
                {
                    throw new ArgumentException(
                        $"{leg.Symbol}: bars must be in strictly increasing time order; bar {i} at {bars[i].Timestamp:O} follows {bars[i - 1].Timestamp:O}.",
                        nameof(legs));
                }
            }
        }
    }

    /// <summary>Gathers what the brokers booked, in booking order across symbols.</summary>
    private sealed class Journal
    {
        private readonly Dictionary<SimulatedBroker, (int Fills, int Trades, int Orders)> _seen = new();

        public List<Fill> Fills { get; } = [];

        public List<TradeRecord> Trades { get; } = [];

        public List<Order> Orders { get; } = [];

        public void Collect(SimulatedBroker broker)
        {
            var (fills, trades, orders) = _seen.GetValueOrDefault(broker);
            Orders.AddRange(broker.Orders.Skip(orders));
            Fills.AddRange(broker.Fills.Skip(fills));
            Trades.AddRange(broker.Trades.Skip(trades));
            _seen[broker] = (broker.Fills.Count, broker.Trades.Count, broker.Orders.Count);
        }
    }

    private sealed class LegState
    {
        // Round trips of this symbol already handed to the learner.
        private int _tradesReported;

        public LegState(PortfolioLeg leg, SimulatedBroker broker)
        {
            Leg = leg;
            Broker = broker;
            Accepted = new List<Bar>(leg.Series.Bars.Count);
            Visible = Accepted.AsReadOnly();
            Flags = leg.Series.FlagsByTime();

            leg.Strategy.Reset();
            // The shared cash moves with every symbol's fills, so a strategy that learns from its own trades is told them.
            Learner = leg.Strategy as ILearnsFromOwnTrades;
            Learner?.UseReportedTrades();
        }

        public PortfolioLeg Leg { get; }

        public Symbol Symbol => Leg.Symbol;

        public BarSeries Series => Leg.Series;

        public IStrategy Strategy => Leg.Strategy;

        public SimulatedBroker Broker { get; }

        public ILearnsFromOwnTrades? Learner { get; }

        public Dictionary<DateTime, BarFlag> Flags { get; }

        // The strategy's only window on prices: it grows one bar per step, so later bars are not there to be read.
        public List<Bar> Accepted { get; }

        public IReadOnlyList<Bar> Visible { get; }

        public int Cursor { get; set; }

        public Bar CurrentBar => Series.Bars[Cursor];

        public Bar? LastGood { get; set; }

        public bool DecidesNow { get; set; }

        public bool PendingExit { get; set; }

        /// <summary>Estimated value of entries sent but not yet filled, counted against the limits.</summary>
        public decimal PendingEntryValue { get; set; }

        public decimal HeldValue => Math.Abs(Broker.PositionQuantity * (LastGood?.Close ?? 0m));

        public bool HasBarAt(DateTime t) => Cursor < Series.Bars.Count && CurrentBar.Timestamp == t;

        /// <summary>Tells the learner (if any) the round trips this symbol's broker closed since the last call.</summary>
        public void ReportClosedTrades()
        {
            var trades = Broker.Trades;
            for (; _tradesReported < trades.Count; _tradesReported++)
            {
                Learner?.OnTradeClosed(trades[_tradesReported].Pnl);
            }
        }
    }
}
