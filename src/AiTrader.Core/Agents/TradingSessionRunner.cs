using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.IO;
using AiTrader.Core.Journal;
using AiTrader.Core.MarketData;
using AiTrader.Core.Risk;
using AiTrader.Core.Risk.Sizing;
using AiTrader.Core.Sessions;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Agents;

/// <summary>Settings of a trading session: run id, watchlist, dates, bars, strategy, costs, sizing, guardrails, flatten and pacing.</summary>
/// <param name="RunId">Names the client order ids, the journal's event keys and the snapshot; the same id resumes a run.</param>
/// <param name="StateDirectory">Where <c>paper/&lt;run-id&gt;.json</c> and the run records live (AITRADER_DATA_DIR); null keeps
/// no snapshot and takes no lock.</param>
/// <param name="FlattenMinutesBeforeClose">When set, exits every position this many minutes before the close and opens nothing after.</param>
/// <param name="ResetHalts">On start, manually reset a restored max-drawdown halt (once its cool-off is over).</param>
/// <param name="DelayPerBar">Pacing of a replay: how long to wait after each bar time (null = as fast as possible).</param>
/// <param name="WatchlistSource">Where the watchlist came from (a scan, a saved bucket), for the premarket journal entry;
/// null when it was given.</param>
/// <param name="Guardrails">Builds the guardrails; null for <see cref="GuardrailCatalog.Default"/> (paper and
/// live trading always run guardrails; an empty set turns them off).</param>
public sealed record TradingSessionOptions(
    string RunId,
    IReadOnlyList<Symbol> Symbols,
    DateOnly From,
    DateOnly To,
    Timeframe Interval,
    string Strategy = "breakout",
    IReadOnlyDictionary<string, string>? Parameters = null,
    ExchangeOptions? Costs = null,
    int? FlattenMinutesBeforeClose = null,
    TimeSpan? DelayPerBar = null,
    string? StateDirectory = null,
    PriceAdjustment Adjustment = PriceAdjustment.Split,
    SizingOptions? Sizing = null,
    bool ResetHalts = false,
    Func<ITradingCalendar, GuardrailSet>? Guardrails = null,
    string? WatchlistSource = null)
{
    /// <summary>The account and costs, with the session rules of <paramref name="calendar"/> (regular hours unless the
    /// costs turn extended hours on): the same rules a backtest of these bars runs with.</summary>
    public ExchangeOptions Account(ITradingCalendar calendar) => (Costs ?? new ExchangeOptions()) with { Calendar = calendar };
}

/// <summary>One progress event of a session: the bar time, the phase and a line for the operator.</summary>
public sealed record SessionProgress(DateTime Timestamp, string Phase, string Message, int BarsProcessed, decimal Equity);

/// <summary>The end state of a session.</summary>
/// <param name="Exchange">The simulated exchange of a paper run (orders, fills, round trips); null when trading at a broker.</param>
public sealed record TradingSessionResult(
    IExecutionVenue Venue,
    SimulatedExchange? Exchange,
    int BarsProcessed,
    bool Resumed,
    IReadOnlyDictionary<string, int> BlocksByRule,
    decimal FinalEquity,
    int OrdersSubmitted,
    int FillsSeen,
    IReadOnlyList<Rejection> Rejections)
{
    /// <summary>Bars skipped as bad prints by the outlier check (the replay's source flags them, a live feed is checked
    /// bar by bar).</summary>
    public int BadPrints { get; init; }
}

/// <summary>Bars as they arrive, each symbol's in time order (a live stream or a replay); ends when the run should stop.</summary>
public delegate IAsyncEnumerable<(Symbol Symbol, Bar Bar)> BarFeed(CancellationToken cancellationToken);

