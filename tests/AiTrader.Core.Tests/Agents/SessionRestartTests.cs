using AiTrader.Core.Agents;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.Journal;
using AiTrader.Core.MarketData;
using AiTrader.Core.Risk;
using AiTrader.Core.Sessions;
using AiTrader.Core.Tests.Journal;

namespace AiTrader.Core.Tests.Agents;

/// <summary>What a restarted session keeps: guardrail halts and windows, one summary per date, and the flatten rule.</summary>
public sealed class SessionRestartTests : IDisposable
{
    private static readonly Symbol Spy = new("SPY");
    private static readonly Dictionary<string, string> Params = new() { ["lookback"] = "20", ["atr_period"] = "14" };
    private readonly string _tmp = Path.Combine(Path.GetTempPath(), "aitrader-restart-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_tmp))
        {
            Directory.Delete(_tmp, recursive: true);
        }
    }

    private static CsvBarSource Source => CsvBarSource.OpenSample(NyseCalendar.Instance);

    private TradingSessionOptions Options(string runId, DateOnly to, Func<GuardrailSet>? rules = null) =>
        new(runId, [Spy], new DateOnly(2013, 10, 7), to, Timeframe.OneMinute, "breakout", Params, new ExchangeOptions(), StateDirectory: _tmp,
            Guardrails: _ => rules?.Invoke() ?? new GuardrailSet([new KillSwitch()]));

    private static DateOnly D(int day) => new(2013, 10, day);

    private static bool IsEntryOn(ExchangeOrder o, DateOnly date) =>
        o.ClientOrderId!.EndsWith("-entry", StringComparison.Ordinal) && o.ClientOrderId.Contains($"-{date:yyyyMMdd}", StringComparison.Ordinal);

    [Fact]
    public async Task A_drawdown_halt_survives_a_restart_and_a_manual_reset_clears_it()
    {
        // A 0.05% drawdown limit trips on the first losing minutes of a day; no cool-off, manual reset required.
        DrawdownGate? gate = null;
        GuardrailSet Rules() => new([new KillSwitch(), gate = new DrawdownGate(0.0005m, TimeSpan.Zero), new OrderRateLimit(60)]);
        var store = new InMemoryJournal();
        var journal = new JournalingAgent(store);

        await new TradingSessionRunner(Options("dd", D(7), Rules), Source, journal).RunAsync();
        Assert.True(gate!.IsHalted, "precondition: the tiny limit trips on 2013-10-07");
        var trippedAt = gate.HaltedAtUtc;
        var hwm = gate.HighWaterMark;
        var halt = Assert.Single(store.Entries, e => e.Kind == JournalKind.Decision && e.EventKey!.StartsWith("dd:guardrails:", StringComparison.Ordinal));
        Assert.Equal("guardrails: halted by max_drawdown", halt.Reason);

        // Restart for the next day: a fresh gate comes back halted, with the same trip, and blocks every new entry.
        var second = await new TradingSessionRunner(Options("dd", D(8), Rules), Source, journal).RunAsync();
        Assert.True(second.Resumed);
        Assert.True(gate.IsHalted);
        Assert.Equal(trippedAt, gate.HaltedAtUtc);
        Assert.True(gate.HighWaterMark >= hwm);
        Assert.True(second.BlocksByRule.GetValueOrDefault(GuardrailRules.MaxDrawdown) > 0, "the restored halt blocks entries");
        Assert.DoesNotContain(second.Exchange!.AllOrders, o => IsEntryOn(o, D(8)));

        // With --reset-halt the next day trades again, and the journal records that the halt is gone.
        var third = await new TradingSessionRunner(Options("dd", D(9), Rules) with { ResetHalts = true }, Source, journal).RunAsync();
        Assert.Contains(third.Exchange!.AllOrders, o => IsEntryOn(o, D(9)));
        Assert.Contains(store.Entries, e => e.Kind == JournalKind.Decision && e.Reason == "guardrails: no halt");

        // Without the snapshot (lost, or a live run on another machine) the journal's latest halt entry brings the halt back.
        File.Delete(TradingSessionRunner.SnapshotPath(_tmp, "dd"));
        var fresh = new InMemoryJournal();
        foreach (var e in store.Entries.Where(e => e.EventKey!.StartsWith("dd:guardrails:", StringComparison.Ordinal)).Take(1))
        {
            await fresh.AppendAsync(e);
        }

        var fromJournal = await new TradingSessionRunner(Options("dd", D(7), Rules), Source, new JournalingAgent(fresh)).RunAsync();
        Assert.False(fromJournal.Resumed);
        Assert.True(gate.IsHalted);
        Assert.Equal(trippedAt, gate.HaltedAtUtc);
        Assert.True(fromJournal.BlocksByRule.GetValueOrDefault(GuardrailRules.MaxDrawdown) > 0);
    }

