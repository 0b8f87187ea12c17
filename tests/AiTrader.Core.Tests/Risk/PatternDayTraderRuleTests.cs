using AiTrader.Core.Domain;
using AiTrader.Core.Risk;
using AiTrader.Core.Sessions;
using static AiTrader.Core.Tests.Risk.RiskTestKit;

namespace AiTrader.Core.Tests.Risk;

public class PatternDayTraderRuleTests
{
    private static PatternDayTraderRule NewRule() => new(NyseCalendar.Instance);

    // Three round trips in AAPL around Independence Day 2024: Wed 07-03 (early close, 13:00), Fri 07-05, Mon 07-08.
    // Thu 07-04 is a holiday and 07-06/07 a weekend, so these are three consecutive sessions.
    private static PatternDayTraderRule WithThreeDayTradesAroundJuly4()
    {
        var rule = NewRule();
        foreach (var (month, day) in new[] { (7, 3), (7, 5), (7, 8) })
        {
            rule.OnFill(Buy("AAPL", 10, At(2024, month, day, 10)));
            rule.OnFill(Sell("AAPL", 10, At(2024, month, day, 12)));
        }

        return rule;
    }

    [Fact]
    public void Window_counts_five_sessions_back_across_the_holiday_and_the_weekend()
    {
        // Back from Tue 07-09: 07-09, 07-08 (Mon), 07-05 (Fri), [07-04 holiday, 06/07 weekend], 07-03, 07-02 = 5 sessions.
        var rule = NewRule();
        Assert.Equal((new DateOnly(2024, 7, 2), new DateOnly(2024, 7, 9)), rule.WindowEnding(new DateOnly(2024, 7, 9)));
        Assert.Equal((new DateOnly(2024, 7, 3), new DateOnly(2024, 7, 10)), rule.WindowEnding(new DateOnly(2024, 7, 10)));
        Assert.Equal((new DateOnly(2024, 7, 5), new DateOnly(2024, 7, 11)), rule.WindowEnding(new DateOnly(2024, 7, 11)));
        // On a Saturday the window ends at the last session, Friday 07-12.
        Assert.Equal((new DateOnly(2024, 7, 8), new DateOnly(2024, 7, 12)), rule.WindowEnding(new DateOnly(2024, 7, 13)));
    }

    [Fact]
    public void Day_trades_are_dated_by_the_New_York_session()
    {
        var rule = WithThreeDayTradesAroundJuly4();
        Assert.Equal(
            [new DateOnly(2024, 7, 3), new DateOnly(2024, 7, 5), new DateOnly(2024, 7, 8)],
            rule.DayTrades.Select(t => t.SessionDate));
        Assert.Equal(3, rule.DayTradesInWindow(new DateOnly(2024, 7, 9)));
    }

    [Fact]
    public void An_after_hours_round_trip_is_dated_by_New_York_not_UTC()
    {
        // Mon 2024-03-04 is EST: 19:30 New York is 00:30Z on 03-05, yet both legs belong to the 03-04 session.
        var rule = NewRule();
        rule.OnFill(Buy("AAPL", 10, At(2024, 3, 4, 18)));
        rule.OnFill(Sell("AAPL", 10, At(2024, 3, 4, 19, 30)));

        var trade = Assert.Single(rule.DayTrades);
        Assert.Equal(new DateOnly(2024, 3, 4), trade.SessionDate);
        Assert.Equal(new DateTime(2024, 3, 5, 0, 30, 0, DateTimeKind.Utc), trade.ClosedAtUtc);
    }

    [Fact]
    public void Fourth_opening_below_25k_is_blocked_with_the_window_and_equity_in_the_reason()
    {
        var rule = WithThreeDayTradesAroundJuly4();

        var decision = rule.Check(Opening("MSFT", At(2024, 7, 9, 10), equity: 20_000m));

        Assert.True(decision.IsBlocked);
        Assert.Equal("pdt", decision.Rule);
        Assert.Equal(
            "pdt: 3 day trades in the 5 business days 2024-07-02..2024-07-09 and equity $20,000.00 < $25,000.00; a 4th is not allowed",
            decision.Reason);
    }

    [Theory]
    [InlineData(25_000)]
    [InlineData(30_000)]
    public void At_or_above_25k_the_fourth_opening_is_allowed(decimal equity)
    {
        var rule = WithThreeDayTradesAroundJuly4();
        Assert.True(rule.Check(Opening("MSFT", At(2024, 7, 9, 10), equity)).IsAllowed);
    }