/// <summary>Drives a trading session: the one <see cref="TradingLoop"/> over a replay or a live stream, at the simulated
/// exchange (paper) or a broker (live), with the journal, snapshots, guardrail state, session summaries and restarts.</summary>
/// <remarks>
/// <para>Bars are grouped by bar time and handed to the loop in watchlist order; the replay feed carries the bar source's
/// outlier flags, a live feed is checked bar by bar with the same <see cref="OutlierCheck"/>. The loop's rules are the
/// backtest's, so a replay fills the orders a backtest of the same bars fills (the backtest also closes what is open when
/// its data ends).</para>
/// <para>After each bar time the journal outbox is appended (every key carries the run id, so appending twice is a
/// no-op) and, when the exchange changed, its state, the guardrail state and the bar time are written atomically to the
/// run's snapshot. A replay started again with the same run id re-runs its bars up to the snapshot without journaling
/// (the loop is deterministic), checks that it reproduced the snapshot exactly, and carries on: no order is lost or sent
/// twice. A paper run on the live stream restores the exchange from the snapshot instead (its strategies start cold).
/// Cancellation is honoured between bar times; a bar time that started is finished.</para>
/// </remarks>
public sealed class TradingSessionRunner
{
    private readonly TradingSessionOptions _options;
    private readonly BarFeed? _feed;
    private readonly IBarSource? _source;
    private readonly JournalingAgent _journal;
    private readonly ITradingCalendar _calendar;
    private readonly Action<SessionProgress>? _progress;
    private readonly BrokerVenue? _broker;
    private readonly TimeProvider _pacing;

    /// <summary>A paper replay of <paramref name="source"/>'s bars from <see cref="TradingSessionOptions.From"/> to
    /// <see cref="TradingSessionOptions.To"/> (resumed when the run id has a snapshot).</summary>
    public TradingSessionRunner(TradingSessionOptions options, IBarSource source, JournalingAgent journal,
        ITradingCalendar? calendar = null, Action<SessionProgress>? progress = null, TimeProvider? pacing = null)
        : this(options, journal, calendar, progress, pacing)
    {
        ArgumentNullException.ThrowIfNull(source);
        _source = source;
    }

    /// <summary>A session on live bars from <paramref name="feed"/>: at <paramref name="broker"/> when given, else on the
    /// paper exchange of the run id (restored from its snapshot when there is one).</summary>
    public TradingSessionRunner(TradingSessionOptions options, BarFeed feed, JournalingAgent journal,
        ITradingCalendar? calendar = null, Action<SessionProgress>? progress = null, BrokerVenue? broker = null, TimeProvider? pacing = null)
        : this(options, journal, calendar, progress, pacing)
    {
        ArgumentNullException.ThrowIfNull(feed);
        _feed = feed;
        _broker = broker;
    }

    private TradingSessionRunner(TradingSessionOptions options, JournalingAgent journal, ITradingCalendar? calendar,
        Action<SessionProgress>? progress, TimeProvider? pacing)
    {
        ArgumentNullException.ThrowIfNull(journal);
        _options = Validate(options);
        _journal = journal;
        _calendar = calendar ?? NyseCalendar.Instance;
        _progress = progress;
        _pacing = pacing ?? TimeProvider.System;
    }

    /// <summary>The snapshot path of <paramref name="runId"/> under <paramref name="stateDirectory"/>.</summary>
    public static string SnapshotPath(string stateDirectory, string runId) => Path.Combine(stateDirectory, "paper", runId + ".json");

