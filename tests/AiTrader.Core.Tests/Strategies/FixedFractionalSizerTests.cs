using AiTrader.Core.Risk.Sizing;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Tests.Strategies;

public class FixedFractionalSizerTests
{
    [Fact]
    public void Risks_the_fraction_of_equity_to_the_stop_in_whole_shares()
    {
        // floor(100000 * 0.01 / |50 - 47|) = floor(333.33) = 333; cost 333 * 50 = 16650 fits in cash.
        var qty = new FixedFractionalSizer(0.01m).Size(new SizingRequest(100_000m, 100_000m, 50m, 47m));
        Assert.Equal(333m, qty);
    }

    [Fact]
    public void Short_stop_above_entry_uses_the_absolute_distance()
    {
        // floor(100000 * 0.01 / |50 - 53|) = 333
        Assert.Equal(333m, new FixedFractionalSizer(0.01m).Size(new SizingRequest(100_000m, 100_000m, 50m, 53m)));
    }

    [Fact]
    public void Is_capped_by_cash_so_there_is_no_leverage()
    {
        // By risk: floor(100000 * 0.02 / 0.5) = 4000 shares = 400000 of stock; cash allows floor(100000 / 100) = 1000.
        Assert.Equal(1000m, new FixedFractionalSizer(0.02m).Size(new SizingRequest(100_000m, 100_000m, 100m, 99.5m)));
    }

    [Theory]
    [InlineData(50, 50)]    // no distance to the stop
    [InlineData(0, -1)]     // no price
    public void Degenerate_requests_size_to_zero(double entry, double stop)
    {
        Assert.Equal(0m, new FixedFractionalSizer(0.01m).Size(new SizingRequest(100_000m, 100_000m, (decimal)entry, (decimal)stop)));
    }

    [Fact]
    public void Risk_fraction_must_be_in_zero_one()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FixedFractionalSizer(0m));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FixedFractionalSizer(1.5m));
    }
}