    [Fact]
    public void Just_below_25k_is_still_blocked()
    {
        var rule = WithThreeDayTradesAroundJuly4();
        Assert.True(rule.Check(Opening("MSFT", At(2024, 7, 9, 10), 24_999.99m)).IsBlocked);
    }

    [Fact]
    public void Allowed_again_once_the_oldest_day_trade_leaves_the_five_session_window()
    {
        var rule = WithThreeDayTradesAroundJuly4();

        // Wed 07-10: window 07-03..07-10 still holds all three (five calendar days would already have dropped 07-03).
        var wednesday = rule.Check(Opening("MSFT", At(2024, 7, 10, 10), 20_000m));
        Assert.True(wednesday.IsBlocked);
        Assert.Contains("2024-07-03..2024-07-10", wednesday.Reason);

        // Thu 07-11: window 07-05..07-11 holds two.
        Assert.Equal(2, rule.DayTradesInWindow(new DateOnly(2024, 7, 11)));
        Assert.True(rule.Check(Opening("MSFT", At(2024, 7, 11, 10), 20_000m)).IsAllowed);
    }

    [Fact]
    public void Closing_orders_are_never_blocked()
    {
        var rule = WithThreeDayTradesAroundJuly4();
        rule.OnFill(Buy("MSFT", 10, At(2024, 7, 8, 15))); // held overnight into 07-09

        Assert.True(rule.Check(Closing("MSFT", At(2024, 7, 9, 10), 20_000m)).IsAllowed);
        Assert.True(rule.Check(Closing("AAPL", At(2024, 7, 9, 10), 10_000m, side: OrderSide.Buy)).IsAllowed);
    }

    [Fact]
    public void A_closing_that_completes_a_fourth_day_trade_still_counts()
    {
        // Opened at >= 25k, equity then fell: the exit is allowed, and it is counted.
        var rule = WithThreeDayTradesAroundJuly4();
        rule.OnFill(Buy("MSFT", 10, At(2024, 7, 9, 10)));
        Assert.True(rule.Check(Closing("MSFT", At(2024, 7, 9, 11), 20_000m)).IsAllowed);
        rule.OnFill(Sell("MSFT", 10, At(2024, 7, 9, 11)));

        Assert.Equal(4, rule.DayTradesInWindow(new DateOnly(2024, 7, 9)));
    }

    [Theory]
    [InlineData("B10 B10 S20", 1)] // several buys then one sell: one round trip
    [InlineData("B10 S10 B10 S10", 2)] // two round trips
    [InlineData("B20 S10 S10", 1)] // one opening closed in pieces
    [InlineData("S10 B10", 1)] // short then cover
    [InlineData("B10 S20 B10", 2)] // long closed and flipped short (1), short covered (2)
    [InlineData("B10", 0)] // opened, not closed
    public void Counting_convention_for_one_symbol_in_one_session(string fills, int expected)
    {
        var rule = NewRule();
        var minute = 0;
        foreach (var token in fills.Split(' '))
        {
            var side = token[0] == 'B' ? OrderSide.Buy : OrderSide.Sell;
            rule.OnFill(Fill("AAPL", side, decimal.Parse(token[1..]), At(2024, 3, 4, 10, minute++)));
        }

        Assert.Equal(expected, rule.DayTradesInWindow(new DateOnly(2024, 3, 4)));
    }

    [Fact]
    public void A_position_held_overnight_and_sold_is_not_a_day_trade()
    {
        var rule = NewRule();
        rule.OnFill(Buy("AAPL", 10, At(2024, 3, 4, 15)));
        rule.OnFill(Sell("AAPL", 10, At(2024, 3, 5, 10)));
        Assert.Empty(rule.DayTrades);
    }

    [Fact]
    public void Adding_to_an_overnight_position_and_selling_the_same_day_is_a_day_trade()
    {
        var rule = NewRule();
        rule.SeedPosition("AAPL", 10);
        rule.OnFill(Buy("AAPL", 10, At(2024, 3, 5, 10)));
        rule.OnFill(Sell("AAPL", 20, At(2024, 3, 5, 11)));
        Assert.Single(rule.DayTrades);
    }

