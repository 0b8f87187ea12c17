using AiTrader.Core.Risk.Sizing;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Tests.Risk.Sizing;

public class FractionalKellySizerTests
{
    // Equity $100,000, entry $10, stop $5: $5 at risk per share; cash buys at most 100,000 / 10 = 10,000 shares.
    private static SizingRequest Request(decimal? p, decimal? b = null) =>
        new(100_000m, 100_000m, 10m, 5m) { WinProbability = p, PayoffRatio = b };

    [Theory]
    [InlineData("0.6", "2", "0.4")] // 0.6 − 0.4/2 = 0.4
    [InlineData("0.5", "1", "0")] // 0.5 − 0.5/1 = 0: a fair coin at even odds has no edge
    [InlineData("0.3", "2", "-0.05")] // 0.3 − 0.7/2 = −0.05
    [InlineData("0.55", "1", "0.1")] // 0.55 − 0.45 = 0.1
    public void Kelly_fraction_is_p_minus_q_over_b(string p, string b, string expected)
    {
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            FractionalKellySizer.KellyFraction(decimal.Parse(p, System.Globalization.CultureInfo.InvariantCulture),
                decimal.Parse(b, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Half_kelly_risks_a_fifth_of_equity_at_p_06_b_2()
    {
        var sizer = new FractionalKellySizer(fraction: 0.5m);

        // f* = 0.4; half Kelly 0.2; $100,000 × 0.2 = $20,000 at risk / $5 per share = 4,000 shares (cash allows 10,000).
        Assert.Equal(4000m, sizer.Size(Request(0.6m, 2m)));
        Assert.Equal("kelly: p 0.60, b 2.00 (trades) → f* 0.4000 × 0.5 = 0.2000 of equity at risk: 4000 shares", sizer.LastExplanation);
    }

    [Fact]
    public void The_cap_limits_the_fraction_at_risk()
    {
        var sizer = new FractionalKellySizer(fraction: 0.5m, cap: 0.25m);

        // f* = 0.9 − 0.1/3 = 0.8667; half is 0.4333 > 0.25 cap: $25,000 at risk / $5 = 5,000 shares.
        Assert.Equal(5000m, sizer.Size(Request(0.9m, 3m)));
        Assert.Contains("f* 0.8667 × 0.5 = 0.4333, capped at 0.25 of equity at risk: 5000 shares", sizer.LastExplanation);
    }

    [Fact]
    public void Cash_still_caps_the_shares()
    {
        var sizer = new FractionalKellySizer(fraction: 1m, cap: 1m);

        // Entry 10, stop 9.5: f* 0.4 → $40,000 / $0.50 = 80,000 shares by risk, but cash buys 100,000 / 10 = 10,000.
        Assert.Equal(10_000m, sizer.Size(new SizingRequest(100_000m, 100_000m, 10m, 9.5m) { WinProbability = 0.6m, PayoffRatio = 2m }));
    }

    [Theory]
    [InlineData("0.3", "2")] // f* = −0.05
    [InlineData("0.5", "1")] // f* = 0
    public void No_edge_means_no_trade(string p, string b)
    {
        var sizer = new FractionalKellySizer();

        Assert.Equal(0m, sizer.Size(Request(decimal.Parse(p, System.Globalization.CultureInfo.InvariantCulture),
            decimal.Parse(b, System.Globalization.CultureInfo.InvariantCulture))));
        Assert.EndsWith("≤ 0: no edge, 0 shares", sizer.LastExplanation);
    }

    [Fact]
    public void Missing_p_falls_back_to_fixed_risk_and_says_so()
    {
        var sizer = new FractionalKellySizer(0.5m, 0.25m, new FixedFractionalSizer(0.01m));

        // Fixed 1%: $1,000 / $5 = 200 shares.
        Assert.Equal(200m, sizer.Size(Request(p: null, b: 2m)));
        Assert.Equal("kelly: p missing, fell back to fixed 1% risk: 200 shares", sizer.LastExplanation);
    }

    [Fact]
    public void Missing_b_without_a_prior_falls_back_and_says_so()
    {
        var sizer = new FractionalKellySizer(0.5m, 0.25m, new FixedFractionalSizer(0.005m));

        // Fixed 0.5%: $500 / $5 = 100 shares.
        Assert.Equal(100m, sizer.Size(Request(p: 0.7m)));
        Assert.Equal("kelly: b missing, fell back to fixed 0.5% risk: 100 shares", sizer.LastExplanation);

        sizer.Size(Request(p: null));
        Assert.StartsWith("kelly: p and b missing, fell back to fixed 0.5% risk", sizer.LastExplanation);
    }

    [Fact]
    public void An_out_of_range_probability_counts_as_missing()
    {
        var sizer = new FractionalKellySizer();
        sizer.Size(Request(p: 1.2m, b: 2m));
        Assert.StartsWith("kelly: p missing, fell back to fixed 1% risk", sizer.LastExplanation);
    }

    [Fact]
    public void The_prior_payoff_is_used_until_the_request_carries_one()
    {
        var sizer = new FractionalKellySizer(fraction: 0.5m, payoffPrior: 1m);

        // Prior b = 1: f* = 0.6 − 0.4 = 0.2; half 0.1 → $10,000 / $5 = 2,000 shares.
        Assert.Equal(2000m, sizer.Size(Request(0.6m)));
        Assert.Contains("b 1.00 (prior)", sizer.LastExplanation);

        // The strategy's own b = 2 wins over the prior: 4,000 shares as in the half-Kelly case.
        Assert.Equal(4000m, sizer.Size(Request(0.6m, 2m)));
        Assert.Contains("b 2.00 (trades)", sizer.LastExplanation);
    }

    [Theory]
    [InlineData(0, 0.25)]
    [InlineData(1.5, 0.25)]
    [InlineData(0.5, 0)]
    [InlineData(0.5, 1.1)]
    public void Out_of_range_settings_throw(double fraction, double cap)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FractionalKellySizer((decimal)fraction, (decimal)cap));
    }
}
