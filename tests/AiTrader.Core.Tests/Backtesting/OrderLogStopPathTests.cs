using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;

namespace AiTrader.Core.Tests.Backtesting;

/// <summary>orders.csv's stop_path: every level a stop was moved to, with when, which the dashboard's chart and
/// report.html draw the stop through.</summary>
public sealed class OrderLogStopPathTests
{
    private static readonly DateTime T0 = new(2021, 3, 1, 14, 30, 0, DateTimeKind.Utc);

    [Fact]
    public void A_moved_stop_lists_each_level_with_its_time_and_an_unmoved_order_none()
    {
        var spy = new Symbol("SPY");
        Order[] orders =
        [
            new("e1", spy, OrderSide.Buy, 10, OrderType.Market, T0),
            new("s1", spy, OrderSide.Sell, 10, OrderType.Stop, T0.AddDays(1), StopPrice: 95.5m),
        ];
        StopAmendment[] moves =
        [
            new("s1", T0.AddDays(2), 97.25m, "trail"),
            new("s1", T0.AddDays(4), 98m, "trail"),
        ];

        var rows = OrderLogWriter.Render(orders, [new Fill("e1", spy, OrderSide.Buy, 10, 100m, 1m, T0)], [], moves).Split('\n');

        Assert.EndsWith(",cancel_reason,stop_path", rows[0]);
        Assert.EndsWith(",0,,,SPY,,", rows[1]);
        Assert.EndsWith(",2,98,,SPY,,2021-03-03T14:30:00Z 97.25;2021-03-05T14:30:00Z 98", rows[2]);
        Assert.Equal(16, rows[2].Split(',').Length); // the path holds no comma: one field
    }
}
