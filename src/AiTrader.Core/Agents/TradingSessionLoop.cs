using System.Runtime.CompilerServices;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Brokers;
using AiTrader.Core.Brokers.Paper;
using AiTrader.Core.Domain;
using AiTrader.Core.IO;
using AiTrader.Core.Journal;
using AiTrader.Core.MarketData;
using AiTrader.Core.Risk;
using AiTrader.Core.Risk.Sizing;
using AiTrader.Core.Sessions;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Agents;

/// <summary>Settings of a replayed paper session: run id, watchlist, dates, bars, strategy, costs, flatten and pacing.</summary>
/// <param name="RunId">Names the client order ids and the snapshot file; the same id resumes a stopped run.</param>
/// <param name="StateDirectory">Where <c>paper/&lt;run-id&gt;.json</c> lives (AITRADER_DATA_DIR); null keeps no snapshot.</param>
/// <param name="FlattenMinutesBeforeClose">When set, exits every position this many minutes before the close and opens nothing after.</param>
/// <param name="ResetHalts">On start, manually reset a restored max-drawdown halt (once its cool-off is over).</param>
/// <param name="DelayPerBar">Simulated-clock pacing: how long to wait after each bar time (null = as fast as possible).</param>
public sealed record TradingSessionOptions(
    string RunId,
    IReadOnlyList<Symbol> Symbols,
    DateOnly From,
    DateOnly To,
    Timeframe Interval,
    string Strategy = "breakout",
    IReadOnlyDictionary<string, string>? Parameters = null,
    BacktestOptions? Costs = null,
    int? FlattenMinutesBeforeClose = null,
    TimeSpan? DelayPerBar = null,
    string? StateDirectory = null,
    PriceAdjustment Adjustment = PriceAdjustment.Split,
    SizingOptions? Sizing = null,
    bool ResetHalts = false)
{
    /// <summary>The regular-session, unflagged bars of every symbol from <see cref="From"/> to <see cref="To"/>, in time
    /// order (ties in watchlist order): the replay's feed.</summary>
    public BarFeed ReplayFeed(IBarSource source, ITradingCalendar calendar) => ct => ReplayAsync(source, calendar, ct);

    private async IAsyncEnumerable<(Symbol Symbol, Bar Bar)> ReplayAsync(IBarSource source, ITradingCalendar calendar,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var start = ExchangeTime.StartOfDateUtc(From);
        var end = ExchangeTime.EndOfDateUtc(To);
        var all = new List<(Symbol Symbol, Bar Bar, int Order)>();
        for (var i = 0; i < Symbols.Count; i++)
        {
            var series = await source.GetBarsAsync(new BarRequest(Symbols[i], Interval, start, end, Adjustment), ct).ConfigureAwait(false);
            all.AddRange(TradingSessionLoop.RegularSessionBars(series, calendar).Bars.Select(b => (Symbols[i], b, i)));
        }

        foreach (var (symbol, bar, _) in all.OrderBy(x => x.Bar.Timestamp).ThenBy(x => x.Order))
        {
            yield return (symbol, bar);
        }
    }
}

/// <summary>One progress event of a session: the simulated time, the phase and a line for the operator.</summary>
public sealed record SessionProgress(DateTime Timestamp, string Phase, string Message, int BarsProcessed, decimal Equity);

/// <summary>The end state of a session: the venue, blocks by rule, orders and fills seen, and whether it resumed.</summary>
public sealed record TradingSessionResult(
    ITradingVenue Venue,
    int BarsProcessed,
    bool Resumed,
    IReadOnlyDictionary<string, int> BlocksByRule,
    decimal FinalEquity,
    int OrdersSubmitted = 0,
    int FillsSeen = 0)
{
    /// <summary>The paper broker of a paper run (orders, fills, round trips).</summary>
    /// <exception cref="InvalidOperationException">The run traded at a real broker.</exception>
    public PaperBroker Broker => (Venue as PaperVenue)?.Paper
        ?? throw new InvalidOperationException($"The run traded at {Venue.Broker.Name}, not the paper broker.");
}

