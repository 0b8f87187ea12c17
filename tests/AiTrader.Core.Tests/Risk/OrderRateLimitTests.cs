using AiTrader.Core.Domain;
using AiTrader.Core.Risk;
using static AiTrader.Core.Tests.Risk.RiskTestKit;

namespace AiTrader.Core.Tests.Risk;

public class OrderRateLimitTests
{
    private static readonly DateTime T0 = At(2024, 3, 4, 10); // 15:00:00Z

    private static GuardrailDecision Submit(OrderRateLimit limit, OrderCheck check)
    {
        var decision = limit.Check(check);
        if (decision.IsAllowed)
        {
            limit.OnAllowed(check);
        }

        return decision;
    }

    [Fact]
    public void Allows_n_blocks_n_plus_one_within_60_seconds_and_allows_again_when_the_window_slides()
    {
        var limit = new OrderRateLimit(3);
        Assert.True(Submit(limit, Opening("AAPL", T0, 10_000m)).IsAllowed);
        Assert.True(Submit(limit, Opening("AAPL", T0.AddSeconds(10), 10_000m)).IsAllowed);
        Assert.True(Submit(limit, Closing("AAPL", T0.AddSeconds(20), 10_000m)).IsAllowed);

        var fourth = Submit(limit, Opening("AAPL", T0.AddSeconds(30), 10_000m));
        Assert.True(fourth.IsBlocked);
        Assert.Equal(
            "rate: 3 orders in the 60 s up to 2024-03-04T15:00:30Z (limit 3 per minute); the next slot opens at 2024-03-04T15:01:00Z",
            fourth.Reason);

        Assert.True(Submit(limit, Opening("AAPL", T0.AddSeconds(59.999), 10_000m)).IsBlocked);
        // At 15:01:00 the 15:00:00 order has left the window (t − 60 s, t].
        Assert.True(Submit(limit, Opening("AAPL", T0.AddSeconds(60), 10_000m)).IsAllowed);
        Assert.True(Submit(limit, Opening("AAPL", T0.AddSeconds(61), 10_000m)).IsBlocked);
    }

    [Fact]
    public void Blocked_orders_do_not_use_up_slots()
    {
        var limit = new OrderRateLimit(1);
        Assert.True(Submit(limit, Opening("AAPL", T0, 10_000m)).IsAllowed);
        for (var s = 1; s < 60; s++)
        {
            Assert.True(Submit(limit, Opening("AAPL", T0.AddSeconds(s), 10_000m)).IsBlocked);
        }

        Assert.True(Submit(limit, Opening("AAPL", T0.AddSeconds(60), 10_000m)).IsAllowed);
    }

    [Fact]
    public void Protective_orders_always_pass()
    {
        var limit = new OrderRateLimit(1);
        Submit(limit, Opening("AAPL", T0, 10_000m));
        var stop = new OrderCheck("AAPL", OrderSide.Sell, 10, 100m, false, Account(10_000m), T0.AddSeconds(1)) { IsProtective = true };
        Assert.True(limit.Check(stop).IsAllowed);
    }
}
