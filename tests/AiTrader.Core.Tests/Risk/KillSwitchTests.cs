using AiTrader.Core.Domain;
using AiTrader.Core.Risk;
using static AiTrader.Core.Tests.Risk.RiskTestKit;

namespace AiTrader.Core.Tests.Risk;

public class KillSwitchTests
{
    private static readonly DateTime T0 = At(2024, 3, 4, 10);

    [Fact]
    public void Released_switch_allows_everything()
    {
        var kill = new KillSwitch();
        Assert.False(kill.IsEngaged);
        Assert.True(kill.Check(Opening("AAPL", T0, 10_000m)).IsAllowed);
    }

    [Fact]
    public void Engaged_switch_blocks_openings_and_ordinary_exits_with_when_who_and_why()
    {
        var kill = new KillSwitch();
        kill.Engage(T0, "ops@desk", "runaway orders");

        var opening = kill.Check(Opening("AAPL", T0.AddMinutes(1), 10_000m));
        var exit = kill.Check(Closing("AAPL", T0.AddMinutes(1), 10_000m));

        Assert.Equal("kill_switch: engaged at 2024-03-04T15:00:00Z by ops@desk (runaway orders); only protective orders pass", opening.Reason);
        Assert.True(exit.IsBlocked);
    }

    [Fact]
    public void Protective_reducing_orders_pass_an_engaged_switch_but_a_protective_opening_does_not()
    {
        var kill = new KillSwitch();
        kill.Engage(T0, "ops", "flatten");
        var flatten = new OrderCheck("AAPL", OrderSide.Sell, 10, 100m, false, Account(10_000m), T0) { IsProtective = true };
        var bogus = new OrderCheck("AAPL", OrderSide.Buy, 10, 100m, true, Account(10_000m), T0) { IsProtective = true };

        Assert.True(kill.Check(flatten).IsAllowed);
        Assert.True(kill.Check(bogus).IsBlocked);
    }

    [Fact]
    public void Engaging_twice_keeps_the_first_engagement_and_release_clears_it()
    {
        var kill = new KillSwitch();
        kill.Engage(T0, "first", "a");
        kill.Engage(T0.AddMinutes(5), "second", "b");
        Assert.Equal("first", kill.EngagedBy);
        Assert.Equal(T0, kill.EngagedAtUtc);

        kill.Release();

        Assert.False(kill.IsEngaged);
        Assert.Null(kill.EngagedBy);
        Assert.True(kill.Check(Opening("AAPL", T0.AddMinutes(6), 10_000m)).IsAllowed);
    }

    [Fact]
    public void Engage_needs_a_utc_time_an_author_and_a_reason()
    {
        var kill = new KillSwitch();
        Assert.Throws<ArgumentException>(() => kill.Engage(DateTime.SpecifyKind(T0, DateTimeKind.Local), "ops", "x"));
        Assert.Throws<ArgumentException>(() => kill.Engage(T0, " ", "x"));
        Assert.Throws<ArgumentException>(() => kill.Engage(T0, "ops", ""));
    }
}