/// <summary>Bars as they arrive, each symbol's in time order (a live stream or a replay); ends when the run should stop.</summary>
public delegate IAsyncEnumerable<(Symbol Symbol, Bar Bar)> BarFeed(CancellationToken cancellationToken);

/// <summary>The session-aware loop: drives bars through policy → sizing → guardrails → execution at a venue.</summary>
/// <remarks>
/// Bars come grouped by bar time (all symbols' bars of one minute). The session of a bar time comes from the calendar:
/// the first bar time of a session journals the premarket watchlist; each regular-session bar time executes what rests
/// at the venue, then asks each symbol's policy agent for intents and sends them through sizing and execution;
/// extended-hours and flagged bars are skipped, exactly as the backtester skips flagged bars. When a session is over
/// (the next session's first bar arrives, or a replay ends) its summary is journaled. After every bar time the venue is
/// checkpointed (the paper broker's atomic snapshot); a restart with the same run id reloads it, replays the processed
/// bars through the strategies only (to rebuild indicators) and carries on from the next bar, so nothing is submitted
/// or journaled twice. Once a bar time has started it is finished even if the run is cancelled, so the journal never
/// holds half a bar time; cancellation is honoured between bar times. The symbols share one account, so a strategy that
/// learns its win rate and payoff from its own trades (<see cref="ILearnsFromOwnTrades"/>) does not read them off the
/// cash: it is told its symbol's round trips (from that symbol's fills, net of fees) before its next decision, and on a
/// restart those already closed again while it warms up, each once.
/// </remarks>
public sealed class TradingSessionLoop
{
    private readonly TradingSessionOptions _options;
    private readonly BarFeed _feed;
    private readonly bool _isReplay;
    private readonly JournalingAgent _journal;
    private readonly Func<GuardrailSet> _guardrails;
    private readonly ITradingCalendar _calendar;
    private readonly Action<SessionProgress>? _progress;
    private readonly ITradingVenue? _venue;

    /// <summary>A replay of <paramref name="source"/>'s bars from <see cref="TradingSessionOptions.From"/> to
    /// <see cref="TradingSessionOptions.To"/> on the paper broker (resumed from its snapshot when there is one).</summary>
    /// <param name="guardrails">Builds the guardrails (without a journal callback); default: <see cref="DefaultGuardrails"/>.</param>
    public TradingSessionLoop(TradingSessionOptions options, IBarSource source, JournalingAgent journal,
        Func<GuardrailSet>? guardrails = null, ITradingCalendar? calendar = null, Action<SessionProgress>? progress = null)
        : this(options, Validate(options).ReplayFeed(source ?? throw new ArgumentNullException(nameof(source)), calendar ?? NyseCalendar.Instance),
            journal, guardrails, calendar, progress, venue: null)
    {
        _isReplay = true;
    }

    /// <summary>A session on live (or any) bars from <paramref name="feed"/> at <paramref name="venue"/>; with no venue, the
    /// paper broker of the run id (resumed from its snapshot when there is one) fills against the same bars.</summary>
    public TradingSessionLoop(TradingSessionOptions options, BarFeed feed, JournalingAgent journal,
        Func<GuardrailSet>? guardrails = null, ITradingCalendar? calendar = null, Action<SessionProgress>? progress = null,
        ITradingVenue? venue = null)
    {
        ArgumentNullException.ThrowIfNull(feed);
        ArgumentNullException.ThrowIfNull(journal);
        _options = Validate(options);
        _feed = feed;
        _journal = journal;
        _calendar = calendar ?? NyseCalendar.Instance;
        _guardrails = guardrails ?? (() => DefaultGuardrails(_calendar));
        _progress = progress;
        _venue = venue;
    }

    /// <summary>Where the run's guardrail state (high-water mark, session baseline, halts, order window) is kept between restarts.</summary>
    public static string GuardrailStatePath(string stateDirectory, string runId) => Path.Combine(stateDirectory, "guardrails", runId + ".json");

