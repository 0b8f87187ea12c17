using AiTrader.Core.Signals.Regimes;

namespace AiTrader.Core.Tests.Signals.Regimes;

public class RealizedVolatilityTests
{
    [Fact]
    public void Is_the_sample_std_of_the_last_window_log_returns()
    {
        var vol = new RealizedVolatility(window: 2);
        Assert.True(double.IsNaN(vol.Update(100)));
        Assert.True(double.IsNaN(vol.Update(110)));

        // Returns ln 1.1 and ln 0.9: for two values the sample std is |r1 − r2| / √2.
        Assert.Equal(Math.Abs(Math.Log(1.1) - Math.Log(0.9)) / Math.Sqrt(2), vol.Update(99), 14);

        // Window slides: returns ln 0.9 and ln(108.9/99) = ln 1.1 again.
        Assert.Equal(Math.Abs(Math.Log(1.1) - Math.Log(0.9)) / Math.Sqrt(2), vol.Update(108.9), 14);
    }

    [Fact]
    public void Constant_growth_has_zero_volatility()
    {
        var vol = new RealizedVolatility(window: 5);
        var last = double.NaN;
        for (var i = 0; i < 10; i++)
        {
            last = vol.Update(10 * Math.Pow(1.02, i));
        }

        Assert.Equal(0.0, last, 12);
    }
}
