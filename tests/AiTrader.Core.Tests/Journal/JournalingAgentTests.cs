using System.Text.Json;
using AiTrader.Core.Domain;
using AiTrader.Core.Journal;
using AiTrader.Core.Risk;
using AiTrader.Core.Sessions;
using AiTrader.Core.Strategies;
using static AiTrader.Core.Tests.Risk.RiskTestKit;

namespace AiTrader.Core.Tests.Journal;

public sealed class JournalingAgentTests
{
    [Fact]
    public async Task A_pdt_block_becomes_a_block_entry_whose_reason_starts_with_the_rule_and_carries_the_numbers()
    {
        var pdt = new PatternDayTraderRule(NyseCalendar.Instance);
        foreach (var (day, symbol) in new[] { (1, "AAA"), (2, "BBB"), (3, "CCC") })
        {
            pdt.OnFill(Buy(symbol, 10, At(2024, 7, day, 10)));
            pdt.OnFill(Sell(symbol, 10, At(2024, 7, day, 11)));
        }

        var journal = new InMemoryJournal();
        var agent = new JournalingAgent(journal);
        var set = new GuardrailSet([pdt], agent.GuardrailCallback);
        var check = Opening("SPY", At(2024, 7, 5, 10), equity: 20_000m, quantity: 7m, price: 545.25m);

        var evaluation = set.Evaluate(check);
        Assert.False(evaluation.IsAllowed);
        Assert.Equal(1, await agent.FlushAsync());
        Assert.Equal(0, await agent.FlushAsync());

        var entry = Assert.Single(journal.Entries);
        Assert.Equal(JournalKind.Block, entry.Kind);
        Assert.StartsWith("pdt:", entry.Reason);
        Assert.Contains("3 day trades", entry.Reason);
        Assert.Contains("$20,000.00 < $25,000.00", entry.Reason);
        Assert.Equal(check.UtcNow, entry.Timestamp);
        Assert.Equal(new Symbol("SPY"), entry.Symbol);
        Assert.Equal(OrderSide.Buy, entry.Side);
        Assert.Equal(7m, entry.Quantity);
        Assert.Equal(545.25m, entry.Price);

        using var data = JsonDocument.Parse(entry.Data!);
        Assert.Equal("pdt", data.RootElement.GetProperty("rule").GetString());
        Assert.Equal(20_000m, data.RootElement.GetProperty("equity").GetDecimal());
        Assert.Equal("pdt", DailySummary.RuleOf(entry));
    }

    [Fact]
    public async Task Every_broken_rule_is_in_the_data_and_the_first_decides_the_reason()
    {
        var kill = new KillSwitch();
        kill.Engage(At(2024, 7, 3, 9, 0), "ops", "manual halt");
        var journal = new InMemoryJournal();
        var agent = new JournalingAgent(journal);
        var set = new GuardrailSet([new ExposureCap(0.10m, 1.00m), kill]);
        var evaluation = set.Evaluate(Opening("SPY", At(2024, 7, 3, 10), equity: 10_000m, quantity: 100m, price: 100m));

        var entry = await agent.RecordEvaluationAsync(evaluation, clientOrderId: "c-42");

        Assert.NotNull(entry);
        Assert.StartsWith("kill_switch:", entry.Reason);
        Assert.Equal("c-42", entry.ClientOrderId);
        Assert.Equal("block:c-42", entry.EventKey);
        using var data = JsonDocument.Parse(entry.Data!);
        Assert.Equal(["kill_switch", "exposure"], data.RootElement.GetProperty("blocks").EnumerateArray().Select(b => b.GetProperty("rule").GetString()));
        Assert.StartsWith("exposure:", data.RootElement.GetProperty("blocks")[1].GetProperty("reason").GetString());

        var allowed = new GuardrailSet([new ExposureCap(1m, 1m)]).Evaluate(Opening("SPY", At(2024, 7, 3, 10), equity: 10_000m, quantity: 1m));
        Assert.Null(await agent.RecordEvaluationAsync(allowed));
        Assert.Single(journal.Entries);
    }

    [Fact]
    public async Task Order_lifecycle_is_journaled_once_even_when_a_restarted_loop_re_emits_it()
    {
        var journal = new InMemoryJournal();
        var agent = new JournalingAgent(journal);
        var t = At(2024, 7, 3, 10);
        var intent = OrderIntent.Enter(PositionSide.Long, 10m, 540m, "breakout: close 545.25 > 55-bar high 544.80");
        var order = new Order("o-1", "SPY", OrderSide.Buy, 10m, OrderType.Market, t, Reason: intent.Reason);
        var partial = new Fill("o-1", "SPY", OrderSide.Buy, 4m, 545.30m, 0.02m, t.AddSeconds(1));
        var rest = new Fill("o-1", "SPY", OrderSide.Buy, 6m, 545.35m, 0.03m, t.AddSeconds(2));

        for (var run = 0; run < 2; run++)
        {
            await agent.RecordDecisionAsync(t, "SPY", intent, price: 545.25m);
            await agent.RecordOrderAsync(order, clientOrderId: "SPY-20240703-1");
            await agent.RecordFillAsync(partial, clientOrderId: "SPY-20240703-1");
            await agent.RecordFillAsync(rest, clientOrderId: "SPY-20240703-1");
            await agent.RecordPositionAsync(t.AddSeconds(2), "SPY", 10m, 545.33m, "filled");
            await agent.RecordCancelAsync(t.AddMinutes(5), order with { Id = "o-2", Type = OrderType.Stop, StopPrice = 540m }, "replaced by trail");
            await agent.RecordRejectAsync(t.AddMinutes(6), order with { Id = "o-3" }, "insufficient buying power", statusCode: 403);
        }

        Assert.Equal(
            [JournalKind.Decision, JournalKind.Order, JournalKind.Fill, JournalKind.Fill, JournalKind.Position, JournalKind.Cancel, JournalKind.Reject],
            journal.Entries.Select(e => e.Kind));
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], journal.Entries.Select(e => e.Id));

        var orderEntry = journal.Entries[1];
        Assert.Equal("o-1", orderEntry.OrderId);
        Assert.Equal("SPY-20240703-1", orderEntry.ClientOrderId);
        Assert.Equal(intent.Reason, orderEntry.Reason);
        Assert.Equal("order:SPY-20240703-1", orderEntry.EventKey);
        Assert.Equal(540m, journal.Entries[5].Price);
        Assert.Contains("\"status_code\":403", journal.Entries[6].Data);

        var summary = await agent.RecordSummaryAsync(new DateOnly(2024, 7, 3), At(2024, 7, 3, 16, 30));
        var again = await agent.RecordSummaryAsync(new DateOnly(2024, 7, 3), At(2024, 7, 3, 16, 31));
        Assert.Equal(summary, again);
        Assert.Equal(JournalKind.Summary, summary.Kind);
        Assert.StartsWith("2024-07-03: orders 1, fills 2,", summary.Reason);
        Assert.Contains("\"fees\":0.05", summary.Data);
    }
}
