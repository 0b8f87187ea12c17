using System.Globalization;
using AiTrader.Cli;
using AiTrader.Core.Agents;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Brokers;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.Journal;
using AiTrader.Core.MarketData;
using AiTrader.Core.Risk;
using AiTrader.Core.Risk.Sizing;
using AiTrader.Core.Sessions;
using AiTrader.Core.Strategies;
using AiTrader.Core.Tests.Execution;
using AiTrader.Core.Tests.Journal;

namespace AiTrader.Core.Tests.Agents;

[Trait("Category", "Cli")]
[Collection(Journal.EnvironmentCollection.Name)]
public sealed class PaperTradingTests : IDisposable
{
    private static readonly Symbol Spy = new("SPY");
    private static readonly DateOnly From = new(2013, 10, 7);
    private static readonly DateOnly To = new(2013, 10, 11);
    private static readonly Dictionary<string, string> Params = new() { ["lookback"] = "20", ["atr_period"] = "14" };
    private readonly string _tmp = Path.Combine(Path.GetTempPath(), "aitrader-agents-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_tmp))
        {
            Directory.Delete(_tmp, recursive: true);
        }
    }

    private static CsvBarSource Source => CsvBarSource.OpenSample(NyseCalendar.Instance);

    private static GuardrailSet NoBlocks(ITradingCalendar calendar) => new([new KillSwitch()]);

    private TradingSessionOptions Options(string runId, IReadOnlyList<Symbol>? symbols = null) =>
        new(runId, symbols ?? [Spy], From, To, Timeframe.OneMinute, "breakout", Params, new ExchangeOptions(), StateDirectory: _tmp,
            Guardrails: NoBlocks);

    /// <summary>The week's minute bars as the replay reads them, extended hours included: the loop trades the regular
    /// session of both runs by the same rule.</summary>
    private static Task<BarSeries> WeekAsync(Symbol symbol) =>
        Source.GetBarsAsync(new BarRequest(symbol, Timeframe.OneMinute, ExchangeTime.StartOfDateUtc(From), ExchangeTime.EndOfDateUtc(To)));

    private static ExchangeOptions Nyse(ExchangeOptions? options = null) => (options ?? new ExchangeOptions()) with { Calendar = NyseCalendar.Instance };

    private static Bar B(string utc, decimal o, decimal h, decimal l, decimal c) => PaperDesk.B(utc, o, h, l, c);

    [Fact]
    public async Task Market_order_fills_at_next_regular_bar_open_with_slippage_and_commission()
    {
        var desk = new PaperDesk(Nyse(new ExchangeOptions(InitialCapital: 10_000m)));
        desk.OnBar(Spy, B("2013-10-07T14:00:00Z", 100, 101, 99, 100));
        await desk.Broker.SubmitOrderAsync(new BrokerOrderRequest("a-1", Spy, OrderSide.Buy, 10));

        // 12:00 UTC is 08:00 New York: pre-market, so nothing fills on it.
        Assert.Empty(desk.OnBar(Spy, B("2013-10-08T12:00:00Z", 90, 90, 90, 90)));
        Assert.Equal(0, desk.Exchange.PositionOf(Spy));

        desk.OnBar(Spy, B("2013-10-08T13:30:00Z", 100.123m, 101, 99, 100));
        var fill = Assert.Single(desk.Exchange.Fills);
        Assert.Equal(Math.Round(100.123m * 1.0005m, 4, MidpointRounding.AwayFromZero), fill.Price);
        Assert.Equal(1.00m, fill.Fee);
        Assert.Equal(10, desk.Exchange.PositionOf(Spy));
        Assert.Equal(BrokerOrderStatus.Filled, (await desk.Broker.FindOrderByClientOrderIdAsync("a-1"))!.Status);
    }

    [Fact]
    public async Task Resubmitting_a_client_order_id_returns_the_existing_order()
    {
        var desk = new PaperDesk(Nyse());
        var first = await desk.Broker.SubmitOrderAsync(new BrokerOrderRequest("same", Spy, OrderSide.Buy, 5));
        var second = await desk.Broker.SubmitOrderAsync(new BrokerOrderRequest("same", Spy, OrderSide.Buy, 7));
        Assert.Equal(first.Id, second.Id);
        Assert.Single(desk.Exchange.AllOrders);
        Assert.Equal(5, second.Quantity);
    }

