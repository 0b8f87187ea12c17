using AiTrader.Core.Risk;
using static AiTrader.Core.Tests.Risk.RiskTestKit;

namespace AiTrader.Core.Tests.Risk;

public class DrawdownGateTests
{
    private static readonly DateTime T0 = At(2024, 3, 4, 10); // 15:00Z

    // Equity path 10,000 -> 11,000 (the high-water mark) -> 10,000 (9.09% down) -> 9,900 (exactly 10% down: trips).
    private static DrawdownGate TrippedAtTenPercent(bool autoResume = false)
    {
        var gate = new DrawdownGate(0.10m, TimeSpan.FromDays(1), autoResume);
        gate.OnEquity(T0.AddHours(-3), 10_000m);
        gate.OnEquity(T0.AddHours(-2), 11_000m);
        gate.OnEquity(T0.AddHours(-1), 10_000m);
        Assert.False(gate.IsHalted);
        gate.OnEquity(T0, 9_900m);
        return gate;
    }

    [Fact]
    public void High_water_mark_is_the_highest_equity_seen()
    {
        var gate = new DrawdownGate(0.10m, TimeSpan.Zero);
        gate.OnEquity(T0, 10_000m);
        gate.OnEquity(T0.AddMinutes(1), 10_500m);
        gate.OnEquity(T0.AddMinutes(2), 10_200m);
        Assert.Equal(10_500m, gate.HighWaterMark);
    }

    [Fact]
    public void Trips_at_exactly_the_maximum_drawdown_from_the_high_water_mark()
    {
        var gate = TrippedAtTenPercent();

        Assert.True(gate.IsHalted);
        Assert.Equal(11_000m, gate.HighWaterMark);
        Assert.Equal(T0, gate.HaltedAtUtc);
        Assert.Equal(T0.AddDays(1), gate.CoolOffEndsUtc);
    }

    [Fact]
    public void Blocks_openings_with_hwm_equity_and_drawdown_in_the_reason()
    {
        var gate = TrippedAtTenPercent();

        var decision = gate.Check(Opening("AAPL", T0.AddHours(1), 9_900m));

        Assert.True(decision.IsBlocked);
        Assert.Equal(
            "max_drawdown: equity $9,900.00 was 10.00% below the high-water mark $11,000.00 at 2024-03-04T15:00:00Z (limit 10.00%); " +
            "new entries halted, cool-off until 2024-03-05T15:00:00Z, then a manual reset (equity now $9,900.00)",
            decision.Reason);
    }

    [Fact]
    public void Closing_orders_pass_while_halted()
    {
        var gate = TrippedAtTenPercent();
        Assert.True(gate.Check(Closing("AAPL", T0.AddHours(1), 9_900m)).IsAllowed);
    }

    [Fact]
    public void Manual_reset_is_refused_during_the_cool_off()
    {
        var gate = TrippedAtTenPercent();

        Assert.False(gate.ManualReset(T0.AddHours(23).AddMinutes(59)));
        Assert.True(gate.IsHalted);
    }

    [Fact]
    public void Stays_halted_after_the_cool_off_until_a_manual_reset_even_if_equity_recovers()
    {
        var gate = TrippedAtTenPercent();
        gate.OnEquity(T0.AddHours(5), 11_500m); // a new high while halted raises the mark but does not lift the halt

        var decision = gate.Check(Opening("AAPL", T0.AddDays(2), 11_500m));

        Assert.True(decision.IsBlocked);
        Assert.Contains("cool-off ended 2024-03-05T15:00:00Z; waiting for a manual reset", decision.Reason);
        Assert.Equal(11_500m, gate.HighWaterMark);
    }

    [Fact]
    public void Manual_reset_after_the_cool_off_resumes_and_rebases_the_high_water_mark_to_current_equity()
    {
        var gate = TrippedAtTenPercent();
        gate.OnEquity(T0.AddDays(1), 9_900m);

        Assert.True(gate.ManualReset(T0.AddDays(1)));

        Assert.False(gate.IsHalted);
        Assert.Equal(9_900m, gate.HighWaterMark);
        Assert.True(gate.Check(Opening("AAPL", T0.AddDays(1).AddMinutes(1), 9_900m)).IsAllowed);
    }

    [Fact]
    public void After_a_reset_the_next_halt_needs_a_fresh_maximum_drawdown_from_the_rebased_mark()
    {
        var gate = TrippedAtTenPercent();
        Assert.True(gate.ManualReset(T0.AddDays(1)));

        // From the new mark $9,900: $9,000 is 9.09% down (passes), $8,910 is exactly 10% down (trips).
        Assert.True(gate.Check(Opening("AAPL", T0.AddDays(1).AddHours(1), 9_000m)).IsAllowed);
        var decision = gate.Check(Opening("AAPL", T0.AddDays(1).AddHours(2), 8_910m));
        Assert.True(decision.IsBlocked);
        Assert.Contains("equity $8,910.00 was 10.00% below the high-water mark $9,900.00", decision.Reason);
    }

    [Fact]
    public void Auto_resume_lifts_the_halt_at_the_first_check_after_the_cool_off()
    {
        var gate = TrippedAtTenPercent(autoResume: true);

        var during = gate.Check(Opening("AAPL", T0.AddHours(23), 9_900m));
        Assert.True(during.IsBlocked);
        Assert.Contains("then automatic resume", during.Reason);

        Assert.True(gate.Check(Opening("AAPL", T0.AddDays(1), 9_900m)).IsAllowed);
        Assert.Equal(9_900m, gate.HighWaterMark);
    }

    [Fact]
    public void Order_checks_also_feed_the_high_water_mark()
    {
        var gate = new DrawdownGate(0.05m, TimeSpan.Zero);
        Assert.True(gate.Check(Opening("AAPL", T0, 20_000m)).IsAllowed);
        Assert.True(gate.Check(Opening("AAPL", T0.AddMinutes(1), 19_001m)).IsAllowed);
        Assert.True(gate.Check(Opening("AAPL", T0.AddMinutes(2), 19_000m)).IsBlocked);
    }

    [Fact]
    public void Reset_when_not_halted_changes_nothing()
    {
        var gate = new DrawdownGate(0.10m, TimeSpan.FromHours(1));
        gate.OnEquity(T0, 10_000m);
        gate.OnEquity(T0.AddMinutes(1), 9_500m);
        Assert.True(gate.ManualReset(T0.AddMinutes(2)));
        Assert.Equal(10_000m, gate.HighWaterMark);
    }
}
