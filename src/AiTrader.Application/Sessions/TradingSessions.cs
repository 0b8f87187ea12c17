using System.Collections.Concurrent;
using AiTrader.Core.Agents;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.Journal;
using AiTrader.Core.MarketData;
using AiTrader.Core.Risk;
using AiTrader.Core.Sessions;
using AiTrader.Core.Strategies;
using AiTrader.Core.Watchlists;
using AiTrader.MarketData.Streaming;
using AiTrader.Storage;
using AiTrader.Storage.Watchlists;

namespace AiTrader.Application.Sessions;

/// <summary>A session's end: its run, whether it resumed one, the loop's result and, on the stream, why the stream ended
/// and how many bars it gave.</summary>
public sealed record TradingSessionOutcome(string RunId, bool Resumed, TradingSessionResult Result, string? StopReason = null, int StreamBars = 0);

/// <summary>What a session would trade if it started now: its run (<paramref name="RunId"/>, new when
/// <paramref name="IsNew"/>, else the run named or the unfinished one resumed), the mode and settings the run registry
/// keeps for it, and the watchlist (<paramref name="Picked"/> says which list, when a watchlist source picked it).</summary>
/// <param name="NewRun">The request asked for a new run, whatever is unfinished.</param>
public sealed record SessionPlan(string RunId, bool Resuming, string Mode, bool IsNew, bool NewRun, IReadOnlyList<Symbol> Watchlist, string? Picked,
    IReadOnlyDictionary<string, string> Settings)
{
    /// <summary>The watchlist is the scan's, which the session runs as its first step: <see cref="Watchlist"/> is empty and
    /// the run is resolved again then.</summary>
    public bool ScanPending { get; init; }
}