    [Fact]
    public void Seeded_position_sold_is_not_mistaken_for_a_short_sale()
    {
        // Without the seed the sell would look like a new short, and a same-day re-buy like its cover.
        var rule = NewRule();
        rule.SeedPosition("AAPL", 10);
        rule.OnFill(Sell("AAPL", 10, At(2024, 3, 5, 10)));
        Assert.Empty(rule.DayTrades);
    }

    [Fact]
    public void Positions_opened_today_count_as_potential_day_trades()
    {
        // Two day trades on Mon 03-04; on Tue AAPL is opened and still open. A new MSFT opening could become the
        // 4th (AAPL closed + MSFT closed), so it is blocked; adding to AAPL cannot add another round trip, so it passes.
        var rule = NewRule();
        rule.OnFill(Buy("XOM", 10, At(2024, 3, 4, 10)));
        rule.OnFill(Sell("XOM", 10, At(2024, 3, 4, 11)));
        rule.OnFill(Buy("XOM", 10, At(2024, 3, 4, 12)));
        rule.OnFill(Sell("XOM", 10, At(2024, 3, 4, 13)));
        rule.OnFill(Buy("AAPL", 10, At(2024, 3, 5, 10)));

        var msft = rule.Check(Opening("MSFT", At(2024, 3, 5, 11), 20_000m));
        Assert.True(msft.IsBlocked);
        Assert.Equal(
            "pdt: 2 day trades in the 5 business days 2024-02-28..2024-03-05 plus 1 position(s) opened today that could become one (AAPL) " +
            "and equity $20,000.00 < $25,000.00; a 4th is not allowed",
            msft.Reason);
        Assert.True(rule.Check(Opening("AAPL", At(2024, 3, 5, 11), 20_000m)).IsAllowed);
    }

    [Fact]
    public void A_position_opened_yesterday_is_not_a_potential_day_trade_today()
    {
        var rule = NewRule();
        rule.OnFill(Buy("XOM", 10, At(2024, 3, 4, 10)));
        rule.OnFill(Sell("XOM", 10, At(2024, 3, 4, 11)));
        rule.OnFill(Buy("XOM", 10, At(2024, 3, 4, 12)));
        rule.OnFill(Sell("XOM", 10, At(2024, 3, 4, 13)));
        rule.OnFill(Buy("AAPL", 10, At(2024, 3, 4, 14)));

        Assert.True(rule.Check(Opening("MSFT", At(2024, 3, 5, 10), 20_000m)).IsAllowed);
    }

    [Fact]
    public void Broker_pdt_flag_below_25k_blocks_every_opening_but_not_exits()
    {
        var rule = NewRule();
        var flagged = new OrderCheck("AAPL", OrderSide.Buy, 10, 100m, true, Account(20_000m, brokerReportsPdt: true), At(2024, 3, 4, 10));

        var decision = rule.Check(flagged);

        Assert.True(decision.IsBlocked);
        Assert.Equal(
            "pdt: the broker flags the account as a pattern day trader and equity $20,000.00 < $25,000.00; " +
            "opening orders are blocked (the broker restricts the account to closing trades)",
            decision.Reason);
        var exit = new OrderCheck("AAPL", OrderSide.Sell, 10, 100m, false, Account(20_000m, brokerReportsPdt: true), At(2024, 3, 4, 10));
        Assert.True(rule.Check(exit).IsAllowed);
    }

    [Fact]
    public void Broker_pdt_flag_at_25k_or_more_allows_openings()
    {
        var rule = NewRule();
        var flagged = new OrderCheck("AAPL", OrderSide.Buy, 10, 100m, true, Account(25_000m, brokerReportsPdt: true), At(2024, 3, 4, 10));
        Assert.True(rule.Check(flagged).IsAllowed);
    }

    [Fact]
    public void Three_day_trades_do_not_block_until_the_count_is_reached()
    {
        var rule = NewRule();
        rule.OnFill(Buy("AAPL", 10, At(2024, 7, 3, 10)));
        rule.OnFill(Sell("AAPL", 10, At(2024, 7, 3, 12)));
        rule.OnFill(Buy("AAPL", 10, At(2024, 7, 5, 10)));
        rule.OnFill(Sell("AAPL", 10, At(2024, 7, 5, 12)));

        Assert.True(rule.Check(Opening("AAPL", At(2024, 7, 8, 10), 20_000m)).IsAllowed);
    }
}
