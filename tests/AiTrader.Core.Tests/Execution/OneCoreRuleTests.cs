using System.Runtime.CompilerServices;
using AiTrader.Cli.Commands;
using AiTrader.Core.Agents;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.Journal;
using AiTrader.Core.MarketData;
using AiTrader.Core.Risk;
using AiTrader.Core.Sessions;
using AiTrader.Core.Strategies;
using AiTrader.Core.Tests.Journal;

namespace AiTrader.Core.Tests.Execution;

/// <summary>Each rule where the old backtest and live paths disagreed, worked by hand once against the one core. Costs:
/// 5 bps slippage, $0.005/share with a $1.00 minimum.</summary>
[Trait("Category", "Cli")]
public class OneCoreRuleTests
{
    private static readonly Symbol Sym = new("TEST");
    private static readonly ExchangeOptions Nyse = new(Calendar: NyseCalendar.Instance);

    private sealed class Scripted(Dictionary<int, OrderIntent[]> script) : IStrategy
    {
        public string Name => "scripted";

        public void Reset()
        {
        }

        public IReadOnlyList<OrderIntent> OnBar(StrategyContext context) =>
            script.TryGetValue(context.BarIndex, out var intents) ? intents : [];
    }

    private static DateTime Ny(int day, int hour, int minute) => ExchangeTime.ToUtc(new DateOnly(2024, 3, day), new TimeOnly(hour, minute));

    private static Bar Flat(DateTime time, decimal price) => new(time, price, price + 1, price - 1, price, 1_000_000m);

    private static BacktestResult Run(IReadOnlyList<Bar> bars, Dictionary<int, OrderIntent[]> script, ExchangeOptions? options = null) =>
        new BacktestEngine(options ?? Nyse).Run(new BarSeries(Sym, Timeframe.OneMinute, bars, []), new Scripted(script));

    [Fact]
    public void A_new_entry_on_the_same_side_replaces_the_working_one()
    {
        // Bar 0 sends a day limit at 90 that the flat 100 market never reaches; bar 1 sends a market entry: the limit is
        // cancelled at bar 1's decision as replaced (not as a session end), and the market order fills at bar 2's open,
        // 100 × 1.0005 = 100.05.
        Bar[] bars = [Flat(Ny(5, 10, 0), 100m), Flat(Ny(5, 10, 1), 100m), Flat(Ny(5, 10, 2), 100m), Flat(Ny(5, 10, 3), 100m)];
        var result = Run(bars, new()
        {
            [0] = [OrderIntent.EnterLimit(PositionSide.Long, 10, 90m, 80m, "dip")],
            [1] = [OrderIntent.Enter(PositionSide.Long, 5, 80m, "now")],
        });

        Assert.Equal(new Cancellation("o1", 10m, bars[1].Timestamp, CancelReasons.Replaced), result.Cancellations[0]);
        var fill = Assert.Single(result.Fills, f => f.Side == OrderSide.Buy);
        Assert.Equal(("o2", 5m, 100.05m, bars[2].Timestamp), (fill.OrderId, fill.Quantity, fill.Price, fill.Timestamp));

        // orders.csv says why: the replaced limit is cancelled with its reason; the market entry's stop is an order from
        // its fill, and the replaced limit never got one.
        var rows = OrderLogWriter.Render(result).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(r => r.Split(',')).ToList();
        Assert.Equal(("o1", "cancelled", "replaced", ""), (rows[0][0], rows[0][9], rows[0][14], rows[0][15])); // cancel_reason, stop_path
        Assert.Equal(("o3", "stop", "80"), (rows[2][0], rows[2][3], rows[2][6]));
        Assert.Equal(3, rows.Count(r => r[0] != "o4")); // o4 closes at the end of the data
    }

    /// <summary>Records what the loop tells it, and enters once.</summary>
    private sealed class Listening(Dictionary<int, OrderIntent[]> script) : IStrategy
    {
        public List<string> Heard { get; } = [];

        public string Name => "listening";

        public void Reset() => Heard.Clear();

        public IReadOnlyList<OrderIntent> OnBar(StrategyContext context)
        {
            Heard.Add($"bar {context.BarIndex}");
            return script.TryGetValue(context.BarIndex, out var intents) ? intents : [];
        }