/// <summary>Starts a trading session, whoever asks (<c>aitrader trade</c>, the service's session jobs): checks the request,
/// picks the watchlist, resolves the run (new, or the unfinished one resumed), builds the strategy, sizing and guardrails,
/// and drives the loop over the bundled bars (a replay) or the live stream, at the paper exchange or a broker, journaled.</summary>
/// <param name="settings">The state folder (runs, snapshots, the SQLite journal) and the bundled bars.</param>
/// <param name="journal">Opens the journal; SQLite in the data folder, or PostgreSQL when the process has a DATABASE_URL, by default.</param>
/// <param name="watchlists">Opens the watchlist store a watchlist source reads (<c>WATCHLIST_STORE</c> of the process by default).</param>
/// <param name="environment">Variable lookup for the live stream (ALPACA_STREAM_URL, the keys); the process environment by default.</param>
/// <param name="streams">Where a session's market-data socket reports its state (the service's readiness); null for nowhere.</param>
public sealed class TradingSessions(AppSettings settings, Func<IJournal>? journal = null, Func<IWatchlistStore>? watchlists = null,
    Func<string, string?>? environment = null, StreamConnections? streams = null)
{
    private readonly AppSettings _settings = settings ?? throw new ArgumentNullException(nameof(settings));
    private readonly Func<IJournal> _journal = journal ?? (() => JournalFactory.Create(Environment.GetEnvironmentVariable("DATABASE_URL"), settings.DataDir));
    private readonly Func<IWatchlistStore> _watchlists = watchlists ?? (() => WatchlistStoreFactory.Create(null, Environment.GetEnvironmentVariable, settings.DataDir));
    private readonly Func<string, string?> _env = environment ?? Environment.GetEnvironmentVariable;

    /// <summary>Checks the rules between the request's values (dates against the mode, interval and stops against the
    /// stream, symbols against a watchlist source, the strategy against its parameters, the run id); a broken rule throws
    /// <see cref="RequestException"/> worded in the request's <see cref="SessionTerms"/>. Nothing is read or written.</summary>
    public static void Check(TradingSessionRequest request) => Validate(request);

    /// <summary>On the stream, checks that the stream's keys are set; a replay needs none.</summary>
    public void CheckStream(TradingSessionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Mode.IsStream() && !AlpacaStreamOptions.FromEnvironment(_env).HasKeys)
        {
            throw new RequestException(request.Terms.NoStreamKeys, "mode");
        }
    }

    /// <summary>Runs the session to its end. A replay ends at its last date (cancellation stops it between bar times;
    /// the run is left to be resumed, or recorded stopped with <see cref="TradingSessionRequest.RecordCancelAsStopped"/>);
    /// a session on the stream ends at its bar count, its instant or <paramref name="ct"/>, after the bar in hand, with
    /// its journal and snapshot complete, and returns normally.</summary>
    /// <param name="observer">Hears the set-up and the trading as they happen.</param>
    /// <param name="openBroker">A <see cref="SessionMode.Live"/> session's broker, opened once the request is checked;
    /// the caller disposes it.</param>
    public async Task<TradingSessionOutcome> RunAsync(TradingSessionRequest request, ITradingSessionObserver? observer = null,
        Func<CancellationToken, Task<BrokerVenue>>? openBroker = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Mode == SessionMode.Live && openBroker is null)
        {
            throw new ArgumentException("A live session needs the broker it sends orders to.", nameof(openBroker));
        }

        observer ??= Silent.Instance;
        var registry = new RunRegistry(_settings.DataDir);
        var (plan, strategy, guardrailRules) = await PlanAsync(request, registry, recordScan: true, ct).ConfigureAwait(false);
        if (plan.Picked is { } picked)
        {
            observer.WatchlistPicked(plan.Watchlist, picked);
        }

        var (id, resuming, watchlist, runSettings) = (plan.RunId, plan.Resuming, plan.Watchlist, plan.Settings);
        var costs = Costs(request);
        var range = request.Mode.IsStream() ? ((DateOnly From, DateOnly To)?)null : (request.From!.Value, request.To!.Value);
        var today = ExchangeTime.SessionDate(DateTime.UtcNow);
        var guardrails = GuardrailCatalog.Parse(guardrailRules) ?? (_ => new GuardrailSet([]));
        var options = new TradingSessionOptions(id, watchlist, range?.From ?? today, range?.To ?? today, request.Interval, strategy,
            request.Parameters, costs, request.FlattenMinutes, request.DelayPerBar, _settings.DataDir, Sizing: request.Sizing,
            ResetHalts: request.ResetHalt, WatchlistSource: plan.Picked,
            Guardrails: calendar =>
            {
                var set = guardrails(calendar);
                observer.GuardrailsBuilt(set);
                return set;
            });

        return request.Mode.IsStream()
            ? await RunOnStreamAsync(request, options, registry, runSettings, resuming, observer, openBroker, ct).ConfigureAwait(false)
            : await ReplayAsync(request, options, registry, runSettings, resuming, observer, ct).ConfigureAwait(false);
    }

    private async Task<TradingSessionOutcome> ReplayAsync(TradingSessionRequest request, TradingSessionOptions options, RunRegistry registry,
        IReadOnlyDictionary<string, string> runSettings, bool resuming, ITradingSessionObserver observer, CancellationToken ct)
    {
        var source = new CsvBarSource(_settings.SampleDataDir ?? SampleData.LocateRoot(), NyseCalendar.Instance);
        // Bad input before any state: a range without bars starts no run (no registry entry, no journal, no lock).
        if (!await AnyBarsAsync(source, options, ct).ConfigureAwait(false))
        {
            throw NoBars(request.Terms, options);
        }

        if (!resuming)
        {
            registry.Start(options.RunId, request.Mode.ToText(), runSettings);
        }

        await observer.StartedAsync(new SessionStart(options.RunId, resuming, options.Symbols, options.From, options.To), ct).ConfigureAwait(false);
        await using var journalStore = _journal();
        var journal = new JournalingAgent(journalStore);
        TradingSessionResult result;
        try
        {
            result = await Refusing(new TradingSessionRunner(options, source, journal, progress: observer.Progress).RunAsync(ct)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (request.RecordCancelAsStopped)
        {
            registry.SetStatus(options.RunId, RunManifest.Stopped);
            throw;
        }

        registry.SetStatus(options.RunId, RunManifest.Finished);
        return result.BarsProcessed == 0 ? throw NoBars(request.Terms, options) : new TradingSessionOutcome(options.RunId, resuming, result);
    }

    private async Task<TradingSessionOutcome> RunOnStreamAsync(TradingSessionRequest request, TradingSessionOptions options, RunRegistry registry,
        IReadOnlyDictionary<string, string> runSettings, bool resuming, ITradingSessionObserver observer,
        Func<CancellationToken, Task<BrokerVenue>>? openBroker, CancellationToken ct)
    {
        CheckStream(request);
        var broker = request.Mode == SessionMode.Live ? await openBroker!(ct).ConfigureAwait(false) : null;
        await using var journalStore = _journal();
        var journal = new JournalingAgent(journalStore);
        var reconnects = new ConcurrentQueue<string>();
        var runId = options.RunId;
        var feed = new LiveBarFeed(LiveBarFeed.Alpaca(_env, reconnects.Enqueue, streams), options.Symbols, request.MaxBars, request.Until, ct)
        {
            StopWords = request.Terms.StopWords,
            // Why the feed paused (a drop, an oversize message, an idle stream) goes to the run's journal and the observer.
            Reconnected = async (at, token) =>
            {
                while (reconnects.TryDequeue(out var reason))
                {
                    observer.Reconnected(at, reason);
                    await journal.RecordDecisionAsync(at, null, $"stream reconnected: {reason}", eventKey: LiveBarFeed.ReconnectKey(runId, at, reason),
                        cancellationToken: token).ConfigureAwait(false);
                }
            },
        };
        if (!resuming)
        {
            registry.Start(runId, request.Mode.ToText(), runSettings);
        }

        await observer.StartedAsync(new SessionStart(runId, resuming, options.Symbols, options.From, options.To,
            AlpacaStreamOptions.FromEnvironment(_env).Url, broker), ct).ConfigureAwait(false);
        // Not cancelled by ct: the feed ends on it, and the loop then finishes the bar in hand.
        var result = await Refusing(new TradingSessionRunner(options, feed.ReadAsync, journal, progress: observer.Progress, broker: broker)
            .RunAsync(CancellationToken.None)).ConfigureAwait(false);
        // A clean stop (an interrupt, the instant, the bar count) is not a crash: the run is resumed only when asked by its id.
        registry.SetStatus(runId, RunManifest.Stopped);
        return new TradingSessionOutcome(runId, resuming, result, feed.StopReason, feed.Bars);
    }

    /// <summary>Checks the request as <see cref="RunAsync"/> does before it trades and says what it would trade now: the
    /// watchlist (picked from a bucket named by <see cref="TradingSessionRequest.WatchlistSource"/> as the session picks
    /// it, with the same refusals: an unknown or empty bucket) and the run (the one it names, the unfinished run of its kind
    /// that it resumes, or a new one). A run that cannot be driven (another kind, other settings) throws
    /// <see cref="RequestException"/> naming <c>run_id</c>, worded as <see cref="RunAsync"/> words it. The scan
    /// (<c>watchlist_source: scan</c>) is not run here: its inputs are checked (a range with a session), and the session
    /// runs it as its first step (<see cref="SessionPlan.ScanPending"/>), so an empty scan fails the session, not the
    /// check. Nothing is written.</summary>
    public async Task<SessionPlan> PlanRunAsync(TradingSessionRequest request, CancellationToken ct = default) =>
        (await PlanAsync(request, new RunRegistry(_settings.DataDir), recordScan: false, ct, deferScan: true).ConfigureAwait(false)).Plan;

    /// <summary>The one set-up of a session before it trades, for <see cref="RunAsync"/> and <see cref="PlanRunAsync"/>:
    /// the rules between the values, the watchlist, the run. With <paramref name="recordScan"/> a scan stores its refreshes;
    /// with <paramref name="deferScan"/> a scan is left for the session's start (its watchlist, and with it the run's
    /// settings, are not known yet).</summary>
    private async Task<(SessionPlan Plan, string Strategy, string Guardrails)> PlanAsync(TradingSessionRequest request, RunRegistry registry,
        bool recordScan, CancellationToken ct, bool deferScan = false)
    {
        var (strategy, guardrailRules) = Validate(request);
        var watchlist = request.Symbols;
        string? picked = null;
        var pending = deferScan && PremarketWatchlistProvider.IsScan(request.WatchlistSource);
        if (pending)
        {
            FirstSession(request);
        }
        else if (request.WatchlistSource is { } source)
        {
            (watchlist, picked) = await PickWatchlistAsync(request, source, recordScan, ct).ConfigureAwait(false);
        }

        var runSettings = SettingsOf(request, watchlist, strategy, guardrailRules);
        if (pending)
        {
            // Two sessions waiting for the same scan compare as the same settings; the scan's symbols replace this at the start.
            runSettings["symbols"] = "(the scan's pick at the session's start)";
        }

        var (id, resuming) = ResolveRun(registry, request, runSettings, settingsKnown: !pending);
        return (new SessionPlan(id, resuming, request.Mode.ToText(), request.RunId is null && !resuming, request.NewRun, watchlist, picked, runSettings)
        {
            ScanPending = pending,
        }, strategy, guardrailRules);
    }

    private static ExchangeOptions Costs(TradingSessionRequest request) =>
        new(InitialCapital: request.Capital, MaxVolumeShare: request.MaxVolumeShare, ExtendedHours: request.ExtendedHours);

    /// <summary>The settings the run registry keeps for the request's run over <paramref name="watchlist"/>.</summary>
    private static Dictionary<string, string> SettingsOf(TradingSessionRequest request, IReadOnlyList<Symbol> watchlist, string strategy, string guardrails) =>
        RunSettings.For(request.Mode.ToText(), watchlist, request.Interval,
            request.Mode.IsStream() ? null : (request.From!.Value, request.To!.Value), strategy, request.Parameters, Costs(request), request.Sizing,
            request.FlattenMinutes, guardrails);

    /// <summary>Checks the request; returns the strategy's name as given, trimmed, and the guardrails as
    /// <see cref="RequestChecks.Guardrails"/> writes them.</summary>
    private static (string Strategy, string Guardrails) Validate(TradingSessionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var terms = request.Terms;
        if (request.Mode.IsStream())
        {
            if (request.From is not null || request.To is not null)
            {
                throw new RequestException(terms.DatesOnStream, request.From is not null ? "from" : "to");
            }
        }
        else
        {
            var from = request.From ?? throw new RequestException(terms.DateRequired(terms.From), "from");
            var to = request.To ?? throw new RequestException(terms.DateRequired(terms.To), "to");
            RequestChecks.DateRange(from, to, terms.From, terms.To);
        }

        if (request.WatchlistSource is not null && request.Symbols.Count > 0)
        {
            throw new RequestException($"{terms.WatchlistSource} and {terms.Symbols} exclude each other: the source picks the symbols.", "watchlist_source");
        }

        if (request.WatchlistSource is null && request.Symbols.Count == 0)
        {
            throw new RequestException(terms.SymbolsRequired, "symbols");
        }

        if (request.Mode.IsStream() && request.Interval != Timeframe.OneMinute)
        {
            throw new RequestException(terms.IntervalOnStream(request.Interval), "interval");
        }

        if (!request.Mode.IsStream() && (request.MaxBars is not null || request.Until is not null))
        {
            throw new RequestException(terms.StopsOnReplay, request.MaxBars is not null ? "max_bars" : "until");
        }

        var strategy = request.Strategy.Trim();
        RequestChecks.Checked(() => StrategyCatalog.Describe(strategy), "strategy", reason => terms.Named(terms.Strategy, reason));
        RequestChecks.Checked(() => StrategyCatalog.Create(strategy, request.Parameters, request.Sizing?.RegimeAware ?? false), "parameters",
            reason => terms.Named(terms.Parameters, reason));

        var guardrails = RequestChecks.Guardrails(request.Guardrails, terms.Guardrails);
        if (request.RunId is { } given)
        {
            if (given.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) || given.Contains("..", StringComparison.Ordinal))
            {
                throw new RequestException($"{terms.RunId} '{given}' may only use letters, digits, '-', '_' and '.'.", "run_id");
            }

            if (request.NewRun)
            {
                throw new RequestException(
                    $"{terms.NewRun} and {terms.RunId} exclude each other: {terms.RunId} resumes or names a run, {terms.NewRun} starts a fresh one with a new id.", "new_run");
            }
        }

        return (strategy, guardrails);
    }

    /// <summary>Which run the request drives: the one it names, a new one (asked for, or none unfinished), or the unfinished
    /// run of the same kind when its settings match; a mismatch is refused with the first difference.</summary>
    /// <param name="settingsKnown">False while the watchlist waits for the scan: only the run's kind is checked now, and a
    /// request naming no run plans a new one (the session resolves it again once the scan has picked).</param>
    private static (string Id, bool Resuming) ResolveRun(RunRegistry registry, TradingSessionRequest request, IReadOnlyDictionary<string, string> runSettings,
        bool settingsKnown = true)
    {
        var terms = request.Terms;
        var mode = request.Mode.ToText();
        if (request.RunId is { } given)
        {
            if (registry.Load(given) is not { } existing)
            {
                return (given, false);
            }

            if (existing.Mode != mode)
            {
                throw new RequestException($"run {given} is a {existing.Mode} run; this command starts a {mode} run. Use another {terms.RunId}.", "run_id");
            }

            return settingsKnown && RunRegistry.Difference(existing.Settings, runSettings) is { } difference
                ? throw new RequestException($"run {given} was started with other settings ({difference}); run it with its own settings, or start another with {terms.NewRun}.", "run_id")
                : (given, true);
        }

        if (settingsKnown && !request.NewRun && registry.LatestUnfinished(mode) is { } unfinished)
        {
            return RunRegistry.Difference(unfinished.Settings, runSettings) is { } difference
                ? throw new RequestException($"run {unfinished.RunId} did not finish and was started with other settings ({difference}); run its command again to resume it, or add {terms.NewRun} to start a new run.", "run_id")
                : (unfinished.RunId, true);
        }

        return (registry.NewRunId(mode), false);
    }

    /// <summary>The premarket watchlist of the session's first day from the scan (bundled bars with no keys) or a saved
    /// bucket, and which list it was.</summary>
    private async Task<(IReadOnlyList<Symbol> Symbols, string Picked)> PickWatchlistAsync(TradingSessionRequest request, string source, bool recordScan,
        CancellationToken ct)
    {
        var terms = request.Terms;
        var firstSession = FirstSession(request);
        var sample = Scans.ScanSources.Sample(_settings);
        PremarketWatchlist premarket;
        await using (var store = _watchlists())
        {
            premarket = await RequestChecks.CheckedAsync(
                () =>
                {
                    var provider = PremarketWatchlistProvider.IsScan(source)
                        ? new PremarketWatchlistProvider("scan", recordScan ? store : null, sample, sample.AvailableSymbols(Timeframe.OneMinute), splits: sample.SplitsFor)
                        : new PremarketWatchlistProvider(source, store);
                    return provider.ForSessionAsync(firstSession, request.Mode.IsStream() ? PremarketMode.Live : PremarketMode.Replay, ct);
                },
                "watchlist_source", reason => $"{terms.WatchlistSource} {source}: {reason}").ConfigureAwait(false);
        }

        var symbols = premarket.Symbols;
        if (symbols.Count == 0)
        {
            throw new RequestException(
                $"the {premarket.Source} watchlist for {firstSession:yyyy-MM-dd} is empty{(premarket.Notes.Count > 0 ? $" ({premarket.Notes[0]})" : "")}; pass {terms.Symbols} instead.",
                "watchlist_source");
        }

        return (symbols, $"{premarket.Source} watchlist of {firstSession:yyyy-MM-dd}, as of {premarket.AsOfUtc:yyyy-MM-dd HH:mm}Z");
    }

    /// <summary>The session whose premarket watchlist a source picks: today's on the stream, the range's first in a replay
    /// (a range without one is refused naming <c>from</c>).</summary>
    private static DateOnly FirstSession(TradingSessionRequest request) => request.Mode.IsStream()
        ? ExchangeTime.SessionDate(DateTime.UtcNow)
        : NyseCalendar.Instance.GetSessions(request.From!.Value, request.To!.Value).FirstOrDefault()?.Date
            ?? throw new RequestException($"{request.Terms.Range(request.From!.Value, request.To!.Value)} holds no trading session; pick dates with one.", "from");

    private static async Task<bool> AnyBarsAsync(CsvBarSource source, TradingSessionOptions options, CancellationToken ct)
    {
        foreach (var symbol in options.Symbols)
        {
            var series = await source.GetBarsAsync(
                new BarRequest(symbol, options.Interval, ExchangeTime.StartOfDateUtc(options.From), ExchangeTime.EndOfDateUtc(options.To)), ct).ConfigureAwait(false);
            if (series.Bars.Count > 0)
            {
                return true;
            }
        }

        return false;
    }

    private static RequestException NoBars(SessionTerms terms, TradingSessionOptions options) => new(
        $"no bundled {options.Interval} bars for {string.Join(",", options.Symbols)} between {options.From:yyyy-MM-dd} and {options.To:yyyy-MM-dd}; {terms.NoBarsHint}.",
        "from");

    /// <summary>Runs the loop, turning "another process drives this run", a damaged snapshot and a resume that does not
    /// reproduce its snapshot into one-line refusals.</summary>
    private static async Task<TradingSessionResult> Refusing(Task<TradingSessionResult> run)
    {
        try
        {
            return await run.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RunLockedException or InvalidDataException or RunMismatchException)
        {
            throw new RequestException(ex.Message);
        }
    }

    private sealed class Silent : ITradingSessionObserver
    {
        public static readonly Silent Instance = new();
    }
}