    [Fact]
    public async Task Stop_loss_rests_once_the_entry_fills_and_a_gap_fills_at_the_open()
    {
        var desk = new PaperDesk(Nyse(new ExchangeOptions(SlippageBps: 0)));
        desk.OnBar(Spy, B("2013-10-07T14:00:00Z", 100, 100, 100, 100));
        await desk.Broker.SubmitOrderAsync(new BrokerOrderRequest("buy", Spy, OrderSide.Buy, 10, StopLoss: 95));
        desk.OnBar(Spy, B("2013-10-07T14:01:00Z", 100, 100, 96, 97));
        Assert.Equal(10, desk.Exchange.PositionOf(Spy));
        Assert.Equal(95m, desk.Exchange.ProtectiveStopOf(Spy));
        desk.OnBar(Spy, B("2013-10-07T14:02:00Z", 94, 94, 93, 93));
        Assert.Equal(0, desk.Exchange.PositionOf(Spy));
        Assert.Equal(94m, desk.Exchange.Fills[^1].Price);
        Assert.Equal(ExitReasons.Stop, Assert.Single(desk.Exchange.Trades).ExitReason);
    }

    [Fact]
    public async Task Replayed_session_books_the_backtesters_trades_on_the_same_bars()
    {
        var series = await WeekAsync(Spy);
        var backtest = new BacktestEngine(Nyse()).Run(series, StrategyCatalog.Create("breakout", Params));
        var expected = backtest.Trades.Where(t => t.ExitReason != ExitReasons.EndOfData).ToList();
        Assert.NotEmpty(expected);

        var journal = new InMemoryJournal();
        var result = await new TradingSessionRunner(Options("eq"), Source, new JournalingAgent(journal)).RunAsync();

        Assert.Equal(expected.Count, result.Exchange!.Trades.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i], result.Exchange.Trades[i]);
            Assert.Equal((e.Quantity, e.EntryTime, e.EntryPrice, e.ExitTime, e.ExitPrice, e.Fees, e.ExitReason),
                (a.Quantity, a.EntryTime, a.EntryPrice, a.ExitTime, a.ExitPrice, a.Fees, a.ExitReason));
        }

        // Every fill is journaled exactly once and the day summaries are there.
        Assert.Equal(result.Exchange.Fills.Count, journal.Entries.Count(x => x.Kind == JournalKind.Fill));
        Assert.Equal(5, journal.Entries.Count(x => x.Kind == JournalKind.Summary));
    }

    public static TheoryData<string, bool, decimal?> SizingCases => new()
    {
        { "breakout", true, null },
        { "breakout", true, 0.5m }, // Kelly without a win probability falls back to base risk; the regime scaling still applies
        // Kelly's payoff ratio from the symbol's own round trips, which the loop reports to the sizing stage in both runs.
        // With stops 100 ATRs away Kelly engages after ten trades (some of its sizes are then cut to the cash).
        { "momentum", false, 0.1m },
    };

    [Theory]
    [MemberData(nameof(SizingCases))]
    public async Task Replay_with_regime_aware_or_kelly_sizing_books_the_backtesters_quantities(string strategy, bool regimeAware, decimal? kelly)
    {
        var sizing = new SizingOptions(RegimeAware: regimeAware, KellyFraction: kelly);
        var parameters = strategy == "breakout" ? Params : new Dictionary<string, string> { ["atr_multiplier"] = "100" };
        var series = await WeekAsync(Spy);
        var backtest = new BacktestEngine(Nyse(), new RoutingOptions(sizing)).Run(series, StrategyCatalog.Create(strategy, parameters, regimeAware));
        var plain = new BacktestEngine(Nyse()).Run(series, StrategyCatalog.Create(strategy, parameters));
        var expected = backtest.Trades.Where(t => t.ExitReason != ExitReasons.EndOfData).ToList();
        Assert.NotEmpty(expected);
        Assert.NotEqual(plain.Trades.Select(t => t.Quantity), backtest.Trades.Select(t => t.Quantity)); // the sizing matters here

        var options = Options("sized-" + strategy) with { Strategy = strategy, Parameters = parameters, Sizing = sizing };
        var result = await new TradingSessionRunner(options, Source, new JournalingAgent(new InMemoryJournal())).RunAsync();

        Assert.Equal(expected.Select(t => (t.EntryTime, t.Quantity, t.EntryPrice, t.ExitTime)),
            result.Exchange!.Trades.Select(t => (t.EntryTime, t.Quantity, t.EntryPrice, t.ExitTime)));
    }

    [Fact]
    public async Task Kill_and_restart_mid_replay_duplicates_nothing_and_loses_nothing()
    {
        var reference = await new TradingSessionRunner(Options("ref"), Source, new JournalingAgent(new InMemoryJournal())).RunAsync();

        var journal = new InMemoryJournal();
        using var cts = new CancellationTokenSource();
        var killed = new TradingSessionRunner(Options("kill"), Source, new JournalingAgent(journal),
            progress: p =>
            {
                if (p.Phase == "regular" && p.BarsProcessed == 700)
                {
                    cts.Cancel();
                }
            });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => killed.RunAsync(cts.Token));

        var resumed = await new TradingSessionRunner(Options("kill"), Source, new JournalingAgent(journal)).RunAsync();
        Assert.True(resumed.Resumed);
        var exchange = resumed.Exchange!;
        Assert.Equal(exchange.AllOrders.Count, exchange.AllOrders.Select(o => o.ClientOrderId).Distinct().Count());
        Assert.Equal(reference.Exchange!.AllOrders.Count, exchange.AllOrders.Count);
        Assert.Equal(reference.Exchange.Trades.Select(t => (t.EntryTime, t.EntryPrice, t.ExitPrice, t.Quantity)),
            exchange.Trades.Select(t => (t.EntryTime, t.EntryPrice, t.ExitPrice, t.Quantity)));
        Assert.Equal(reference.FinalEquity, resumed.FinalEquity);

        var fills = journal.Entries.Where(e => e.Kind == JournalKind.Fill).ToList();
        Assert.Equal(exchange.Fills.Count, fills.Count);
        Assert.Equal(fills.Count, fills.Select(f => f.EventKey).Distinct().Count());
        // One order entry per order; the stop moves are journaled as amendments of their order.
        Assert.Equal(exchange.AllOrders.Count, journal.Entries.Count(e => e.Kind == JournalKind.Order && e.EventKey!.StartsWith("kill:order:", StringComparison.Ordinal)));
        Assert.Equal(exchange.StopAmendments.Count, journal.Entries.Count(e => e.EventKey!.StartsWith("kill:amend:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Small_account_gets_pdt_blocks_journaled_with_the_rule_and_numbers()
    {
        var journal = new InMemoryJournal();
        var options = Options("pdt", [Spy, new Symbol("IBM"), new Symbol("BAC")]) with
        {
            Costs = new ExchangeOptions(InitialCapital: 20_000m),
            Guardrails = null,
        };
        var result = await new TradingSessionRunner(options, Source, new JournalingAgent(journal)).RunAsync();

        Assert.True(result.BlocksByRule.GetValueOrDefault(GuardrailRules.Pdt) > 0, "a $20k account should hit the PDT rule on minute breakouts");
        var blocks = journal.Entries.Where(e => e.Kind == JournalKind.Block).ToList();
        Assert.Equal(result.BlocksByRule.Values.Sum(), blocks.Count);
        Assert.All(blocks, b =>
        {
            Assert.StartsWith("pdt: ", b.Reason, StringComparison.Ordinal);
            Assert.Contains("< $25,000.00", b.Reason, StringComparison.Ordinal);
            Assert.NotNull(b.ClientOrderId);
        });

        // The rule caps day trades: no more than 3 round trips opened and closed on one date within the week.
        var dayTrades = result.Exchange!.Trades.Count(t => ExchangeTime.SessionDate(t.EntryTime) == ExchangeTime.SessionDate(t.ExitTime));
        Assert.True(dayTrades <= 3, $"{dayTrades} day trades in 5 business days");
    }

    [Fact]
    public async Task Cli_trade_paper_replay_runs_and_journals_under_the_data_dir()
    {
        var saved = Environment.GetEnvironmentVariable("AITRADER_DATA_DIR");
        Environment.SetEnvironmentVariable("AITRADER_DATA_DIR", _tmp);
        try
        {
            var stdout = new StringWriter(CultureInfo.InvariantCulture);
            var stderr = new StringWriter(CultureInfo.InvariantCulture);
            var code = await AiTraderApp.RunAsync(
                ["trade", "--paper", "--replay", "2013-10-07:2013-10-08", "--symbols", "SPY", "--speed", "max", "--run-id", "smoke"],
                stdout, stderr);
            Assert.True(code == 0, stderr.ToString());
            Assert.Contains("final equity", stdout.ToString());
            Assert.Contains("after-hours", stdout.ToString());
            Assert.True(File.Exists(Path.Combine(_tmp, "paper", "smoke.json")));

            var offline = await AiTraderApp.RunAsync(["trade", "--paper", "--symbols", "SPY"], stdout, stderr);
            Assert.Equal(2, offline);
            var live = await AiTraderApp.RunAsync(["trade", "--live", "--replay", "2013-10-07:2013-10-08", "--symbols", "SPY"], stdout, stderr);
            Assert.Equal(2, live);
            Assert.Contains("live", stderr.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable("AITRADER_DATA_DIR", saved);
        }
    }
}