    public async Task<TradingSessionResult> RunAsync(CancellationToken cancellationToken = default)
    {
        using var runLock = _options.StateDirectory is { } dir ? RunLock.Acquire(dir, _options.RunId) : null;
        var account = _options.Account(_calendar);
        // A paper run snapshots its exchange; a run at a broker only its guardrails and cursor (the broker holds the rest).
        var snapshotPath = _options.StateDirectory is { } d
            ? _broker is null ? SnapshotPath(d, _options.RunId) : Path.Combine(d, "live", _options.RunId + ".json")
            : null;
        var snapshot = snapshotPath is not null && File.Exists(snapshotPath)
            ? Snapshot.FromJson(await File.ReadAllTextAsync(snapshotPath, cancellationToken).ConfigureAwait(false), snapshotPath)
            : null;
        var isReplay = _source is not null;

        IExecutionVenue venue;
        SimulatedExchange? exchange = null;
        if (_broker is not null)
        {
            venue = _broker;
        }
        else
        {
            // A replay rebuilds the exchange by re-running its bars; a paper run on the live stream restores it.
            // (The trading loop registers the watchlist's books in order.)
            exchange = snapshot is not null && !isReplay
                ? SimulatedExchange.FromState(snapshot.Exchange, account, _options.Symbols)
                : new SimulatedExchange(account);
            venue = exchange;
        }

        var guardrails = (_options.Guardrails ?? GuardrailCatalog.Default)(_calendar);
        var outbox = new JournalOutbox(_options.RunId);
        var run = new Run(this, venue, exchange, guardrails, outbox, snapshotPath, resuming: snapshot is not null);
        var router = new OrderRouter(venue, account, new RoutingOptions(_options.Sizing, () => guardrails, RunId: _options.RunId), run);
        var regimeHints = _options.Sizing?.RegimeAware ?? false;
        var loop = new TradingLoop(venue, router, account, new LoopOptions(_options.Interval, _options.FlattenMinutesBeforeClose),
            _options.Symbols.Select(s => (s, StrategyCatalog.Create(_options.Strategy, _options.Parameters, regimeHints))).ToArray(),
            journal: run);
        run.Loop = loop;

        var resumeAfter = snapshot?.LastProcessedUtc;
        if (snapshot is not null && !isReplay)
        {
            guardrails.RestoreState(snapshot.Guardrails);
            await run.ReportRestartAsync(snapshot, cancellationToken).ConfigureAwait(false);
        }
        else if (snapshot is null && _options.StateDirectory is not null
            && await JournaledGuardrailStateAsync(cancellationToken).ConfigureAwait(false) is { } journaled)
        {
            // No snapshot (lost, or a live run on another machine): the journal's latest halt entry of this run brings
            // back the halts and the marks as they were then.
            guardrails.RestoreState(journaled);
        }

        if (resumeAfter is null)
        {
            await run.ApplyHaltResetAsync(cancellationToken).ConfigureAwait(false);
        }

        var feed = isReplay ? ReplayAsync(cancellationToken) : CheckedLiveAsync(_feed!, cancellationToken);
        var pending = new List<LegBar>(_options.Symbols.Count);
        var legOf = _options.Symbols.Select((s, i) => (s, i)).ToDictionary(x => x.s, x => x.i);
        try
        {
            await DriveAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped between bar times: the snapshot records where, so the same command resumes right there.
            run.FinalCheckpoint();
            throw;
        }

        run.FinalCheckpoint();
        if (snapshot is not null && isReplay && !run.Verified)
        {
            run.Verify(snapshot);
        }

        // A replay ends with its last session's data; a live feed that stops mid-session leaves the day open, so its
        // summary is written when the session is really over (a later run, keyed per run and date, writes it once).
        if (loop.CurrentSession is { } last && (isReplay || (loop.LastTradedTime is { } t && t.Add(_options.Interval.Duration) >= last.CloseUtc)))
        {
            await run.EndSessionAsync(last, CancellationToken.None).ConfigureAwait(false);
        }

        return new TradingSessionResult(venue, exchange, run.Processed, snapshot is not null, router.BlocksByRule, venue.Equity,
            run.Orders, run.Fills, router.Rejections.ToArray())
        {
            BadPrints = loop.Legs.Sum(l => l.Flagged),
        };

        async Task DriveAsync()
        {
            await foreach (var (symbol, bar, badPrint) in feed.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (!legOf.TryGetValue(symbol, out var leg))
                {
                    continue; // a symbol the run does not trade
                }

                if (pending.Count > 0 && bar.Timestamp != pending[0].Bar.Timestamp)
                {
                    await run.BarTimeAsync(pending, resumeAfter, snapshot, cancellationToken).ConfigureAwait(false);
                    pending.Clear();
                }

                if (pending.Any(p => p.Leg == leg))
                {
                    continue; // a duplicate of a bar already in hand
                }

                pending.Add(new LegBar(leg, bar, badPrint));
                if (badPrint is not null && (resumeAfter is null || bar.Timestamp > resumeAfter))
                {
                    Report(bar.Timestamp, "bad-print", $"{symbol} skipped: {badPrint}", run.Processed, venue.Equity);
                }

                if (!isReplay && pending.Count == _options.Symbols.Count)
                {
                    // Every symbol has reported this minute: no need to wait for the next one to know the group is whole.
                    await run.BarTimeAsync(pending, resumeAfter, snapshot, cancellationToken).ConfigureAwait(false);
                    pending.Clear();
                }
            }

            if (pending.Count > 0)
            {
                await run.BarTimeAsync(pending, resumeAfter, snapshot, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The bars of every symbol from <see cref="TradingSessionOptions.From"/> to <see cref="TradingSessionOptions.To"/>
    /// as the bar source gives them (with its outlier flags), in time order, ties in watchlist order.</summary>
    private async IAsyncEnumerable<(Symbol Symbol, Bar Bar, string? BadPrint)> ReplayAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var start = ExchangeTime.StartOfDateUtc(_options.From);
        var end = ExchangeTime.EndOfDateUtc(_options.To);
        var all = new List<(Symbol Symbol, Bar Bar, string? BadPrint, int Order)>();
        for (var i = 0; i < _options.Symbols.Count; i++)
        {
            var symbol = _options.Symbols[i];
            var series = await _source!.GetBarsAsync(new BarRequest(symbol, _options.Interval, start, end, _options.Adjustment), ct).ConfigureAwait(false);
            var flags = series.FlagsByTime();
            all.AddRange(series.Bars.Select(b => (symbol, b, flags.TryGetValue(b.Timestamp, out var f) ? f.Reason : null, i)));
        }

        foreach (var (symbol, bar, badPrint, _) in all.OrderBy(x => x.Bar.Timestamp).ThenBy(x => x.Order))
        {
            yield return (symbol, bar, badPrint);
        }
    }

    /// <summary>A live feed with each symbol's bars run through the outlier check the bar sources apply to history.</summary>
    private static async IAsyncEnumerable<(Symbol Symbol, Bar Bar, string? BadPrint)> CheckedLiveAsync(BarFeed feed,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var checks = new Dictionary<Symbol, OutlierCheck>();
        await foreach (var (symbol, bar) in feed(ct).WithCancellation(ct).ConfigureAwait(false))
        {
            if (!checks.TryGetValue(symbol, out var check))
            {
                check = new OutlierCheck();
                checks[symbol] = check;
            }

            yield return (symbol, bar, check.Next(bar));
        }
    }

    /// <summary>The per-run state of <see cref="RunAsync"/>: journal outbox, progress, counters, snapshots.</summary>
    private sealed class Run(TradingSessionRunner runner, IExecutionVenue venue, SimulatedExchange? exchange, GuardrailSet guardrails,
        JournalOutbox outbox, string? snapshotPath, bool resuming) : IExecutionJournal
    {
        private readonly TradingSessionOptions _options = runner._options;
        private bool _changed;
        private string? _halts = Halts(guardrails);
        private TradingSession? _session;

        public TradingLoop Loop { get; set; } = null!;

        public int Processed { get; private set; }

        public int Orders { get; private set; }

        public int Fills { get; private set; }

        public bool Verified { get; private set; }

        private bool Silent => !outbox.Enabled;

        public async Task BarTimeAsync(List<LegBar> bars, DateTime? resumeAfter, Snapshot? snapshot, CancellationToken cancellationToken)
        {
            var time = bars[0].Bar.Timestamp;
            var replaying = resumeAfter is { } cursor && time <= cursor && exchange is not null && runner._source is not null;
            if (!replaying && !Verified && snapshot is not null && runner._source is not null)
            {
                Verify(snapshot);
                await ApplyHaltResetAsync(cancellationToken).ConfigureAwait(false);
            }

            outbox.Enabled = !replaying;
            if (Loop.IsTraded(time, out var session) && session is not null && session != _session)
            {
                if (_session is not null)
                {
                    await EndSessionAsync(_session, cancellationToken).ConfigureAwait(false);
                }

                await BeginSessionAsync(session, cancellationToken).ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            // From here the bar time runs to its end, so the journal and the snapshot never hold half of it.
            var ct = CancellationToken.None;
            if (venue is BrokerVenue broker)
            {
                await broker.RefreshAsync(ct).ConfigureAwait(false);
            }

            bars.Sort(static (a, b) => a.Leg.CompareTo(b.Leg));
            var traded = Loop.Step(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bars));
            if (venue is BrokerVenue live)
            {
                await live.FlushAsync(ct).ConfigureAwait(false);
                Loop.DispatchEvents();
            }

            if (traded == 0)
            {
                return;
            }

            Processed++;
            if (replaying)
            {
                return;
            }

            await outbox.FlushAsync(runner._journal.Journal, ct).ConfigureAwait(false);
            // A replay is re-run up to its last snapshot on a restart, so it needs one only when the exchange changed; a live
            // session cannot be re-run and keeps its cursor at every bar time.
            if (_changed || runner._source is null)
            {
                Checkpoint(time);
                _changed = false;
            }

            _halts = await runner.JournalHaltsAsync(guardrails, time, _halts, ct).ConfigureAwait(false);
            runner.Report(time, "regular", "", Processed, venue.Equity);
            if (_options.DelayPerBar is { } delay && delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, runner._pacing, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Checks that re-running the replay reproduced the snapshot: the same orders, fills, cancels and moves.</summary>
        public void Verify(Snapshot snapshot)
        {
            Verified = true;
            if (exchange is null)
            {
                return;
            }

            if (exchange.ExportState().Fingerprint() != snapshot.Exchange.Fingerprint())
            {
                throw new RunMismatchException(
                    $"run {_options.RunId}: replaying its bars up to {snapshot.LastProcessedUtc:yyyy-MM-dd HH:mm}Z does not reproduce its saved orders and fills " +
                    "(the data or the code changed since it ran); start a new run (--new-run) instead of resuming this one.");
            }

            // Manual actions (a halt reset) are only in the saved state.
            guardrails.RestoreState(snapshot.Guardrails);
            runner.Report(snapshot.LastProcessedUtc, "restart",
                $"resumed run {_options.RunId} after {snapshot.LastProcessedUtc:yyyy-MM-dd HH:mm}Z with {exchange.AllOrders.Count(o => o.IsOpen)} open orders",
                Processed, venue.Equity);
        }

        public async Task ReportRestartAsync(Snapshot snapshot, CancellationToken ct)
        {
            runner.Report(snapshot.LastProcessedUtc, "restart", $"resumed run {_options.RunId} after {snapshot.LastProcessedUtc:yyyy-MM-dd HH:mm}Z",
                0, venue.Equity);
            await ApplyHaltResetAsync(ct).ConfigureAwait(false);
        }

        /// <summary>--reset-halt: lifts a restored max-drawdown halt once its cool-off is over.</summary>
        public async Task ApplyHaltResetAsync(CancellationToken ct)
        {
            var halted = guardrails.Guardrails.OfType<DrawdownGate>().Where(g => g.IsHalted).ToList();
            if (!_options.ResetHalts || halted.Count == 0)
            {
                return;
            }

            var now = Loop.LastTradedTime ?? runner._pacing.GetUtcNow().UtcDateTime;
            var reset = halted.All(g => g.ManualReset(now));
            runner.Report(now, "reset", reset
                ? "max_drawdown halt reset by the operator; the high-water mark is re-based to the equity now"
                : $"max_drawdown halt not reset: the cool-off runs until {halted.Max(g => g.CoolOffEndsUtc):yyyy-MM-dd HH:mm}Z", 0, venue.Equity);
            await runner.JournalHaltsAsync(guardrails, now, null, ct).ConfigureAwait(false);
        }

        private async Task BeginSessionAsync(TradingSession session, CancellationToken cancellationToken)
        {
            _session = session;
            if (Silent)
            {
                return;
            }

            var watchlist = string.Join(",", _options.Symbols) + (_options.WatchlistSource is { } from ? $" (from the {from})" : "");
            await runner._journal.RecordDecisionAsync(session.PremarketOpenUtc, null, $"premarket: watchlist {watchlist}",
                eventKey: $"{_options.RunId}:premarket:{session.Date:yyyy-MM-dd}", cancellationToken: cancellationToken).ConfigureAwait(false);
            runner.Report(session.PremarketOpenUtc, "premarket", $"{session.Date:yyyy-MM-dd} watchlist {watchlist}", Processed, venue.Equity);
        }

        /// <summary>Ends the session: cancels what is left of its orders at the close and journals this run's summary of it.</summary>
        public async Task EndSessionAsync(TradingSession session, CancellationToken cancellationToken)
        {
            Loop.EndSession();
            if (Silent)
            {
                return;
            }

            // The cancels at the close go into the next checkpoint: a snapshot is always taken after a whole bar time, so
            // a resumed replay re-running up to it reproduces it exactly.
            await outbox.FlushAsync(runner._journal.Journal, cancellationToken).ConfigureAwait(false);
            var summary = await runner._journal.RecordSummaryAsync(session.Date, session.CloseUtc.AddMinutes(1), cancellationToken, _options.RunId)
                .ConfigureAwait(false);
            runner.Report(session.CloseUtc, "after-hours", summary.Reason, Processed, venue.Equity);
        }

        /// <summary>The run stops (its data ended, or it was cancelled between bar times): the snapshot records the last bar
        /// time processed, before any session end, so a resumed run re-running up to it reproduces it exactly.</summary>
        public void FinalCheckpoint()
        {
            if (!Silent && Loop.LastTradedTime is { } last && (Verified || runner._source is null || !resuming))
            {
                Checkpoint(last);
            }
        }

        /// <summary>Writes the exchange, the guardrails and the bar time as one atomic snapshot.</summary>
        private void Checkpoint(DateTime time)
        {
            if (snapshotPath is null)
            {
                return;
            }

            var state = exchange?.ExportState();
            AtomicFile.WriteAllText(snapshotPath, new Snapshot(time, state ?? EmptyState, guardrails.ExportState()).ToJson());
        }

        private static readonly ExchangeState EmptyState = new(0m, 0, [], [], [], [], [], new Dictionary<string, decimal>());

        public void Decision(DateTime at, Symbol symbol, OrderIntent intent, decimal price) => outbox.Decision(at, symbol, intent, price);

        public void Rejected(Rejection rejection, GuardrailEvaluation? evaluation, string? clientOrderId)
        {
            outbox.Rejected(rejection, evaluation, clientOrderId);
            if (!Silent && evaluation is not null)
            {
                runner.Report(rejection.Timestamp, "block", $"{rejection.Symbol} {rejection.Reason}", Processed, venue.Equity);
            }
        }

        public void Event(ExecutionEvent e)
        {
            _changed = true;
            outbox.Event(e);
            if (Silent)
            {
                return;
            }

            if (e.Kind == ExecutionEventKind.Accepted)
            {
                Orders++;
            }
            else if (e.Kind == ExecutionEventKind.Fill && e.Fill is { } fill)
            {
                Fills++;
                runner.Report(fill.Timestamp, "fill", FormattableString.Invariant(
                    $"{fill.Symbol} {fill.Side.ToString().ToLowerInvariant()} {fill.Quantity} @ {fill.Price} ({e.Order.Type.ToString().ToLowerInvariant()}{(e.IsComplete ? "" : ", partial")})"),
                    Processed, venue.Equity);
            }
        }
    }

    /// <summary>What a paper run writes after a bar time that changed the exchange (every bar time of a live session).</summary>
    public sealed record Snapshot(DateTime LastProcessedUtc, ExchangeState Exchange, string Guardrails)
    {
        /// <summary>Reads a run's snapshot file.</summary>
        /// <exception cref="InvalidDataException">The file is not a snapshot.</exception>
        public static Snapshot Read(string path) => FromJson(File.ReadAllText(path), path);

        public string ToJson() => new JsonObject
        {
            ["lastProcessedUtc"] = DateTime.SpecifyKind(LastProcessedUtc, DateTimeKind.Utc),
            ["exchange"] = JsonNode.Parse(Exchange.ToJson()),
            ["guardrails"] = Guardrails,
        }.ToJsonString();

        public static Snapshot FromJson(string json, string path)
        {
            try
            {
                var node = JsonNode.Parse(json)?.AsObject() ?? throw new FormatException("empty");
                var exchange = ExchangeState.FromJson(node["exchange"]?.ToJsonString() ?? throw new FormatException("no exchange state"));
                var at = node["lastProcessedUtc"]?.GetValue<DateTime>() ?? throw new FormatException("no bar time");
                return new Snapshot(DateTime.SpecifyKind(at, DateTimeKind.Utc), exchange, node["guardrails"]?.GetValue<string>() ?? "{}");
            }
            catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException)
            {
                throw new InvalidDataException($"The run snapshot {path} is damaged ({ex.Message}); move it away to start the run afresh.", ex);
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
            var data = new JsonObject { ["guardrails"] = JsonNode.Parse(guardrails.ExportState()) };
            await _journal.RecordDecisionAsync(utc, null, halts.Length > 0 ? $"guardrails: halted by {halts}" : "guardrails: no halt",
                data, $"{_options.RunId}:guardrails:{utc.ToString("O", CultureInfo.InvariantCulture)}", ct).ConfigureAwait(false);
        }

        return halts;
    }

    /// <summary>The guardrail state of this run's latest guardrail journal entry, or null.</summary>
    private async Task<string?> JournaledGuardrailStateAsync(CancellationToken ct)
    {
        var prefix = $"{_options.RunId}:guardrails:";
        var entries = await _journal.Journal.QueryAsync(new JournalQuery(Kind: JournalKind.Decision), ct).ConfigureAwait(false);
        var last = entries.LastOrDefault(e => e.EventKey?.StartsWith(prefix, StringComparison.Ordinal) == true && e.Data is not null);
        return last is null ? null : JsonNode.Parse(last.Data!)?["guardrails"]?.ToJsonString();
    }

    private static TradingSessionOptions Validate(TradingSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Symbols.Count == 0)
        {
            throw new ArgumentException("The watchlist is empty; give at least one symbol.", nameof(options));
        }

        if (options.Symbols.Distinct().Count() != options.Symbols.Count)
        {
            throw new ArgumentException("The watchlist names a symbol twice.", nameof(options));
        }

        if (options.From > options.To)
        {
            throw new ArgumentException($"The replay start {options.From:yyyy-MM-dd} is after its end {options.To:yyyy-MM-dd}.", nameof(options));
        }

        return options;
    }

    private void Report(DateTime at, string phase, string message, int processed, decimal equity) =>
        _progress?.Invoke(new SessionProgress(at, phase, message, processed, equity));
}