    /// <summary>The snapshot path of <paramref name="runId"/> under <paramref name="stateDirectory"/>.</summary>
    public static string SnapshotPath(string stateDirectory, string runId) => Path.Combine(stateDirectory, "paper", runId + ".json");

    /// <summary>Kill switch, 20% max drawdown (manual reset), 5% daily loss, PDT under $25k, 100% exposure caps, 60 orders a minute.</summary>
    public static GuardrailSet DefaultGuardrails(ITradingCalendar calendar) => new(
    [
        new KillSwitch(),
        new DrawdownGate(0.20m, TimeSpan.FromDays(1)),
        new DailyLossLimit(maxLossFraction: 0.05m),
        new PatternDayTraderRule(calendar),
        new ExposureCap(1.0m, 1.0m),
        new OrderRateLimit(60),
    ]);

    public async Task<TradingSessionResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var costs = _options.Costs ?? new BacktestOptions();
        var path = _options.StateDirectory is { } dir ? SnapshotPath(dir, _options.RunId) : null;
        var venue = _venue ?? await PaperVenue.OpenAsync(path, costs, _calendar, cancellationToken).ConfigureAwait(false);
        var resumed = venue.LastProcessedUtc is not null;
        var guardrails = _guardrails();
        var statePath = _options.StateDirectory is { } d ? GuardrailStatePath(d, _options.RunId) : null;
        // The state file is the latest checkpoint; without it (lost, or a live run on another machine) the journal's latest
        // halt entry of this run brings back the halts and the marks as they were then.
        var savedState = statePath is not null && File.Exists(statePath)
            ? await File.ReadAllTextAsync(statePath, cancellationToken).ConfigureAwait(false)
            : resumed ? await JournaledGuardrailStateAsync(cancellationToken).ConfigureAwait(false) : null;
        if (savedState is not null)
        {
            guardrails.RestoreState(savedState);
            var halted = guardrails.Guardrails.OfType<DrawdownGate>().Where(g => g.IsHalted).ToList();
            if (_options.ResetHalts && halted.Count > 0)
            {
                var now = venue.LastProcessedUtc ?? DateTime.UtcNow;
                var reset = halted.All(g => g.ManualReset(now));
                Report(now, "reset", reset
                    ? "max_drawdown halt reset by the operator; the high-water mark is re-based to the equity now"
                    : $"max_drawdown halt not reset: the cool-off runs until {halted.Max(g => g.CoolOffEndsUtc):yyyy-MM-dd HH:mm}Z", 0, venue.Equity);
                if (statePath is not null)
                {
                    AtomicFile.WriteAllText(statePath, guardrails.ExportState());
                }

                await JournalHaltsAsync(guardrails, now, null, CancellationToken.None).ConfigureAwait(false);
            }
        }

        var policies = _options.Symbols.ToDictionary(s => s, s => new PolicyAgent(s, _options.Interval,
            StrategyCatalog.Create(_options.Strategy, _options.Parameters, _options.Sizing), costs.AllowShort));
        var ownTrades = new OwnTradeReporter(policies);

        // Day-trade counts and positions are guardrail state, and round trips are what the strategies learn from: rebuild
        // them from the fills the broker already booked.
        if (venue is PaperVenue paper)
        {
            foreach (var fill in paper.Paper.Fills)
            {
                guardrails.OnFill(fill.ToFill());
                ownTrades.Book(fill.ToFill(), fill.ExitReason);
            }
        }

        foreach (var symbol in _options.Symbols)
        {
            ownTrades.CarryUnexplained(symbol, venue.PositionOf(symbol));
        }

        var run = new Run(this, venue, guardrails, statePath, new ExecutionAgent(venue.Broker, guardrails, _journal, _options.RunId),
            SizingAgent.From(_options.Sizing), policies, ownTrades);
        if (resumed)
        {
            Report(venue.LastProcessedUtc!.Value, "restart", $"resumed run {_options.RunId} after {venue.LastProcessedUtc:yyyy-MM-dd HH:mm}Z with " +
                $"{(await venue.Broker.GetOrdersAsync(OrderStatusFilter.Open, cancellationToken: cancellationToken).ConfigureAwait(false)).Count} open orders",
                0, venue.Equity);
        }

