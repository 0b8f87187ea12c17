using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.Journal;
using AiTrader.Core.Reporting;
using AiTrader.Core.Tests.Journal;

namespace AiTrader.Core.Tests.Reporting;

/// <summary>A session's orders.csv and trades.csv made from its journal, as the journal outbox writes it: the expected
/// files are written out by hand.</summary>
public sealed class RunOrderLogTests
{
    private static DateTime At(int hour, int minute) => new(2013, 10, 7, hour, minute, 0, DateTimeKind.Utc);

    private static Order Entry(string id) => new(id, "SPY", OrderSide.Buy, 10m, OrderType.Market, At(14, 30), Reason: "breakout");

    private static Order Stop(string id, decimal level) => new(id, "SPY", OrderSide.Sell, 10m, OrderType.Stop, At(14, 30), StopPrice: level, Reason: "protective stop");

    private static async Task<IReadOnlyList<JournalEntry>> JournaledAsync(string runId, params ExecutionEvent[] events)
    {
        var journal = new InMemoryJournal();
        var outbox = new JournalOutbox(runId);
        foreach (var e in events)
        {
            outbox.Event(e);
        }

        await outbox.FlushAsync(journal);
        return journal.Entries;
    }

    private static ExecutionEvent Filled(Order order, DateTime at, decimal price, string reason) =>
        new(ExecutionEventKind.Fill, at, order, null, new Fill(order.Id, order.Symbol, order.Side, order.Quantity, price, 1m, at), Reason: reason,
            FilledQuantity: order.Quantity, IsComplete: true);

    [Fact]
    public async Task A_paper_runs_stop_carries_every_move_and_its_trade_closes_at_the_stop()
    {
        var entry = Entry("o1");
        var stop = Stop("o2", 99m);
        var entries = (await JournaledAsync("replay-1",
                new ExecutionEvent(ExecutionEventKind.Accepted, At(14, 30), entry, null),
                new ExecutionEvent(ExecutionEventKind.Accepted, At(14, 30), stop, null),
                Filled(entry, At(14, 31), 100m, ExitReasons.Signal),
                new ExecutionEvent(ExecutionEventKind.StopMoved, At(14, 40), stop, null, Reason: "trail", Price: 99.5m),
                new ExecutionEvent(ExecutionEventKind.StopMoved, At(14, 50), stop, null, Reason: "trail", Price: 100.25m),
                Filled(stop, At(14, 55), 100.25m, ExitReasons.Stop)))
            // Another run's order in the same journal is not this run's.
            .Concat(await JournaledAsync("replay-2", new ExecutionEvent(ExecutionEventKind.Accepted, At(15, 0), Entry("x1"), null)));

        var log = RunOrderLog.FromJournal(entries, "replay-1");

        Assert.Equal(
            "order_id,created_at,side,type,quantity,limit_price,stop_price,filled_quantity,average_fill_price,status,stop_moves,last_stop_price,reason,symbol,cancel_reason,stop_path\n" +
            "o1,2013-10-07T14:30:00Z,buy,market,10,,,10,100,filled,0,,breakout,SPY,,\n" +
            "o2,2013-10-07T14:30:00Z,sell,stop,10,,99,10,100.25,filled,2,100.25,protective stop,SPY,,2013-10-07T14:40:00Z 99.5;2013-10-07T14:50:00Z 100.25\n",
            log.RenderOrdersCsv());
        // 10 × (100.25 − 100) = 2.50, less two fees of 1.
        Assert.Equal(
            "symbol,side,quantity,entry_time,entry_price,exit_time,exit_price,pnl,fees,exit_reason\n" +
            "SPY,long,10,2013-10-07T14:31:00Z,100,2013-10-07T14:55:00Z,100.25,0.50,2.0000,stop\n",
            log.RenderTradesCsv());
    }

    [Fact]
    public async Task A_stop_replaced_at_a_broker_under_a_new_id_stays_one_order_with_its_moves()
    {
        var stop = Stop("b1", 99m);
        var replaced = stop with { Id = "b2" };
        var entries = await JournaledAsync("live-1",
            new ExecutionEvent(ExecutionEventKind.Accepted, At(14, 30), stop, "live-1-SPY-s1"),
            new ExecutionEvent(ExecutionEventKind.StopMoved, At(14, 40), replaced, "live-1-SPY-s2", Reason: "trail", Price: 99.75m),
            new ExecutionEvent(ExecutionEventKind.Cancelled, At(20, 0), replaced, "live-1-SPY-s2", Reason: CancelReasons.SessionEnd));

        var log = RunOrderLog.FromJournal(entries, "live-1");

        Assert.Equal(
            "order_id,created_at,side,type,quantity,limit_price,stop_price,filled_quantity,average_fill_price,status,stop_moves,last_stop_price,reason,symbol,cancel_reason,stop_path\n" +
            $"b1,2013-10-07T14:30:00Z,sell,stop,10,,99,0,,cancelled,1,99.75,protective stop,SPY,{CancelReasons.SessionEnd},2013-10-07T14:40:00Z 99.75\n",
            log.RenderOrdersCsv());
        Assert.Equal("symbol,side,quantity,entry_time,entry_price,exit_time,exit_price,pnl,fees,exit_reason\n", log.RenderTradesCsv());
    }
}
