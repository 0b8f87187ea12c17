using AiTrader.Core.Backtesting;
using AiTrader.Core.Backtesting.Portfolios;

namespace AiTrader.Core.Tests.Backtesting.Portfolios;

/// <summary>Known answers worked by hand on tiny series.</summary>
public class RelativePerformanceTests
{
    // b = 1%, −2%, 3%, 0%: mean 0.005; deviations 0.005, −0.025, 0.025, −0.005; Σ squares = 0.0013.
    private static readonly double[] Benchmark = [0.01, -0.02, 0.03, 0.00];

    [Fact]
    public void Twice_the_benchmark_plus_a_constant_has_beta_2_and_the_constant_as_daily_alpha()
    {
        var strategy = Benchmark.Select(b => 2 * b + 0.001).ToArray();

        var m = RelativePerformance.Compute(strategy, Benchmark);

        Assert.Equal(4, m.Days);
        Assert.Equal(2.0, m.Beta!.Value, 12);
        // Daily intercept 0.001, annualized × 252.
        Assert.Equal(0.252, m.Alpha!.Value, 12);
        Assert.Equal(1.0, m.Correlation!.Value, 12);
        // Active return a = b + 0.001: same spread as b, so std(a) = sqrt(0.0013 / 3); mean(a) = 0.006.
        var activeStd = Math.Sqrt(0.0013 / 3);
        Assert.Equal(activeStd * Math.Sqrt(252), m.TrackingError!.Value, 12);
        Assert.Equal(0.006 * 252 / (activeStd * Math.Sqrt(252)), m.InformationRatio!.Value, 10);
    }

    [Fact]
    public void Holding_the_benchmark_has_beta_1_no_alpha_and_no_tracking_error()
    {
        var m = RelativePerformance.Compute(Benchmark, Benchmark, new MetricsOptions(RiskFreeRate: 0.03));

        Assert.Equal(1.0, m.Beta!.Value, 12);
        Assert.Equal(0.0, m.Alpha!.Value, 12);
        Assert.Equal(0.0, m.TrackingError!.Value, 12);
        Assert.Null(m.InformationRatio);
    }

    [Fact]
    public void A_constant_return_has_beta_0_and_its_excess_over_the_risk_free_rate_as_alpha()
    {
        var strategy = new[] { 0.001, 0.001, 0.001, 0.001 };
        var rfDaily = Math.Pow(1.0252, 1.0 / 252) - 1;

        var m = RelativePerformance.Compute(strategy, Benchmark, new MetricsOptions(RiskFreeRate: 0.0252));

        Assert.Equal(0.0, m.Beta!.Value, 12);
        Assert.Equal((0.001 - rfDaily) * 252, m.Alpha!.Value, 12);
        Assert.Null(m.Correlation);
        // a = 0.001 − b: the spread of b again.
        Assert.Equal(Math.Sqrt(0.0013 / 3) * Math.Sqrt(252), m.TrackingError!.Value, 12);
    }

    [Fact]
    public void Negative_beta_on_an_inverse_series()
    {
        // s = −0.5 b: cov = −0.5 var(b).
        var m = RelativePerformance.Compute(Benchmark.Select(b => -0.5 * b).ToArray(), Benchmark);
        Assert.Equal(-0.5, m.Beta!.Value, 12);
        // Intercept = mean(s) − β mean(b) = −0.0025 + 0.5 × 0.005 = 0.
        Assert.Equal(0.0, m.Alpha!.Value, 12);
        Assert.Equal(-1.0, m.Correlation!.Value, 12);
    }

    [Fact]
    public void Undefined_statistics_are_null()
    {
        var flat = RelativePerformance.Compute([0.01, 0.02, 0.03], [0.0, 0.0, 0.0]);
        Assert.Null(flat.Beta);
        Assert.Null(flat.Alpha);

        var single = RelativePerformance.Compute([0.01], [0.02]);
        Assert.Equal(1, single.Days);
        Assert.Null(single.TrackingError);

        Assert.Throws<ArgumentException>(() => RelativePerformance.Compute([0.01, 0.02], [0.01]));
    }

    [Fact]
    public void Pairing_uses_only_dates_both_series_have_and_returns_between_them()
    {
        var d = new DateOnly(2024, 1, 2);
        DailyReturn Day(int offset, decimal equity) => new(d.AddDays(offset), equity, double.NaN);

        // The benchmark misses day 2, so the second pair spans day 1 → day 3 for both.
        var strategy = new[] { Day(0, 100m), Day(1, 110m), Day(2, 99m), Day(3, 121m) };
        var benchmark = new[] { Day(0, 50m), Day(1, 40m), Day(3, 60m), Day(4, 70m) };

        var (s, b) = RelativePerformance.PairDailyReturns(strategy, benchmark);

        Assert.Equal([0.1, 0.1], s, (x, y) => Math.Abs(x - y) < 1e-12);
        Assert.Equal([-0.2, 0.5], b, (x, y) => Math.Abs(x - y) < 1e-12);
    }
}
