using AiTrader.Core.Signals.Kalman;

namespace AiTrader.Core.Tests.Signals.Kalman;

public class NormalDistributionTests
{
    // Reference values from CPython's math.erf / math.erfc (correctly rounded to about 1 ulp), which is an
    // implementation independent of ours.
    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.3, 0.3286267594591274)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(2.0, 0.9953222650189527)]
    [InlineData(-1.0, -0.8427007929497149)]
    public void Erf_matches_reference_values(double x, double expected)
    {
        Assert.Equal(expected, NormalDistribution.Erf(x), 1e-14);
    }

    [Fact]
    public void Erfc_keeps_relative_accuracy_in_the_far_tail()
    {
        var expected = 1.5374597944280351e-12; // erfc(5)
        Assert.True(Math.Abs(NormalDistribution.Erfc(5.0) / expected - 1) < 1e-13);
    }

    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(1.0, 0.8413447460685429)]
    [InlineData(-1.96, 0.024997895148220435)]
    [InlineData(3.0, 0.9986501019683699)]
    [InlineData(-5.0, 2.866515718791946e-07)]
    [InlineData(-8.0, 6.220960574271819e-16)]
    public void Cdf_matches_reference_values_with_relative_error_far_below_1e7(double x, double expected)
    {
        var actual = NormalDistribution.Cdf(x);
        Assert.True(Math.Abs(actual - expected) <= 1e-13 * expected, $"Φ({x}) = {actual:R}, expected {expected:R}");
    }

    [Fact]
    public void Cdf_is_symmetric_and_monotone()
    {
        var previous = 0.0;
        for (var x = -10.0; x <= 10.0; x += 0.01)
        {
            var p = NormalDistribution.Cdf(x);
            Assert.True(p >= previous, $"not monotone at {x}");
            Assert.Equal(1.0, p + NormalDistribution.Cdf(-x), 1e-15);
            previous = p;
        }
    }
}
