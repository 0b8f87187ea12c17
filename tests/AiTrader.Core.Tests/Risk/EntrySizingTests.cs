using AiTrader.Core.Domain;
using AiTrader.Core.Risk.Sizing;
using AiTrader.Core.Signals.Regimes;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Tests.Risk;

/// <summary>The one sizing stage: a strategy's base risk, Kelly's inputs from the symbol's own round trips, regime scaling.</summary>
public class EntrySizingTests
{
    private static readonly Symbol Spy = new("SPY");
    private static readonly Symbol Ibm = new("IBM");

    [Fact]
    public void Kelly_learns_p_and_b_from_the_symbols_own_round_trips_and_never_from_another_symbol()
    {
        var sizing = new EntrySizing(new SizingOptions(KellyFraction: 0.5m));
        var hints = new SizingHints(0.01m, WinProbabilityFromOwnTrades: true, Regime: MarketRegime.Calm);
        foreach (var pnl in new[] { 200m, 200m, -100m, 200m, -100m, 200m, 200m, -100m, 200m, -100m })
        {
            sizing.OnTradeClosed(Spy, pnl);
        }

        // Another symbol's heavy losses move the shared cash but not SPY's statistics.
        for (var i = 0; i < 20; i++)
        {
            sizing.OnTradeClosed(Ibm, -5_000m);
        }

        // SPY: p = 6/10, b = 200 / 100 = 2: f* = 0.6 − 0.4/2 = 0.4, half 0.2; $100,000 × 0.2 / (100 − 40) = 333 shares.
        var sized = sizing.Size(Spy, hints, 100_000m, 100_000m, 100m, 40m);
        Assert.Equal(333m, sized.Quantity);
        Assert.Equal("kelly: p 0.60, b 2.00 (trades) → f* 0.4000 × 0.5 = 0.2000 of equity at risk: 333 shares", sized.Explanation);

        // IBM: p = 0 (no wins), b unknown (no win): Kelly falls back to the base risk, 1% → $1,000 / 60 = 16 shares.
        var fallback = sizing.Size(Ibm, hints, 100_000m, 100_000m, 100m, 40m);
        Assert.Equal(16m, fallback.Quantity);
        Assert.StartsWith("kelly: b missing, fell back to", fallback.Explanation);
    }

    [Fact]
    public void Fewer_than_ten_trades_or_a_zero_pnl_trade_give_no_estimate()
    {
        var stats = new TradeStatistics();
        for (var i = 0; i < 9; i++)
        {
            stats.Record(i % 2 == 0 ? 10m : -5m);
        }

        stats.Record(0m); // neither a win nor a loss
        Assert.Equal(9, stats.Trades);
        Assert.Null(stats.WinRate);
        Assert.Null(stats.PayoffRatio);
        stats.Record(10m);
        Assert.Equal(6m / 10m, stats.WinRate);
        Assert.Equal(10m / 5m, stats.PayoffRatio);
    }

    [Theory]
    [InlineData(0.01, 166)] // $1,000 at risk / $6 a share
    [InlineData(0.02, 333)]
    public void Without_options_an_entry_is_sized_at_its_strategys_fixed_risk(double risk, int shares)
    {
        var sized = new EntrySizing().Size(Spy, new SizingHints((decimal)risk), 100_000m, 100_000m, 104m, 98m);
        Assert.Equal((decimal)shares, sized.Quantity);
        Assert.Null(sized.Explanation);
    }

    [Fact]
    public void Regime_scaling_applies_the_regime_the_entry_carries()
    {
        var sizing = new EntrySizing(new SizingOptions(RegimeAware: true));
        // 1% fixed risk: 166 shares; volatile × 0.25 → 41; no regime counts as unknown × 0.5 → 83.
        Assert.Equal(41m, sizing.Size(Spy, new SizingHints(0.01m, Regime: MarketRegime.Volatile), 100_000m, 100_000m, 104m, 98m).Quantity);
        Assert.Equal(83m, sizing.Size(Spy, new SizingHints(0.01m), 100_000m, 100_000m, 104m, 98m).Quantity);
    }
}
