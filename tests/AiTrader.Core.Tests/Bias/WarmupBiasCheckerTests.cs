using AiTrader.Core.Backtesting.Bias;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Strategies;
using AiTrader.Core.Tests.Backtesting;

namespace AiTrader.Core.Tests.Bias;

[Collection(AiTrader.Core.Tests.Sweeps.CpuHeavyCollection.Name)]
public class WarmupBiasCheckerTests
{
    private static readonly BarSeries Series = TestBars.Series(TestBars.RandomWalk(1500, seed: 8));

    [Fact]
    public void Breakout_converges_within_its_horizon()
    {
        var report = new WarmupBiasChecker().Check(Series, _ => new BreakoutStrategy(), new WarmupBiasOptions(LaterStartBar: 600));

        Assert.Null(report.Inconclusive);
        Assert.False(report.WarmupBiasDetected);
        // Warm-up measured from the later run: the channel needs lookback + 1 = 21 bars before the first decision.
        Assert.Equal(21, report.WarmupBars);
        Assert.Equal(210, report.HorizonBars);
        Assert.NotNull(report.AgreeFromBar);
        Assert.InRange(report.AgreeFromBar!.Value, 600, 600 + 210);
        // During its warm-up the later run says nothing while the earlier one is trailing stops: those differ.
        Assert.True(report.Disagreements > 0);
    }

    [Fact]
    public void A_strategy_whose_state_never_forgets_its_start_is_reported()
    {
        var report = new WarmupBiasChecker().Check(Series, _ => new EveryNthBarSinceStart(37), new WarmupBiasOptions(LaterStartBar: 500));

        Assert.True(report.WarmupBiasDetected);
        Assert.Equal(37, report.WarmupBars);
        Assert.True(report.BeyondHorizonCount > 10);
        Assert.All(report.BeyondHorizon, d => Assert.True(d.BarIndex >= 500 + report.HorizonBars));
    }

    [Fact]
    public void Too_little_data_after_the_later_start_is_inconclusive()
    {
        var report = new WarmupBiasChecker().Check(Series, _ => new BreakoutStrategy(), new WarmupBiasOptions(LaterStartBar: 1400));
        Assert.NotNull(report.Inconclusive);
    }

    /// <summary>Enters on every n-th bar it has been shown: a counter that depends on where the data began.</summary>
    private sealed class EveryNthBarSinceStart(int n) : IStrategy
    {
        private int _seen;

        public string Name => "nth";

        public void Reset() => _seen = 0;

        public IReadOnlyList<OrderIntent> OnBar(StrategyContext context) =>
            ++_seen % n == 0 && context.IsFlat ? [OrderIntent.Enter(PositionSide.Long, 1, null, "n-th bar")] : [];
    }
}
