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
using AiTrader.Core.Sessions;
using AiTrader.Core.Tests.Execution;
using AiTrader.Core.Tests.Journal;

namespace AiTrader.Core.Tests.Agents;

/// <summary>The paper broker's volume cap (<see cref="ExchangeOptions.MaxVolumeShare"/>): partial fills across bars, the rest cancelled at the close.</summary>
[Trait("Category", "Cli")]
[Collection(Journal.EnvironmentCollection.Name)]
public sealed class PartialFillTests : IDisposable
{
    private static readonly Symbol Spy = new("SPY");
    private readonly string _tmp = Path.Combine(Path.GetTempPath(), "aitrader-partial-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_tmp))
        {
            Directory.Delete(_tmp, recursive: true);
        }
    }

    private static Bar B(string utc, decimal open, decimal volume) =>
        new(DateTime.Parse(utc, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            open, open + 1, open - 1, open, volume);

    private static PaperDesk Desk(decimal? share = 0.1m) =>
        new(new ExchangeOptions(InitialCapital: 1_000_000m, SlippageBps: 0, MaxVolumeShare: share, Calendar: NyseCalendar.Instance));

    [Fact]
    public async Task A_large_order_fills_at_most_the_volume_share_per_bar_until_it_is_complete()
    {
        var desk = Desk();
        desk.OnBar(Spy, B("2013-10-07T14:00:00Z", 100, 1000));
        await desk.Broker.SubmitOrderAsync(new BrokerOrderRequest("big", Spy, OrderSide.Buy, 250));

        var first = desk.OnBar(Spy, B("2013-10-07T14:01:00Z", 100, 1000));
        var order = (await desk.Broker.FindOrderByClientOrderIdAsync("big"))!;
        Assert.Equal((BrokerOrderStatus.PartiallyFilled, 100m), (order.Status, order.FilledQuantity));
        Assert.False(Assert.Single(first, e => e.Kind == ExecutionEventKind.Fill).IsComplete);

        desk.OnBar(Spy, B("2013-10-07T14:02:00Z", 102, 509)); // floor(50.9) = 50 shares
        desk.OnBar(Spy, B("2013-10-07T14:03:00Z", 104, 5000));

        order = (await desk.Broker.FindOrderByClientOrderIdAsync("big"))!;
        Assert.Equal((BrokerOrderStatus.Filled, 250m), (order.Status, order.FilledQuantity));
        var fills = desk.Exchange.Fills;
        Assert.Equal([100m, 50m, 100m], fills.Select(f => f.Quantity));
        Assert.Equal([100m, 102m, 104m], fills.Select(f => f.Price));
        Assert.Equal((100m * 100 + 50m * 102 + 100m * 104) / 250m, order.AverageFillPrice);
        Assert.Equal(250, desk.Exchange.PositionOf(Spy));
        var events = desk.Events.Where(e => e.Kind == ExecutionEventKind.Fill).ToList();
        Assert.Equal([false, false, true], events.Select(e => e.IsComplete));
        Assert.Equal(3, events.Select(e => e.ExecutionId).Distinct().Count());
        // One round trip later: its entry is the three fills at their average price.
        Assert.Empty(desk.Exchange.Trades);
    }

    [Fact]
    public async Task The_unfilled_rest_is_cancelled_at_the_session_close_and_does_not_fill_the_next_day()
    {
        var desk = Desk();
        desk.OnBar(Spy, B("2013-10-07T19:57:00Z", 100, 1000));
        await desk.Broker.SubmitOrderAsync(new BrokerOrderRequest("late", Spy, OrderSide.Buy, 500));
        desk.OnBar(Spy, B("2013-10-07T19:58:00Z", 100, 1000));
        desk.OnBar(Spy, B("2013-10-07T19:59:00Z", 100, 1000));

        var nextDay = desk.OnBar(Spy, B("2013-10-08T13:30:00Z", 90, 100_000));

        var order = (await desk.Broker.FindOrderByClientOrderIdAsync("late"))!;
        Assert.Equal((BrokerOrderStatus.Cancelled, 200m), (order.Status, order.FilledQuantity));
        var cancel = Assert.Single(nextDay, e => e.Kind == ExecutionEventKind.Cancelled);
        Assert.Equal((ExecutionEventKind.Cancelled, CancelReasons.SessionEnd), (cancel.Kind, cancel.Reason));
        Assert.Equal(new DateTime(2013, 10, 7, 20, 0, 0, DateTimeKind.Utc), cancel.Timestamp); // 16:00 New York
        Assert.Equal(200, desk.Exchange.PositionOf(Spy));
        Assert.Equal(2, desk.Exchange.Fills.Count);
    }

    [Fact]
    public async Task Without_a_volume_share_the_whole_order_fills_on_one_bar()
    {
        var desk = Desk(share: null);
        desk.OnBar(Spy, B("2013-10-07T14:00:00Z", 100, 10));
        await desk.Broker.SubmitOrderAsync(new BrokerOrderRequest("all", Spy, OrderSide.Buy, 5000));
        desk.OnBar(Spy, B("2013-10-07T14:01:00Z", 100, 10));
        Assert.Equal(5000m, Assert.Single(desk.Exchange.Fills).Quantity);
    }

    [Fact]
    public async Task A_replay_with_a_volume_cap_journals_each_partial_fill_and_the_cancelled_rest()
    {
        var journal = new InMemoryJournal();
        var options = new TradingSessionOptions("vol", [Spy], new DateOnly(2013, 10, 7), new DateOnly(2013, 10, 11), Timeframe.OneMinute,
            "breakout", new Dictionary<string, string> { ["lookback"] = "20" }, new ExchangeOptions(MaxVolumeShare: 0.002m), StateDirectory: _tmp,
            Guardrails: _ => new GuardrailSet([new KillSwitch()]));

        var result = await new TradingSessionRunner(options, CsvBarSource.OpenSample(NyseCalendar.Instance), new JournalingAgent(journal)).RunAsync();

        var exchange = result.Exchange!;
        var split = exchange.AllOrders.Where(o => exchange.Fills.Count(f => f.OrderId == o.Id) > 1).ToList();
        Assert.NotEmpty(split);
        foreach (var order in split)
        {
            var fills = exchange.Fills.Where(f => f.OrderId == order.Id).ToList();
            Assert.Equal(order.Filled, fills.Sum(f => f.Quantity));
            Assert.All(fills.Skip(1).Zip(fills), p => Assert.True(p.First.Timestamp > p.Second.Timestamp, "one fill per bar"));
            Assert.Equal(ExchangeTime.SessionDate(fills[0].Timestamp), ExchangeTime.SessionDate(fills[^1].Timestamp));
            // Every partial fill is its own journal entry, under the order's client id.
            Assert.Equal(fills.Count, journal.Entries.Count(e => e.Kind == JournalKind.Fill && e.ClientOrderId == order.ClientOrderId));
        }

        Assert.Equal(exchange.Fills.Count, journal.Entries.Count(e => e.Kind == JournalKind.Fill));
        Assert.All(exchange.AllOrders, o => Assert.True(o.Status is not ExchangeOrderStatus.PartiallyFilled || o.Role == OrderRole.Stop
            || ExchangeTime.SessionDate(o.UpdatedAt) == new DateOnly(2013, 10, 11), $"{o.ClientOrderId} left {o.Status}"));
        var cancelledRests = exchange.AllOrders.Where(o => o.Status == ExchangeOrderStatus.Cancelled && o.Filled > 0 && o.Filled < o.Quantity).ToList();
        Assert.All(cancelledRests, o => Assert.Single(journal.Entries, e => e.Kind == JournalKind.Cancel && e.ClientOrderId == o.ClientOrderId));
    }

    [Fact]
    public async Task Cli_trade_takes_max_volume_share_and_reports_partial_fills()
    {
        var saved = Environment.GetEnvironmentVariable("AITRADER_DATA_DIR");
        Environment.SetEnvironmentVariable("AITRADER_DATA_DIR", _tmp);
        try
        {
            var stdout = new StringWriter(CultureInfo.InvariantCulture);
            var stderr = new StringWriter(CultureInfo.InvariantCulture);
            var code = await AiTraderApp.RunAsync(["trade", "--paper", "--replay", "2013-10-07:2013-10-08", "--symbols", "SPY",
                "--max-volume-share", "0.002", "--run-id", "cap"], stdout, stderr);

            Assert.True(code == 0, stderr.ToString());
            Assert.Contains(", partial)", stdout.ToString());
            var bad = await AiTraderApp.RunAsync(["trade", "--paper", "--replay", "2013-10-07:2013-10-08", "--symbols", "SPY",
                "--max-volume-share", "0"], stdout, stderr);
            Assert.Equal(ExitCodes.BadInput, bad);
            Assert.Contains("--max-volume-share", stderr.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable("AITRADER_DATA_DIR", saved);
        }
    }
}
