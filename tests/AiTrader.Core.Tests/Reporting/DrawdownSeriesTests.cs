using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Reporting;

namespace AiTrader.Core.Tests.Reporting;

public sealed class DrawdownSeriesTests
{
    private static EquityPoint P(int day, decimal equity) => new(new DateTime(2024, 1, day, 21, 0, 0, DateTimeKind.Utc), equity, 0m);

    [Fact]
    public void Underwater_curve_is_equity_over_the_running_peak_with_the_capital_as_first_peak()
    {
        // Capital 100: 90 is 10% under it; 110 a new peak; 99 = 110 × 0.9 is 10% under; 88 = 110 × 0.8 is 20% under;
        // 121 a new peak.
        var equity = new[] { P(2, 90m), P(3, 110m), P(4, 99m), P(5, 88m), P(8, 121m) };
        double[] expected = [-0.1, 0, -0.1, -0.2, 0];

        var curve = DrawdownSeries.Compute(100m, equity);
        var series = ReportSeries.From(100m, equity, Array.Empty<Bar>());

        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], curve[i], 12);
            Assert.Equal(curve[i], series.Drawdown[i]);
        }

        // Its deepest point is the metrics' maximum drawdown (exact there, in decimal).
        var m = PerformanceCalculator.Compute(100m, equity, []);
        Assert.Equal(m.MaxDrawdown, -curve.Min(), 12);
    }
}
