using AiTrader.Core.Backtesting;
using AiTrader.Core.Brokers;
using AiTrader.Core.Brokers.Paper;
using AiTrader.Core.Domain;
using AiTrader.Core.IO;
using AiTrader.Core.Journal;
using AiTrader.Core.MarketData;
using AiTrader.Core.Risk;
using AiTrader.Core.Sessions;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Agents;

/// <summary>Settings of a replayed paper session: run id, watchlist, dates, bars, strategy, costs, flatten and pacing.</summary>
/// <param name="RunId">Names the client order ids and the snapshot file; the same id resumes a stopped run.</param>
/// <param name="StateDirectory">Where <c>paper/&lt;run-id&gt;.json</c> lives (AITRADER_DATA_DIR); null keeps no snapshot.</param>
/// <param name="FlattenMinutesBeforeClose">When set, exits every position this many minutes before the close and opens nothing after.</param>
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
    PriceAdjustment Adjustment = PriceAdjustment.Split);

/// <summary>One progress event of a session: the simulated time, the phase and a line for the operator.</summary>
public sealed record SessionProgress(DateTime Timestamp, string Phase, string Message, int BarsProcessed, decimal Equity);

/// <summary>The end state of a session: the broker (orders, fills, trades), blocks by rule and whether it resumed.</summary>
public sealed record TradingSessionResult(
    PaperBroker Broker,
    int BarsProcessed,
    bool Resumed,
    IReadOnlyDictionary<string, int> BlocksByRule,
    decimal FinalEquity);

/// <summary>The session-aware loop: replays minute bars on a simulated clock through policy → sizing → guardrails → execution.</summary>
/// <remarks>
/// Per trading day from the calendar (weekends and holidays are slept through): premarket journals the watchlist; each
/// regular-session bar time executes what rests at the paper broker, then asks each symbol's policy agent for intents and
/// sends them through sizing and execution; extended-hours and flagged bars are skipped, exactly as the backtester skips
/// flagged bars. After the close the day's summary is journaled. After every bar time the broker is snapshotted
/// atomically; a restart with the same run id reloads it, replays the processed bars through the strategies only (to
/// rebuild indicators) and carries on from the next bar, so nothing is submitted or journaled twice.
/// </remarks>
public sealed class TradingSessionLoop
{
    private readonly TradingSessionOptions _options;
    private readonly IBarSource _source;
    private readonly JournalingAgent _journal;
    private readonly Func<GuardrailSet> _guardrails;
    private readonly ITradingCalendar _calendar;
    private readonly Action<SessionProgress>? _progress;

    /// <param name="guardrails">Builds the guardrails (without a journal callback); default: <see cref="DefaultGuardrails"/>.</param>
    public TradingSessionLoop(TradingSessionOptions options, IBarSource source, JournalingAgent journal,
        Func<GuardrailSet>? guardrails = null, ITradingCalendar? calendar = null, Action<SessionProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(journal);
        if (options.Symbols.Count == 0)
        {
            throw new ArgumentException("The watchlist is empty; give at least one symbol.", nameof(options));
        }

        if (options.From > options.To)
        {
            throw new ArgumentException($"The replay start {options.From:yyyy-MM-dd} is after its end {options.To:yyyy-MM-dd}.", nameof(options));
        }

        _options = options;
        _source = source;
        _journal = journal;
        _calendar = calendar ?? NyseCalendar.Instance;
        _guardrails = guardrails ?? (() => DefaultGuardrails(_calendar));
        _progress = progress;
    }

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
        var resumed = path is not null && File.Exists(path);
        var broker = resumed
            ? PaperBroker.FromState(PaperBrokerState.FromJson(await File.ReadAllTextAsync(path!, cancellationToken).ConfigureAwait(false)), costs, _calendar)
            : new PaperBroker(costs, _calendar);
        var guardrails = _guardrails();
        // Day-trade counts and positions are guardrail state: rebuild them from the fills the broker already booked.
        foreach (var fill in broker.Fills)
        {
            guardrails.OnFill(fill.ToFill());
        }

        var execution = new ExecutionAgent(broker, guardrails, _journal, _options.RunId);
        var sizing = new SizingAgent();
        var bars = await LoadAsync(cancellationToken).ConfigureAwait(false);
        var policies = _options.Symbols.ToDictionary(s => s, s => new PolicyAgent(s, _options.Interval,
            StrategyCatalog.Create(_options.Strategy, _options.Parameters), costs.AllowShort));
        var blocks = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var processed = 0;
        if (resumed)
        {
            Report(broker.Now, "restart", $"resumed run {_options.RunId} after {broker.LastProcessedUtc:yyyy-MM-dd HH:mm}Z with " +
                $"{broker.Orders.Count(o => !o.IsTerminal)} open orders and {broker.Fills.Count} fills", 0, broker.Equity);
        }

        foreach (var session in _calendar.GetSessions(_options.From, _options.To))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var times = bars.Where(kv => kv.Key >= session.OpenUtc && kv.Key < session.CloseUtc).ToList();
            var dayDone = broker.LastProcessedUtc is { } last && last >= session.CloseUtc;
            if (!dayDone)
            {
                await _journal.RecordDecisionAsync(session.PremarketOpenUtc, null,
                    $"premarket: watchlist {string.Join(",", _options.Symbols)}", eventKey: $"{_options.RunId}:premarket:{session.Date:yyyy-MM-dd}",
                    cancellationToken: cancellationToken).ConfigureAwait(false);
                Report(session.PremarketOpenUtc, "premarket", $"{session.Date:yyyy-MM-dd} watchlist {string.Join(",", _options.Symbols)}",
                    processed, broker.Equity);
            }

