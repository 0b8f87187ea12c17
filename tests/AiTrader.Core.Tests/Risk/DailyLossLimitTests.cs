using AiTrader.Core.Risk;
using static AiTrader.Core.Tests.Risk.RiskTestKit;

namespace AiTrader.Core.Tests.Risk;

public class DailyLossLimitTests
{
    // Mon 2024-03-04 is before the DST change, so 10:00 New York = 15:00Z.
    private static DailyLossLimit StartedAt10k(decimal? fraction = 0.02m, decimal? amount = null)
    {
        var limit = new DailyLossLimit(fraction, amount);
        limit.OnEquity(At(2024, 3, 4, 9, 30), 10_000m);
        return limit;
    }

    [Fact]
    public void Allows_a_loss_just_under_the_limit()
    {
        var limit = StartedAt10k();
        Assert.True(limit.Check(Opening("AAPL", At(2024, 3, 4, 10), 9_800.01m)).IsAllowed);
        Assert.False(limit.IsTripped);
    }

    [Fact]
    public void Trips_when_the_loss_reaches_the_limit_and_blocks_openings()
    {
        // 2% of the session start $10,000 = $200; equity $9,800 is exactly $200 down.
        var limit = StartedAt10k();

        var decision = limit.Check(Opening("AAPL", At(2024, 3, 4, 10), 9_800m));

        Assert.True(decision.IsBlocked);
        Assert.Equal(
            "daily_loss: equity $9,800.00 at 2024-03-04T15:00:00Z was $200.00 (2.00%) below the session start $10,000.00 on 2024-03-04, " +
            "reaching the limit $200.00; new entries halted until the next session (equity now $9,800.00)",
            decision.Reason);
    }

    [Fact]
    public void Closing_orders_pass_while_tripped()
    {
        var limit = StartedAt10k();
        limit.OnEquity(At(2024, 3, 4, 10), 9_700m);
        Assert.True(limit.IsTripped);
        Assert.True(limit.Check(Closing("AAPL", At(2024, 3, 4, 10, 5), 9_700m)).IsAllowed);
    }

    [Fact]
    public void Stays_halted_for_the_rest_of_the_session_even_if_equity_recovers()
    {
        var limit = StartedAt10k();
        limit.OnEquity(At(2024, 3, 4, 10), 9_750m);

        var decision = limit.Check(Opening("AAPL", At(2024, 3, 4, 15, 30), 10_100m));

        Assert.True(decision.IsBlocked);
        Assert.Contains("equity $9,750.00 at 2024-03-04T15:00:00Z was $250.00 (2.50%)", decision.Reason);
        Assert.EndsWith("(equity now $10,100.00)", decision.Reason);
    }

    [Fact]
    public void Resets_at_the_next_session_from_that_sessions_start_equity()
    {
        var limit = StartedAt10k();
        limit.OnEquity(At(2024, 3, 4, 10), 9_700m);
        Assert.True(limit.IsTripped);

        limit.OnEquity(At(2024, 3, 5, 9, 30), 9_700m);

        Assert.False(limit.IsTripped);
        Assert.Equal(new DateOnly(2024, 3, 5), limit.SessionDate);
        Assert.Equal(9_700m, limit.SessionStartEquity);
        Assert.True(limit.Check(Opening("AAPL", At(2024, 3, 5, 10), 9_600m)).IsAllowed);
        // The new limit is 2% of $9,700 = $194: $9,506 is exactly that far down.
        Assert.True(limit.Check(Opening("AAPL", At(2024, 3, 5, 11), 9_506m)).IsBlocked);
    }

    [Fact]
    public void First_check_of_a_session_sets_the_start_when_no_mark_came_before()
    {
        var limit = new DailyLossLimit(0.02m);
        Assert.True(limit.Check(Opening("AAPL", At(2024, 3, 4, 10), 10_000m)).IsAllowed);
        Assert.Equal(10_000m, limit.SessionStartEquity);
        Assert.True(limit.Check(Opening("AAPL", At(2024, 3, 4, 11), 9_800m)).IsBlocked);
    }

    [Fact]
    public void The_tighter_of_fraction_and_amount_applies()
    {
        var limit = StartedAt10k(fraction: 0.02m, amount: 150m);
        Assert.Equal(150m, limit.LimitFor(10_000m));
        Assert.True(limit.Check(Opening("AAPL", At(2024, 3, 4, 10), 9_851m)).IsAllowed);
        Assert.True(limit.Check(Opening("AAPL", At(2024, 3, 4, 10, 1), 9_850m)).IsBlocked);
    }

    [Fact]
    public void Amount_only_limit()
    {
        var limit = StartedAt10k(fraction: null, amount: 500m);
        Assert.True(limit.Check(Opening("AAPL", At(2024, 3, 4, 10), 9_501m)).IsAllowed);
        var decision = limit.Check(Opening("AAPL", At(2024, 3, 4, 10, 1), 9_500m));
        Assert.Contains("reaching the limit $500.00", decision.Reason);
    }

    [Fact]
    public void A_late_mark_from_the_previous_session_does_not_restart_the_day()
    {
        var limit = StartedAt10k();
        limit.OnEquity(At(2024, 3, 5, 9, 30), 10_000m);
        limit.OnEquity(At(2024, 3, 4, 15, 59), 12_000m);
        Assert.Equal(new DateOnly(2024, 3, 5), limit.SessionDate);
        Assert.Equal(10_000m, limit.SessionStartEquity);
    }

    [Fact]
    public void Needs_a_fraction_or_an_amount()
    {
        Assert.Throws<ArgumentException>(() => new DailyLossLimit());
        Assert.Throws<ArgumentOutOfRangeException>(() => new DailyLossLimit(0m));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DailyLossLimit(maxLossAmount: -1m));
    }
}
