using AiTrader.Core.Backtesting.Bias;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Strategies;
using AiTrader.Core.Tests.Backtesting;

namespace AiTrader.Core.Tests.Bias;

[Collection(AiTrader.Core.Tests.Sweeps.CpuHeavyCollection.Name)]
public class LookaheadCheckerTests
{
    private static readonly BarSeries Series = TestBars.Series(TestBars.RandomWalk(500, seed: 5));

    [Fact]
    public void A_strategy_that_peeks_at_tomorrow_is_caught()
    {
        var report = new LookaheadChecker().Check(Series, s => new PeekingStrategy(s.Bars));

        Assert.True(report.LookaheadDetected);
        Assert.NotEmpty(report.Findings);
        // The first thing that changes is the decision at the bar just before the cut, where tomorrow was cut off.
        Assert.All(report.Findings, f => Assert.True(f.BarIndex <= f.Cut - 1));
        Assert.Contains(report.Findings, f => f.BarIndex == f.Cut - 1);
    }

    [Fact]
    public void Breakout_passes()
    {
        var report = new LookaheadChecker(new AiTrader.Core.Execution.ExchangeOptions(AllowShort: true))
            .Check(Series, _ => new BreakoutStrategy(new BreakoutParameters(Lookback: 10, AtrPeriod: 5, AtrMultiplier: 2m)));

        Assert.False(report.LookaheadDetected);
        Assert.Equal(0, report.ChangedDecisions);
        Assert.InRange(report.Cuts.Count, 20, 30);
    }

    [Fact]
    public void A_strategy_that_only_reads_its_context_passes_even_with_the_series_in_hand()
    {
        // Holding the series is not lookahead in itself; reading past the current bar is.
        var report = new LookaheadChecker().Check(Series, s => new PeekingStrategy(s.Bars, peek: false));
        Assert.False(report.LookaheadDetected);
    }

    [Fact]
    public void Cut_points_are_seeded_distinct_sorted_and_inside_the_data()
    {
        var a = LookaheadChecker.CutPoints(500, 20, 10, seed: 9);
        var b = LookaheadChecker.CutPoints(500, 20, 10, seed: 9);

        Assert.Equal(a, b);
        Assert.Equal(a.Order(), a);
        Assert.Equal(a.Distinct().Count(), a.Count);
        Assert.All(a, c => Assert.InRange(c, 1, 499));
        Assert.Contains(500 * 10 / 21, a);
        Assert.Equal([1], LookaheadChecker.CutPoints(2, 5, 5, seed: 1));
    }

    /// <summary>Cheats: keeps a reference to the whole bar list it was built with and reads tomorrow's close from it.</summary>
    internal sealed class PeekingStrategy(IReadOnlyList<Bar> leaked, bool peek = true) : IStrategy
    {
        public string Name => "peeking";

        public void Reset()
        {
        }

        public IReadOnlyList<OrderIntent> OnBar(StrategyContext context)
        {
            var t = context.BarIndex;
            var tomorrow = peek && t + 1 < leaked.Count ? leaked[t + 1].Close : context.Bar.Close;
            if (context.IsFlat && tomorrow > context.Bar.Close)
            {
                return [OrderIntent.Enter(PositionSide.Long, 10, null, "tomorrow closes higher")];
            }

            if (context.IsLong && tomorrow < context.Bar.Close)
            {
                return [OrderIntent.Exit(PositionSide.Long, "tomorrow closes lower")];
            }

            return [];
        }
    }
}