    [Fact]
    public void Guardrail_state_round_trips_the_order_window_and_the_daily_baseline()
    {
        var t = new DateTime(2013, 10, 7, 14, 0, 0, DateTimeKind.Utc);
        static OrderCheck Check(bool opening, DateTime at, decimal equity) =>
            new(Spy, OrderSide.Buy, 1, 100m, opening, new AccountSnapshot(equity, equity, new Dictionary<Symbol, PositionSnapshot>(), false), at);
        static GuardrailSet Rules() => new([new OrderRateLimit(2), new DailyLossLimit(maxLossAmount: 100m)]);
        var before = Rules();
        before.OnEquity(t.AddHours(-1), 100_000m);
        before.OnEquity(t.AddMinutes(-1), 99_850m); // $150 down on the day: tripped
        Assert.True(before.Evaluate(Check(false, t, 99_850m)).IsAllowed);
        Assert.True(before.Evaluate(Check(false, t.AddSeconds(10), 99_850m)).IsAllowed);

        Assert.True(Rules().Evaluate(Check(true, t.AddSeconds(20), 99_990m)).IsAllowed); // fresh: nothing remembered
        var after = Rules();
        after.RestoreState(before.ExportState());

        var third = after.Evaluate(Check(true, t.AddSeconds(20), 99_990m));
        Assert.Equal([GuardrailRules.DailyLoss, GuardrailRules.Rate], third.Blocks.Select(b => b.Rule).Order());
        var daily = after.Guardrails.OfType<DailyLossLimit>().Single();
        Assert.Equal((D(7), 100_000m), (daily.SessionDate!.Value, daily.SessionStartEquity));
    }

    [Fact]
    public async Task A_restart_after_a_finished_day_writes_one_summary_per_date()
    {
        var journal = new InMemoryJournal();
        using var cts = new CancellationTokenSource();
        var days = 0;
        var killed = new TradingSessionRunner(Options("sum", D(9)), Source, new JournalingAgent(journal),
            progress: p =>
            {
                // Killed right after the first day's summary, before anything of the second day.
                if (p.Phase == "after-hours" && ++days == 1)
                {
                    cts.Cancel();
                }
            });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => killed.RunAsync(cts.Token));
        Assert.Single(journal.Entries, e => e.Kind == JournalKind.Summary);

        await new TradingSessionRunner(Options("sum", D(9)), Source, new JournalingAgent(journal)).RunAsync();
        await new TradingSessionRunner(Options("sum", D(9)), Source, new JournalingAgent(journal)).RunAsync();

        var summaries = journal.Entries.Where(e => e.Kind == JournalKind.Summary).ToList();
        Assert.Equal([D(7), D(8), D(9)], summaries.Select(s => ExchangeTime.SessionDate(s.Timestamp)).Order());
        Assert.Equal(summaries.Count, summaries.Select(s => s.EventKey).Distinct().Count());
    }

    [Trait("Category", "Slow")]
    [Fact]
    public async Task Flatten_minutes_before_the_close_exits_every_position_and_journals_it()
    {
        var journal = new InMemoryJournal();
        var options = Options("flat", D(11)) with { FlattenMinutesBeforeClose = 90 };
        var result = await new TradingSessionRunner(options, Source, new JournalingAgent(journal)).RunAsync();
        var plain = await new TradingSessionRunner(Options("noflat", D(11)), Source, new JournalingAgent(new InMemoryJournal())).RunAsync();

        // Without the rule some position is carried over a close; with it none is, and nothing opens in the last 90 minutes.
        Assert.Contains(plain.Exchange!.Trades, t => ExchangeTime.SessionDate(t.EntryTime) != ExchangeTime.SessionDate(t.ExitTime));
        Assert.All(result.Exchange!.Trades, t => Assert.Equal(ExchangeTime.SessionDate(t.EntryTime), ExchangeTime.SessionDate(t.ExitTime)));
        Assert.Equal(0, result.Exchange.PositionOf(Spy));
        foreach (var fill in result.Exchange.Fills)
        {
            var close = NyseCalendar.Instance.GetSession(ExchangeTime.SessionDate(fill.Timestamp))!.CloseUtc;
            Assert.True(fill.Timestamp < close, $"fill at {fill.Timestamp:O} is not before the close");
        }

        var flattenDecisions = journal.Entries.Where(e => e.Kind == JournalKind.Decision && e.Reason.StartsWith("flatten 90 minutes", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(flattenDecisions);
        Assert.All(flattenDecisions, d => Assert.True(d.Timestamp >= NyseCalendar.Instance.GetSession(ExchangeTime.SessionDate(d.Timestamp))!.CloseUtc.AddMinutes(-90)));
        Assert.Contains(journal.Entries, e => e.Kind == JournalKind.Order && e.Reason.StartsWith("flatten 90 minutes", StringComparison.Ordinal));
        Assert.DoesNotContain(result.Exchange.AllOrders, o => o.ClientOrderId!.EndsWith("-entry", StringComparison.Ordinal)
            && o.Order.CreatedAt >= NyseCalendar.Instance.GetSession(ExchangeTime.SessionDate(o.Order.CreatedAt))!.CloseUtc.AddMinutes(-90));
    }
}