        var pending = new List<(Symbol Symbol, Bar Bar)>();
        await foreach (var (symbol, bar) in _feed(cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (pending.Count > 0 && bar.Timestamp != pending[0].Bar.Timestamp)
            {
                await run.BarTimeAsync(pending, cancellationToken).ConfigureAwait(false);
                pending.Clear();
            }

            if (pending.Any(p => p.Symbol == symbol))
            {
                continue; // a duplicate of a bar already in hand
            }

            pending.Add((symbol, bar));
            if (pending.Count == _options.Symbols.Count)
            {
                // Every symbol has reported this minute: no need to wait for the next one to know the group is whole.
                await run.BarTimeAsync(pending, cancellationToken).ConfigureAwait(false);
                pending.Clear();
            }
        }

        if (pending.Count > 0)
        {
            await run.BarTimeAsync(pending, cancellationToken).ConfigureAwait(false);
        }

        // A replay ends with its last session's data; a live feed that stops mid-session leaves the day open, so its
        // summary is written when the session is really over (a later run, keyed per date, writes it once).
        if (run.Session is { } last && (_isReplay || (venue.LastProcessedUtc is { } t && t.Add(_options.Interval.Duration) >= last.CloseUtc)))
        {
            await run.EndSessionAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return new TradingSessionResult(venue, run.Processed, resumed, run.Blocks, venue.Equity, run.Orders, run.Fills);
    }

    /// <summary>The per-run state of <see cref="RunAsync"/>: the current session and what has been counted.</summary>
    private sealed class Run(TradingSessionLoop loop, ITradingVenue venue, GuardrailSet guardrails, string? statePath, ExecutionAgent execution,
        SizingAgent sizing, Dictionary<Symbol, PolicyAgent> policies, OwnTradeReporter ownTrades)
    {
        private readonly TradingSessionOptions _options = loop._options;
        private bool _tradedInSession;
        private string? _halts = Halts(guardrails);

        public TradingSession? Session { get; private set; }

        public SortedDictionary<string, int> Blocks { get; } = new(StringComparer.Ordinal);

        public int Processed { get; private set; }

        public int Orders { get; private set; }

        public int Fills { get; private set; }

        public async Task BarTimeAsync(List<(Symbol Symbol, Bar Bar)> symbolBars, CancellationToken cancellationToken)
        {
            var time = symbolBars[0].Bar.Timestamp;
            if (loop._calendar.GetSession(ExchangeTime.SessionDate(time)) is not { } session || !session.Contains(time))
            {
                return; // pre-market and after-hours bars neither fill nor reach the strategy
            }

            if (Session?.Date != session.Date)
            {
                if (Session is not null)
                {
                    await EndSessionAsync(cancellationToken).ConfigureAwait(false);
                }

                await BeginSessionAsync(session, cancellationToken).ConfigureAwait(false);
            }

            if (venue.LastProcessedUtc is { } done && time <= done)
            {
                // Already traded before the restart: only rebuild the strategies' indicator state and what they learned
                // from the round trips that had closed by then.
                foreach (var (symbol, bar) in symbolBars)
                {
                    ownTrades.Report(symbol, closedBy: bar.Timestamp);
                    policies[symbol].OnBar(bar, venue.PositionOf(symbol), venue.Cash, venue.Equity, venue.ProtectiveStop(symbol));
                }

                return;
            }

            cancellationToken.ThrowIfCancellationRequested();
            // From here the bar time runs to its end, so the journal and the snapshot never hold half of it.
            var ct = CancellationToken.None;
            _tradedInSession = true;
            foreach (var (symbol, bar) in symbolBars)
            {
                venue.OnBar(symbol, bar);
            }

            await venue.RefreshAsync(ct).ConfigureAwait(false);
            await JournalEventsAsync(ct).ConfigureAwait(false);
            guardrails.OnEquity(time, venue.Equity);

            var flatten = _options.FlattenMinutesBeforeClose is { } n && time >= session.CloseUtc.AddMinutes(-n);
            foreach (var (symbol, bar) in symbolBars)
            {
                var position = venue.PositionOf(symbol);
                ownTrades.Report(symbol);
                var intents = policies[symbol].OnBar(bar, position, venue.Cash, venue.Equity, venue.ProtectiveStop(symbol)).ToList();
                if (flatten)
                {
                    intents.RemoveAll(i => i.Kind == IntentKind.Entry);
                    if (position != 0 && !intents.Any(i => i.Kind == IntentKind.Exit))
                    {
                        intents.Insert(0, OrderIntent.Exit(position > 0 ? PositionSide.Long : PositionSide.Short,
                            $"flatten {_options.FlattenMinutesBeforeClose} minutes before the close"));
                    }
                }

                var sized = intents
                    .Select(i => sizing.Size(i, venue.Equity, venue.Cash + position * bar.Close, bar.Close))
                    .OfType<OrderIntent>()
                    .ToList();
                var report = await execution.ExecuteAsync(symbol, bar, sized, ct).ConfigureAwait(false);
                Orders += report.Orders.Count;
                foreach (var block in report.Blocks)
                {
                    var rule = block.FirstBlock!.Rule;
                    Blocks[rule] = Blocks.GetValueOrDefault(rule) + 1;
                    loop.Report(time, "block", $"{symbol} {block.FirstBlock.Reason}", Processed, venue.Equity);
                }
            }

            await JournalEventsAsync(ct).ConfigureAwait(false);
            venue.LastProcessedUtc = time;
            Processed++;
            Checkpoint();
            _halts = await loop.JournalHaltsAsync(guardrails, time, _halts, ct).ConfigureAwait(false);
            loop.Report(time, "regular", "", Processed, venue.Equity);
            if (_options.DelayPerBar is { } delay && delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Persists the venue and the guardrails after a bar time, so a restart resumes both from here.</summary>
        private void Checkpoint()
        {
            venue.Checkpoint();
            if (statePath is not null)
            {
                AtomicFile.WriteAllText(statePath, guardrails.ExportState());
            }
        }

        private async Task BeginSessionAsync(TradingSession session, CancellationToken cancellationToken)
        {
            Session = session;
            _tradedInSession = false;
            if (venue.LastProcessedUtc is { } last && last >= session.CloseUtc)
            {
                return;
            }

            var watchlist = string.Join(",", _options.Symbols);
            await loop._journal.RecordDecisionAsync(session.PremarketOpenUtc, null, $"premarket: watchlist {watchlist}",
                eventKey: $"{_options.RunId}:premarket:{session.Date:yyyy-MM-dd}", cancellationToken: cancellationToken).ConfigureAwait(false);
            loop.Report(session.PremarketOpenUtc, "premarket", $"{session.Date:yyyy-MM-dd} watchlist {watchlist}", Processed, venue.Equity);
        }

        /// <summary>Journals the current session's summary (once per date) when bars of it were processed.</summary>
        public async Task EndSessionAsync(CancellationToken cancellationToken)
        {
            // Also when this run only warmed up through the session: a run killed between the session's last bar and its
            // summary still owes it. The key is per date, so a summary already written is not written again.
            if (Session is not { } session || venue.LastProcessedUtc is not { } last || last < session.OpenUtc)
            {
                return;
            }

            venue.EndSession(session.CloseUtc);
            await JournalEventsAsync(cancellationToken).ConfigureAwait(false);
            Checkpoint();
            var summary = await loop._journal.RecordSummaryAsync(session.Date, session.CloseUtc.AddMinutes(1), cancellationToken).ConfigureAwait(false);
            if (_tradedInSession)
            {
                loop.Report(session.CloseUtc, "after-hours", summary.Reason, Processed, venue.Equity);
            }

            _tradedInSession = false;
        }

        private async Task JournalEventsAsync(CancellationToken ct)
        {
            foreach (var e in venue.DrainEvents())
            {
                if (e.Fill is { } fill)
                {
                    Fills++;
                    guardrails.OnFill(fill);
                    ownTrades.Book(fill, e.Reason);
                    loop.Report(fill.Timestamp, "fill", FormattableString.Invariant(
                        $"{fill.Symbol} {fill.Side.ToString().ToLowerInvariant()} {fill.Quantity} @ {fill.Price} ({e.Update.Order.Type.ToString().ToLowerInvariant()}{(e.Update.Event == TradeUpdateEvent.PartialFill ? ", partial" : "")})"),
                        Processed, venue.Equity);
                }

                await execution.RecordUpdateAsync(e.Update, e.Fill?.Fee ?? 0m, e.Reason, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Which halts are on: max_drawdown, daily_loss, kill_switch (empty when none).</summary>
    private static string Halts(GuardrailSet guardrails) => string.Join(", ",
        guardrails.Guardrails.OfType<DrawdownGate>().Where(g => g.IsHalted).Select(g => g.Rule)
            .Concat(guardrails.Guardrails.OfType<DailyLossLimit>().Where(g => g.IsTripped).Select(g => g.Rule))
            .Concat(guardrails.Guardrails.OfType<KillSwitch>().Where(g => g.IsEngaged).Select(g => g.Rule)));

    /// <summary>Journals the guardrail state when the set of halts differs from <paramref name="previous"/>: a
    /// <c>decision</c> entry keyed <c>&lt;run&gt;:guardrails:&lt;utc&gt;</c> whose data holds the whole state.</summary>
    private async Task<string> JournalHaltsAsync(GuardrailSet guardrails, DateTime utc, string? previous, CancellationToken ct)
    {
        var halts = Halts(guardrails);
        if (halts != previous)
        {
            var data = new System.Text.Json.Nodes.JsonObject { ["guardrails"] = System.Text.Json.Nodes.JsonNode.Parse(guardrails.ExportState()) };
            await _journal.RecordDecisionAsync(utc, null, halts.Length > 0 ? $"guardrails: halted by {halts}" : "guardrails: no halt",
                data, $"{_options.RunId}:guardrails:{utc:O}", ct).ConfigureAwait(false);
        }

        return halts;
    }

    /// <summary>The guardrail state of this run's latest guardrail journal entry, or null.</summary>
    private async Task<string?> JournaledGuardrailStateAsync(CancellationToken ct)
    {
        var prefix = $"{_options.RunId}:guardrails:";
        var entries = await _journal.Journal.QueryAsync(new JournalQuery(Kind: JournalKind.Decision), ct).ConfigureAwait(false);
        var last = entries.LastOrDefault(e => e.EventKey?.StartsWith(prefix, StringComparison.Ordinal) == true && e.Data is not null);
        return last is null ? null : System.Text.Json.Nodes.JsonNode.Parse(last.Data!)?["guardrails"]?.ToJsonString();
    }

    private static TradingSessionOptions Validate(TradingSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Symbols.Count == 0)
        {
            throw new ArgumentException("The watchlist is empty; give at least one symbol.", nameof(options));
        }

        if (options.From > options.To)
        {
            throw new ArgumentException($"The replay start {options.From:yyyy-MM-dd} is after its end {options.To:yyyy-MM-dd}.", nameof(options));
        }

        return options;
    }

    /// <summary>The bars a session trades on: regular-session and not flagged (the same set a comparable backtest should run on).</summary>
    public static BarSeries RegularSessionBars(BarSeries series, ITradingCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(calendar);
        var flags = series.FlagsByTime();
        var kept = series.Bars
            .Where(b => !flags.ContainsKey(b.Timestamp) && calendar.IsInRegularSession(b.Timestamp))
            .ToList();
        return series with { Bars = kept, Flags = [] };
    }

    private void Report(DateTime at, string phase, string message, int processed, decimal equity) =>
        _progress?.Invoke(new SessionProgress(at, phase, message, processed, equity));
}
