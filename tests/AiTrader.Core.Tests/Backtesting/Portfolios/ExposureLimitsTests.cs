using AiTrader.Core.Backtesting.Portfolios;
using AiTrader.Core.Risk;

namespace AiTrader.Core.Tests.Backtesting.Portfolios;

public class ExposureLimitsTests
{
    [Fact]
    public void No_limits_leave_the_quantity_alone()
    {
        var fit = ExposureLimits.Fit(null, null, 100_000m, 0m, 0m, 100m, 5_000m);
        Assert.Equal(new ExposureFit(5_000m, null), fit);
    }

    [Fact]
    public void The_symbol_weight_cuts_to_whole_shares_of_the_room_left()
    {
        // 25% of 100,000 = 25,000; 10,000 already held -> 15,000 / 101 = 148.5 -> 148.
        var fit = ExposureLimits.Fit(0.25m, null, 100_000m, 10_000m, 10_000m, 101m, 1_000m);
        Assert.Equal(new ExposureFit(148m, ExposureLimitNames.MaxSymbolWeight), fit);
    }

    [Fact]
    public void The_tighter_limit_binds()
    {
        // Weight room 25,000 -> 250 shares; gross room 100,000 − 90,000 = 10,000 -> 100 shares.
        var fit = ExposureLimits.Fit(0.25m, 1.0m, 100_000m, 0m, 90_000m, 100m, 600m);
        Assert.Equal(new ExposureFit(100m, ExposureLimitNames.MaxGrossExposure), fit);
    }

    [Fact]
    public void Nothing_fits_when_the_account_is_already_at_the_limit()
    {
        Assert.Equal(0m, ExposureLimits.Fit(null, 1.0m, 100_000m, 0m, 100_050m, 100m, 10m).Quantity);
        Assert.Equal(0m, ExposureLimits.Fit(0.1m, null, -5m, 0m, 0m, 100m, 10m).Quantity);
    }

    [Fact]
    public void An_entry_inside_both_limits_is_not_reported_as_cut()
    {
        var fit = ExposureLimits.Fit(0.5m, 1.0m, 100_000m, 0m, 0m, 100m, 500m);
        Assert.Equal(new ExposureFit(500m, null), fit);
    }
}
