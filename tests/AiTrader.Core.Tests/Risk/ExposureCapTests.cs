using AiTrader.Core.Domain;
using AiTrader.Core.Risk;
using static AiTrader.Core.Tests.Risk.RiskTestKit;

namespace AiTrader.Core.Tests.Risk;

public class ExposureCapTests
{
    private static readonly DateTime Now = At(2024, 3, 4, 10);
    private static readonly ExposureCap Caps = new(maxPerSymbolFraction: 0.25m, maxTotalFraction: 0.80m);

    private static OrderCheck Order(string symbol, OrderSide side, decimal quantity, decimal price, bool isOpening, AccountSnapshot account) =>
        new(symbol, side, quantity, price, isOpening, account, Now);

    [Fact]
    public void Allows_an_opening_within_both_caps()
    {
        // 250 × $100 = $25,000 = exactly 25% of $100,000.
        var decision = Caps.Check(Order("AAPL", OrderSide.Buy, 250, 100m, true, Account(100_000m)));
        Assert.True(decision.IsAllowed);
    }

    [Fact]
    public void Blocks_an_addition_that_takes_the_symbol_over_its_cap_and_says_how_much_fits()
    {
        // Hold 200 AAPL; +100 at $100 makes 300 × $100 = $30,000 = 30% > 25%. $25,000 / $100 − 200 = 50 more fit.
        var account = Account(100_000m, false, ("AAPL", 200m, 100m));

        var decision = Caps.Check(Order("AAPL", OrderSide.Buy, 100, 100m, true, account));

        Assert.True(decision.IsBlocked);
        Assert.Equal(
            "exposure: AAPL would be 300 shares × $100.00 = $30,000.00, 30.00% of equity $100,000.00 > per-symbol cap 25.00%; at most 50 shares fit",
            decision.Reason);
        Assert.Equal(50m, decision.AllowedQuantity);
    }

    [Fact]
    public void Blocks_an_opening_that_takes_gross_exposure_over_the_total_cap()
    {
        // MSFT $30,000 + short TSLA |−$30,000| = $60,000 gross; +$25,000 AAPL = $85,000 = 85% > 80%. Room $20,000 = 200 shares.
        var account = Account(100_000m, false, ("MSFT", 300m, 100m), ("TSLA", -150m, 200m));

        var decision = Caps.Check(Order("AAPL", OrderSide.Buy, 250, 100m, true, account));

        Assert.True(decision.IsBlocked);
        Assert.Equal(
            "exposure: gross exposure would be $85,000.00, 85.00% of equity $100,000.00 > total cap 80.00%; at most 200 shares fit",
            decision.Reason);
        Assert.Equal(200m, decision.AllowedQuantity);
    }

    [Fact]
    public void Short_openings_count_by_absolute_value()
    {
        // Short 300 at $100 = |−$30,000| = 30% > 25%.
        var decision = Caps.Check(Order("AAPL", OrderSide.Sell, 300, 100m, true, Account(100_000m)));
        Assert.True(decision.IsBlocked);
        Assert.Equal(250m, decision.AllowedQuantity);
    }

    [Fact]
    public void Uses_the_orders_estimated_price_for_the_ordered_symbol()
    {
        // Marked at $100, but the order expects $120: 250 × $120 = $30,000 = 30%.
        var account = Account(100_000m, false, ("AAPL", 200m, 100m));
        var decision = Caps.Check(Order("AAPL", OrderSide.Buy, 50, 120m, true, account));
        Assert.True(decision.IsBlocked);
        Assert.Equal(8m, decision.AllowedQuantity); // floor(25,000 / 120 − 200) = floor(8.33)
    }

    [Fact]
    public void Exits_pass_even_when_the_book_is_over_its_caps()
    {
        var account = Account(100_000m, false, ("AAPL", 900m, 100m));
        Assert.True(Caps.Check(Order("AAPL", OrderSide.Sell, 100, 100m, false, account)).IsAllowed);
    }

    [Fact]
    public void No_room_at_all_blocks_without_an_allowed_quantity()
    {
        var account = Account(100_000m, false, ("MSFT", 800m, 100m));
        var decision = Caps.Check(Order("AAPL", OrderSide.Buy, 1, 100m, true, account));
        Assert.True(decision.IsBlocked);
        Assert.Null(decision.AllowedQuantity);
        Assert.EndsWith("no shares fit", decision.Reason);
    }

    [Fact]
    public void Non_positive_equity_blocks_openings()
    {
        var decision = Caps.Check(Order("AAPL", OrderSide.Buy, 1, 100m, true, AccountSnapshot.CashOnly(0m)));
        Assert.Equal("exposure: equity $0.00 is not positive; no exposure fits", decision.Reason);
    }
}