        public void OnFill(Fill fill) => Heard.Add($"fill {fill.Side.ToString().ToLowerInvariant()} {fill.Quantity} @ {fill.Price}");

        public void OnTradeClosed(TradeRecord trade) => Heard.Add($"closed {trade.Pnl}");
    }

    [Fact]
    public void Strategies_hear_their_fills_and_closed_round_trips_before_their_next_decision()
    {
        // Entry at bar 0's close fills at bar 1's open (100.05); bar 1's low is 99, above the stop at 98.6, which bar 2 hits
        // (low 98.5, open 100): sold at 98.6. Round trip: 10 × (98.6 − 100.05) − 2 × $1 = −16.50, told before bar 2's decision.
        Bar[] bars = [Flat(Ny(5, 10, 0), 100m), Flat(Ny(5, 10, 1), 100m), new(Ny(5, 10, 2), 100m, 100m, 98.5m, 99.5m, 1_000_000m)];
        var strategy = new Listening(new() { [0] = [OrderIntent.Enter(PositionSide.Long, 10, 98.6m, "in")] });
        new BacktestEngine(Nyse).Run(new BarSeries(Sym, Timeframe.OneMinute, bars, []), strategy);

        Assert.Equal(["bar 0", "fill buy 10 @ 100.0500", "bar 1", "fill sell 10 @ 98.6", "closed -16.5000", "bar 2"], strategy.Heard);
    }

