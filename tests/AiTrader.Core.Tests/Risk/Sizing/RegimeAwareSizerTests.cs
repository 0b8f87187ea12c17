using AiTrader.Core.Risk.Sizing;
using AiTrader.Core.Signals.Regimes;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Tests.Risk.Sizing;

public class RegimeAwareSizerTests
{
    // Fixed 1% of $100,000 = $1,000 at risk; entry 10, stop 5 → 200 shares before the regime multiplier.
    private static SizingRequest Long(MarketRegime? regime) => new(100_000m, 100_000m, 10m, 5m) { Regime = regime };

    [Theory]
    [InlineData(MarketRegime.TrendingUp, 200)] // × 1.0
    [InlineData(MarketRegime.Calm, 150)] // × 0.75
    [InlineData(MarketRegime.TrendingDown, 100)] // × 0.5
    [InlineData(MarketRegime.Unknown, 100)] // × 0.5
    [InlineData(MarketRegime.Volatile, 50)] // × 0.25
    public void Default_multipliers_scale_the_inner_size(MarketRegime regime, int expected)
    {
        var sizer = new RegimeAwareSizer(new FixedFractionalSizer(0.01m));
        Assert.Equal(expected, sizer.Size(Long(regime)));
    }

    [Fact]
    public void Shares_are_floored_after_scaling()
    {
        var sizer = new RegimeAwareSizer(new FixedFractionalSizer(0.01m));

        // $100,500 × 1% = $1,005 / $5 = 201 shares; × 0.75 = 150.75 → 150.
        Assert.Equal(150m, sizer.Size(new SizingRequest(100_500m, 100_500m, 10m, 5m) { Regime = MarketRegime.Calm }));
        Assert.Equal("regime calm × 0.75: 201 → 150 shares [fixed 1% risk: 201 shares]", sizer.LastExplanation);
    }

    [Fact]
    public void A_short_in_a_downtrend_gets_the_trend_multiplier()
    {
        var sizer = new RegimeAwareSizer(new FixedFractionalSizer(0.01m));

        // Entry 10, stop 15 is a short; TrendingDown is "with the trade" → × 1.0 → 200; TrendingUp → × 0.5 → 100.
        Assert.Equal(200m, sizer.Size(new SizingRequest(100_000m, 100_000m, 10m, 15m) { Regime = MarketRegime.TrendingDown }));
        Assert.Equal(100m, sizer.Size(new SizingRequest(100_000m, 100_000m, 10m, 15m) { Regime = MarketRegime.TrendingUp }));
        Assert.StartsWith("regime trending_up (short) × 0.5", sizer.LastExplanation);
    }

    [Fact]
    public void A_missing_regime_is_sized_as_unknown_and_says_so()
    {
        var sizer = new RegimeAwareSizer(new FixedFractionalSizer(0.01m));
        Assert.Equal(100m, sizer.Size(Long(null)));
        Assert.StartsWith("regime missing (as unknown) × 0.5: 200 → 100 shares", sizer.LastExplanation);
    }

    [Fact]
    public void Custom_multipliers_and_missing_keys()
    {
        var sizer = new RegimeAwareSizer(new FixedFractionalSizer(0.01m),
            new Dictionary<MarketRegime, decimal> { [MarketRegime.Volatile] = 0m, [MarketRegime.Calm] = 2m });

        Assert.Equal(0m, sizer.Size(Long(MarketRegime.Volatile)));
        Assert.Equal(200m, sizer.Size(Long(MarketRegime.TrendingUp))); // absent → × 1
        Assert.Equal(400m, sizer.Size(Long(MarketRegime.Calm))); // × 2 = 400, within cash (10,000 shares)

        // × 2 beyond cash: cash 3,000 buys 300 shares at $10.
        Assert.Equal(300m, sizer.Size(new SizingRequest(100_000m, 3_000m, 10m, 5m) { Regime = MarketRegime.Calm }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RegimeAwareSizer(new FixedFractionalSizer(0.01m),
            new Dictionary<MarketRegime, decimal> { [MarketRegime.Calm] = -1m }));
    }

    [Fact]
    public void Wrapping_kelly_chains_both_explanations()
    {
        var sizer = new SizingOptions(RegimeAware: true, KellyFraction: 0.5m).Build(0.01m);

        // Kelly without p falls back to 1% → 200 shares; Calm × 0.75 → 150.
        Assert.Equal(150m, sizer.Size(Long(MarketRegime.Calm)));
        var explained = Assert.IsType<RegimeAwareSizer>(sizer);
        Assert.Equal("regime calm × 0.75: 200 → 150 shares [kelly: p and b missing, fell back to fixed 1% risk: 200 shares]",
            explained.LastExplanation);
        Assert.IsType<FractionalKellySizer>(explained.Inner);
    }

    [Fact]
    public void Default_sizing_options_build_fixed_fractional()
    {
        var sizer = Assert.IsType<FixedFractionalSizer>(new SizingOptions().Build(0.02m));
        Assert.Equal(0.02m, sizer.RiskFraction);
    }
}