            foreach (var (time, symbolBars) in times)
            {
                if (broker.LastProcessedUtc is { } done && time <= done)
                {
                    // Already traded before the restart: only rebuild the strategies' indicator state.
                    foreach (var (symbol, bar) in symbolBars)
                    {
                        policies[symbol].OnBar(bar, broker.PositionOf(symbol), broker.Cash, broker.Equity, broker.ProtectiveStop(symbol));
                    }

                    continue;
                }

                cancellationToken.ThrowIfCancellationRequested();
                foreach (var (symbol, bar) in symbolBars)
                {
                    broker.OnBar(symbol, bar);
                }

                await JournalUpdatesAsync(broker, execution, guardrails, cancellationToken).ConfigureAwait(false);
                guardrails.OnEquity(time, broker.Equity);

                var flatten = _options.FlattenMinutesBeforeClose is { } n && time >= session.CloseUtc.AddMinutes(-n);
                foreach (var (symbol, bar) in symbolBars)
                {
                    var position = broker.PositionOf(symbol);
                    var intents = policies[symbol].OnBar(bar, position, broker.Cash, broker.Equity, broker.ProtectiveStop(symbol)).ToList();
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
                        .Select(i => sizing.Size(i, broker.Equity, broker.Cash + position * bar.Close, bar.Close))
                        .OfType<OrderIntent>()
                        .ToList();
                    var report = await execution.ExecuteAsync(symbol, bar, sized, cancellationToken).ConfigureAwait(false);
                    foreach (var block in report.Blocks)
                    {
                        var rule = block.FirstBlock!.Rule;
                        blocks[rule] = blocks.GetValueOrDefault(rule) + 1;
                        Report(time, "block", $"{symbol} {block.FirstBlock.Reason}", processed, broker.Equity);
                    }
                }

                await JournalUpdatesAsync(broker, execution, guardrails, cancellationToken).ConfigureAwait(false);
                broker.LastProcessedUtc = time;
                processed++;
                if (path is not null)
                {
                    AtomicFile.WriteAllText(path, broker.ExportState().ToJson());
                }

                Report(time, "regular", "", processed, broker.Equity);
                if (_options.DelayPerBar is { } delay && delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
            }

            if (times.Count > 0 && !dayDone)
            {
                var summary = await _journal.RecordSummaryAsync(session.Date, session.CloseUtc.AddMinutes(1), cancellationToken).ConfigureAwait(false);
                Report(session.CloseUtc, "after-hours", summary.Reason, processed, broker.Equity);
            }
        }

        return new TradingSessionResult(broker, processed, resumed, blocks, broker.Equity);
    }

    private async Task JournalUpdatesAsync(PaperBroker broker, ExecutionAgent execution, GuardrailSet guardrails, CancellationToken ct)
    {
        foreach (var update in broker.DrainTradeUpdates())
        {
            decimal fee = 0m;
            var reason = "";
            if (update.Event is TradeUpdateEvent.Fill or TradeUpdateEvent.PartialFill)
            {
                var fill = broker.Fills.Last(f => f.OrderId == update.Order.Id);
                fee = fill.Fee;
                reason = fill.ExitReason;
                guardrails.OnFill(fill.ToFill());
                Report(fill.Timestamp, "fill", FormattableString.Invariant(
                    $"{fill.Symbol} {fill.Side.ToString().ToLowerInvariant()} {fill.Quantity} @ {fill.Price} ({update.Order.Type.ToString().ToLowerInvariant()})"),
                    0, broker.Equity);
            }

            await execution.RecordUpdateAsync(update, fee, reason, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Regular-session, unflagged bars of every symbol, grouped by bar time in time order.</summary>
    private async Task<SortedDictionary<DateTime, List<(Symbol Symbol, Bar Bar)>>> LoadAsync(CancellationToken ct)
    {
        var start = ExchangeTime.StartOfDateUtc(_options.From);
        var end = ExchangeTime.EndOfDateUtc(_options.To);
        var byTime = new SortedDictionary<DateTime, List<(Symbol, Bar)>>();
        foreach (var symbol in _options.Symbols)
        {
            var series = await _source.GetBarsAsync(new BarRequest(symbol, _options.Interval, start, end, _options.Adjustment), ct).ConfigureAwait(false);
            foreach (var bar in RegularSessionBars(series, _calendar).Bars)
            {
                if (!byTime.TryGetValue(bar.Timestamp, out var list))
                {
                    byTime[bar.Timestamp] = list = [];
                }

                list.Add((symbol, bar));
            }
        }

        return byTime;
    }

    /// <summary>The bars a session trades on: regular-session and not flagged (the same set a comparable backtest should run on).</summary>
    public static BarSeries RegularSessionBars(BarSeries series, ITradingCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(calendar);
        var kept = series.Bars
            .Where(b => !series.IsFlagged(b.Timestamp)
                && calendar.GetSession(ExchangeTime.SessionDate(b.Timestamp)) is { } s && b.Timestamp >= s.OpenUtc && b.Timestamp < s.CloseUtc)
            .ToList();
        return series with { Bars = kept, Flags = [] };
    }

    private void Report(DateTime at, string phase, string message, int processed, decimal equity) =>
        _progress?.Invoke(new SessionProgress(at, phase, message, processed, equity));
}
