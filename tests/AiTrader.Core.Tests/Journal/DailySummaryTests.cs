using AiTrader.Core.Domain;
using AiTrader.Core.Journal;
using static AiTrader.Core.Tests.Journal.JournalTestKit;

namespace AiTrader.Core.Tests.Journal;

public sealed class DailySummaryTests
{
    private static readonly DateOnly Day = new(2024, 7, 3);

    /// <summary>A hand-built Wednesday 2024-07-03 with a few entries of the days around it that must not count.</summary>
    private static List<JournalEntry> HandBuiltDay()
    {
        var entries = new List<JournalEntry>
        {
            // Tuesday 23:00 New York (03:00Z Wednesday): the previous session date.
            FillEntry(new DateTime(2024, 7, 3, 3, 0, 0, DateTimeKind.Utc), "SPY", OrderSide.Sell, 1000m, 1m, "old"),
            Block(new DateTime(2024, 7, 3, 3, 0, 0, DateTimeKind.Utc), "SPY", "rate: 5 orders in the last minute"),

            JournalEntry.Create(Ny(2024, 7, 3, 9, 40), JournalKind.Decision, "breakout above 55-bar high", "SPY"),
            JournalEntry.Create(Ny(2024, 7, 3, 9, 41), JournalKind.Order, "entry", "SPY") with { OrderId = "o1" },
            FillEntry(Ny(2024, 7, 3, 9, 45), "SPY", OrderSide.Buy, 100m, 10.00m, "o1", """{"fee":1.00}"""),
            FillEntry(Ny(2024, 7, 3, 10, 0), "SPY", OrderSide.Buy, 100m, 12.00m, "o2", """{"fee":1.00}"""),
            FillEntry(Ny(2024, 7, 3, 10, 30), "AAPL", OrderSide.Sell, 10m, 50m, "o5"),
            Block(Ny(2024, 7, 3, 10, 40), "IBM", "pdt: 2 day trades ... a 4th is not allowed") with { Data = """{"rule":"pdt"}""" },
            Block(Ny(2024, 7, 3, 10, 41), "IBM", "pdt: 2 day trades ... a 4th is not allowed"),
            Block(Ny(2024, 7, 3, 10, 42), "BAC", "exposure: BAC would be 30.00% of equity > 20.00%"),
            // Average cost 11: 150 × (13 − 11) = +300, and the first SPY day trade.
            FillEntry(Ny(2024, 7, 3, 11, 0), "SPY", OrderSide.Sell, 150m, 13.00m, "o3", """{"fee":1.00}"""),
            // Short covered 2 lower: +20, the second day trade.
            FillEntry(Ny(2024, 7, 3, 11, 30), "AAPL", OrderSide.Buy, 10m, 48m, "o6"),
            // Carried from yesterday: the execution agent booked +75.50, which beats the flat-start guess.
            FillEntry(Ny(2024, 7, 3, 12, 0), "MSFT", OrderSide.Sell, 20m, 100m, "o7", """{"fee":0,"realized_pnl":75.50}"""),
            JournalEntry.Create(Ny(2024, 7, 3, 12, 5), JournalKind.Cancel, "stale limit", "MSFT"),
            JournalEntry.Create(Ny(2024, 7, 3, 12, 6), JournalKind.Reject, "403: pattern day trader protection", "AAPL"),
            // 50 × (10 − 11) = −50; SPY flat again, still one SPY day trade.
            FillEntry(Ny(2024, 7, 3, 15, 0), "SPY", OrderSide.Sell, 50m, 10.00m, "o4", """{"fee":0.50}"""),
            JournalEntry.Create(Ny(2024, 7, 3, 15, 1), JournalKind.Decision, "flatten before close", "SPY"),
            // 20:30 New York = 00:30Z Thursday: after hours, still Wednesday's session date.
            FillEntry(new DateTime(2024, 7, 4, 0, 30, 0, DateTimeKind.Utc), "QQQ", OrderSide.Buy, 1m, 400m, "o8"),
            JournalEntry.Create(new DateTime(2024, 7, 4, 0, 45, 0, DateTimeKind.Utc), JournalKind.Summary, "an earlier summary"),
        };
        return [.. entries.Select((e, i) => e with { Id = i + 1 })];
    }

    [Fact]
    public void Known_answers_for_a_hand_built_day()
    {
        var s = DailySummary.Build(Day, HandBuiltDay());

        Assert.Equal(Day, s.Date);
        Assert.Equal(2, s.Decisions);
        Assert.Equal(1, s.Orders);
        Assert.Equal(8, s.Fills);
        Assert.Equal(1, s.Cancels);
        Assert.Equal(1, s.Rejects);
        Assert.Equal(3, s.Blocks);
        Assert.Equal(new Dictionary<string, int> { ["exposure"] = 1, ["pdt"] = 2 }, s.BlocksByRule);
        Assert.Equal(345.50m, s.RealizedPnl); // 300 + 20 + 75.50 − 50
        Assert.Equal(3.50m, s.Fees);
        Assert.Equal(2, s.DayTrades); // SPY and AAPL; MSFT was opened yesterday, QQQ is still open
        Assert.Equal(["AAPL", "MSFT", "QQQ", "SPY"], s.Symbols.Select(x => x.Value));
        Assert.Equal(
            "2024-07-03: orders 1, fills 8, cancels 1, rejects 1, realized $345.50, fees $3.50, blocks 3 (exposure 1, pdt 2), day trades 2",
            s.ToString());
        Assert.Contains("\"blocks_by_rule\":{\"exposure\":1,\"pdt\":2}", s.ToJson());
        Assert.Contains("\"realized_pnl\":345.50", s.ToJson());
    }

    [Fact]
    public void An_empty_day_is_all_zeros()
    {
        var s = DailySummary.Build(new DateOnly(2024, 7, 5), HandBuiltDay());
        Assert.Equal(0, s.Fills + s.Orders + s.Blocks + s.DayTrades);
        Assert.Equal(0m, s.RealizedPnl);
        Assert.Empty(s.BlocksByRule);
    }

    [Fact]
    public void The_previous_session_date_sees_only_its_own_entries()
    {
        var s = DailySummary.Build(new DateOnly(2024, 7, 2), HandBuiltDay());
        Assert.Equal(1, s.Fills);
        Assert.Equal(new Dictionary<string, int> { ["rate"] = 1 }, s.BlocksByRule);
    }
}