    [Fact]
    public void A_short_on_an_account_that_does_not_allow_them_is_refused_by_the_router_before_any_venue()
    {
        Bar[] bars = [Flat(Ny(5, 10, 0), 100m), Flat(Ny(5, 10, 1), 100m)];
        var result = Run(bars, new() { [0] = [OrderIntent.Enter(PositionSide.Short, 10, 110m, "fade")] });

        Assert.Empty(result.Orders);
        var refusal = Assert.Single(result.Rejections);
        Assert.Equal(("router", OrderSide.Sell, bars[0].Timestamp), (refusal.Rule, refusal.Side, refusal.Timestamp));
        Assert.Contains("shorts are not allowed", refusal.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_protective_stop_rests_from_the_moment_its_entry_fills_even_on_the_next_sessions_first_bar()
    {
        // Decided at 15:59, the entry waits overnight and fills at 09:30's open, 100 × 1.0005 = 100.05. That bar trades
        // down to 94: the stop at 95, resting from the fill, sells at 95 in the same bar (it opened above the stop).
        Bar[] bars =
        [
            Flat(Ny(5, 15, 59), 100m),
            new(Ny(6, 9, 30), 100m, 100.5m, 94m, 96m, 1_000_000m),
            Flat(Ny(6, 9, 31), 96m),
        ];
        var result = Run(bars, new() { [0] = [OrderIntent.Enter(PositionSide.Long, 100, 95m, "breakout")] });

        var trade = Assert.Single(result.Trades);
        Assert.Equal((100.05m, 95m, ExitReasons.Stop), (trade.EntryPrice, trade.ExitPrice, trade.ExitReason));
        Assert.Equal((bars[1].Timestamp, bars[1].Timestamp), (trade.EntryTime, trade.ExitTime));
        // 100 × (95 − 100.05) − (1 + 1) fees = −507.
        Assert.Equal(-507m, trade.Pnl);
    }

    [Fact]
    public void Cancels_are_reported_by_their_reason_and_a_replaced_entry_is_not_a_session_end()
    {
        var notes = BacktestRunner.ExecutionNotes(
            [
                new Cancellation("o1", 5, default, CancelReasons.Replaced),
                new Cancellation("o2", 5, default, CancelReasons.Replaced),
                new Cancellation("o3", 5, default, CancelReasons.SessionEnd),
                new Cancellation("o4", 5, default, CancelReasons.PositionClosed),
            ],
            [new Rejection(default, Sym, OrderSide.Buy, 10, GuardrailRules.Pdt, "pdt: 3 day trades")], 0, false).ToList();

        Assert.Equal("3 order(s) cancelled: 2 replaced by a newer entry, 1 outlived its session (see orders.csv)", notes[0]);
        Assert.Equal("1 intent(s) not sent: 1 by pdt (pdt: 3 day trades)", notes[1]);
    }

    [Fact]
    public async Task A_live_feed_goes_through_the_outlier_check_the_bar_sources_apply_to_history()
    {
        // Ten quiet bars around 100, then one whose high prints at 400 and is gone by the close: a bad print.
        var bars = Enumerable.Range(0, 12).Select(i => Flat(Ny(5, 10, i), 100m)).ToList();
        bars[10] = bars[10] with { High = 400m };
        var lines = new List<SessionProgress>();
        var options = new TradingSessionOptions("feed", [Sym], new DateOnly(2024, 3, 5), new DateOnly(2024, 3, 5), Timeframe.OneMinute,
            Guardrails: _ => new GuardrailSet([]));

        var result = await new TradingSessionRunner(options, ct => Feed(bars, ct), new JournalingAgent(new InMemoryJournal()),
            progress: lines.Add).RunAsync();

        Assert.Equal(1, result.BadPrints);
        Assert.Equal(11, result.BarsProcessed);
        var line = Assert.Single(lines, p => p.Phase == "bad-print");
        Assert.Equal(bars[10].Timestamp, line.Timestamp);
        Assert.StartsWith("TEST skipped: bad print: high 400", line.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_paper_replay_takes_the_account_session_rules_extended_hours_included()
    {
        // 08:00 is pre-market. Regular hours only: the first decision is 09:30's close. With extended hours the paper
        // replay trades the pre-market bars like the backtest does.
        var bars = new List<Bar> { Flat(Ny(5, 8, 0), 100m), Flat(Ny(5, 8, 1), 100m), Flat(Ny(5, 9, 30), 100m), Flat(Ny(5, 9, 31), 100m) };
        async Task<int> TradedAsync(bool extended)
        {
            var options = new TradingSessionOptions("ext", [Sym], new DateOnly(2024, 3, 5), new DateOnly(2024, 3, 5), Timeframe.OneMinute,
                Costs: new ExchangeOptions(ExtendedHours: extended), Guardrails: _ => new GuardrailSet([]));
            return (await new TradingSessionRunner(options, ct => Feed(bars, ct), new JournalingAgent(new InMemoryJournal())).RunAsync()).BarsProcessed;
        }

        Assert.Equal(2, await TradedAsync(extended: false));
        Assert.Equal(4, await TradedAsync(extended: true));
    }

    private static async IAsyncEnumerable<(Symbol Symbol, Bar Bar)> Feed(IEnumerable<Bar> bars, [EnumeratorCancellation] CancellationToken ct)
    {
        foreach (var bar in bars)
        {
            ct.ThrowIfCancellationRequested();
            yield return (Sym, bar);
            await Task.Yield();
        }
    }
}

/// <summary><c>backtest --guardrails</c>: a research run shows what the PDT rule would have blocked.</summary>
public class BacktestGuardrailsCliTests
{
    [Fact]
    public async Task A_small_account_backtest_with_pdt_counts_the_blocked_orders_and_without_it_trades_them()
    {
        var dir = Path.Combine(Path.GetTempPath(), "aitrader-bt-pdt-" + Guid.NewGuid().ToString("N"));
        try
        {
            string[] args = ["backtest", "--symbols", "SPY,IBM,BAC", "--interval", "1Min", "--start", "2013-10-07", "--end", "2013-10-11",
                "--capital", "20000"];
            var (code, output, err) = await TestSupport.CliRunner.Run([.. args, "--guardrails", "pdt", "--out", Path.Combine(dir, "pdt")]);
            Assert.True(code == 0, err);
            Assert.Matches(@"warning: \d+ intent\(s\) not sent: \d+ by pdt \(pdt: ", output + err);
            var guarded = File.ReadAllLines(Path.Combine(dir, "pdt", "trades.csv")).Length;

            (code, output, err) = await TestSupport.CliRunner.Run([.. args, "--out", Path.Combine(dir, "none")]);
            Assert.True(code == 0, err);
            Assert.DoesNotContain("by pdt", output + err, StringComparison.Ordinal);
            Assert.True(File.ReadAllLines(Path.Combine(dir, "none", "trades.csv")).Length > guarded, "without the rule more round trips are made");

            var bad = await TestSupport.CliRunner.Run([.. args, "--guardrails", "pdt,nosuch"]);
            Assert.Equal(2, bad.Code);
            Assert.Contains("--guardrails: unknown guardrail 'nosuch'", bad.Err, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
