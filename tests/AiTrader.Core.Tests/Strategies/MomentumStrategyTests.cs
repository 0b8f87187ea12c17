using AiTrader.Core.Domain;
using AiTrader.Core.Risk.Sizing;
using AiTrader.Core.Signals.Regimes;
using AiTrader.Core.Strategies;
using static AiTrader.Core.Tests.Backtesting.TestBars;
using static AiTrader.Core.Tests.Strategies.ScriptedSignals;

namespace AiTrader.Core.Tests.Strategies;

/// <summary>The momentum rules driven bar by bar with scripted signals, as a live loop would drive them.</summary>
public class MomentumStrategyTests
{
    private readonly List<Bar> _seen = [];

    private IReadOnlyList<OrderIntent> Step(IStrategy strategy, decimal close, decimal position = 0m, decimal? stop = null,
        bool allowShort = false)
    {
        _seen.Add(Bar(_seen.Count, close, close + 1m, close - 1m, close));
        return strategy.OnBar(new StrategyContext(new Symbol("TEST"), Timeframe.OneDay, _seen.AsReadOnly(), position,
            100_000m, 100_000m, stop, allowShort));
    }

    [Fact]
    public void Enters_long_only_when_warm_above_the_threshold_and_in_a_whitelisted_regime_then_trails_and_exits_on_reversal()
    {
        var strategy = new MomentumStrategy(signals: new ScriptedSignals(
            new StrategySignal(0.95, 0.01, 100, MarketRegime.TrendingUp, 2.0, IsWarmup: true), // bar 0: filter warming up
            Ready(0.95, MarketRegime.Unknown), // bar 1: regime not known yet
            Ready(0.79, MarketRegime.TrendingUp), // bar 2: 0.79 < 0.80
            Ready(0.90, MarketRegime.Volatile), // bar 3: volatile is not whitelisted
            Ready(0.86, MarketRegime.TrendingUp), // bar 4: entry
            Ready(0.70, MarketRegime.TrendingUp), // bar 5: trail up
            Ready(0.60, MarketRegime.TrendingUp), // bar 6: the trail would go down: no move
            Ready(0.49, MarketRegime.Calm))); // bar 7: reversal

        Assert.Empty(Step(strategy, 100m));
        Assert.Empty(Step(strategy, 101m));
        Assert.Empty(Step(strategy, 102m));
        Assert.Empty(Step(strategy, 103m));

        // Bar 4: close 104, ATR 2, k 3 → stop 104 − 6 = 98; 1% of $100,000 = $1,000 / $6 = 166.67 → 166 shares.
        var entry = Assert.Single(Step(strategy, 104m));
        Assert.Equal(IntentKind.Entry, entry.Kind);
        Assert.Equal(PositionSide.Long, entry.PositionSide);
        Assert.Equal(166m, TestSizing.Shares(entry, 104m));
        Assert.Equal(98m, entry.StopPrice);
        Assert.Equal("prob_up 0.86 ≥ 0.80 in trending_up", entry.Reason);

        // Bar 5: close 105 → trail 105 − 6 = 99 > 98.
        var trail = Assert.Single(Step(strategy, 105m, position: 166m, stop: 98m));
        Assert.Equal(IntentKind.MoveStop, trail.Kind);
        Assert.Equal(99m, trail.StopPrice);
        Assert.Equal("trail to close 105 - 3 x ATR 2", trail.Reason);

        // Bar 6: close 104 → 98 < 99: the stop only ratchets up.
        Assert.Empty(Step(strategy, 104m, position: 166m, stop: 99m));

        // Bar 7: prob_up 0.49 < 0.50.
        var exit = Assert.Single(Step(strategy, 103m, position: 166m, stop: 99m));
        Assert.Equal(IntentKind.Exit, exit.Kind);
        Assert.Equal(PositionSide.Long, exit.PositionSide);
        Assert.Equal("prob_up 0.49 < 0.50: velocity reversal", exit.Reason);
    }

    [Fact]
    public void Calm_is_whitelisted_by_default_and_can_be_removed()
    {
        var byDefault = new MomentumStrategy(signals: new ScriptedSignals(Ready(0.82, MarketRegime.Calm)));
        Assert.Equal("prob_up 0.82 ≥ 0.80 in calm", Assert.Single(Step(byDefault, 100m)).Reason);

        _seen.Clear();
        var trendOnly = new MomentumStrategy(new MomentumParameters { Regimes = RegimeSet.Parse("trending_up") },
            signals: new ScriptedSignals(Ready(0.82, MarketRegime.Calm)));
        Assert.Empty(Step(trendOnly, 100m));
    }

    [Fact]
    public void Shorts_mirror_when_allowed()
    {
        var script = new[]
        {
            Ready(0.15, MarketRegime.TrendingDown), // bar 0: 0.15 ≤ 1 − 0.80
            Ready(0.30, MarketRegime.TrendingDown), // bar 1: trail down
            Ready(0.51, MarketRegime.Calm), // bar 2: 0.51 > 1 − 0.50
        };
        Assert.Empty(Step(new MomentumStrategy(signals: new ScriptedSignals(script)), 100m)); // long-only account
        _seen.Clear();

        var strategy = new MomentumStrategy(signals: new ScriptedSignals(script));

        // Close 100 + 3 × 2 → stop 106; $1,000 / $6 → 166 shares.
        var entry = Assert.Single(Step(strategy, 100m, allowShort: true));
        Assert.Equal(PositionSide.Short, entry.PositionSide);
        Assert.Equal(166m, TestSizing.Shares(entry, 100m));
        Assert.Equal(106m, entry.StopPrice);
        Assert.Equal("prob_up 0.15 ≤ 0.20 in trending_down", entry.Reason);

        // Close 98 → 98 + 6 = 104 < 106.
        var trail = Assert.Single(Step(strategy, 98m, position: -166m, stop: 106m, allowShort: true));
        Assert.Equal(104m, trail.StopPrice);
        Assert.Equal("trail to close 98 + 3 x ATR 2", trail.Reason);

        var exit = Assert.Single(Step(strategy, 99m, position: -166m, stop: 104m, allowShort: true));
        Assert.Equal(PositionSide.Short, exit.PositionSide);
        Assert.Equal("prob_up 0.51 > 0.50: velocity reversal", exit.Reason);
    }

    [Fact]
    public void A_probability_that_rounds_to_the_threshold_is_shown_with_more_digits()
    {
        var strategy = new MomentumStrategy(signals: new ScriptedSignals(Ready(0.49996, MarketRegime.TrendingUp)));
        Assert.Equal("prob_up 0.49996 < 0.50: velocity reversal", Assert.Single(Step(strategy, 100m, position: 10m, stop: 90m)).Reason);
    }

    [Fact]
    public void The_sizing_stage_gets_the_win_probability_and_regime_from_the_entry()
    {
        var sizing = new EntrySizing(new SizingOptions(KellyFraction: 0.5m, KellyCap: 0.25m, KellyPayoffPrior: 2m));
        var strategy = new MomentumStrategy(signals: new ScriptedSignals(Ready(0.9, MarketRegime.TrendingUp)));

        // f* = 0.9 − 0.1/2 = 0.85; half 0.425 → cap 0.25: $25,000 / $6 = 4,166 by risk; cash buys 100,000 / 104 = 961.
        var entry = Assert.Single(Step(strategy, 104m));
        Assert.Equal((0.9m, MarketRegime.TrendingUp), (entry.Sizing!.WinProbability, entry.Sizing.Regime));
        var sized = TestSizing.Sized(entry, 104m, sizing: sizing);
        Assert.Equal(961m, sized.Quantity);
        Assert.Equal("prob_up 0.90 ≥ 0.80 in trending_up", entry.Reason);
        Assert.Equal("kelly: p 0.90, b 2.00 (prior) → f* 0.8500 × 0.5 = 0.4250, capped at 0.25 of equity at risk: 961 shares", sized.Explanation);
    }

    [Fact]
    public void Short_entries_give_kelly_the_probability_of_the_short_winning()
    {
        var sizing = new EntrySizing(new SizingOptions(KellyFraction: 0.5m, KellyCap: 0.25m, KellyPayoffPrior: 1m));
        var strategy = new MomentumStrategy(signals: new ScriptedSignals(Ready(0.1, MarketRegime.TrendingDown)));

        // p(short wins) = 1 − 0.1 = 0.9; b 1: f* = 0.9 − 0.1 = 0.8.
        var entry = Assert.Single(Step(strategy, 100m, allowShort: true));
        Assert.Contains("p 0.90, b 1.00 (prior) → f* 0.8000", TestSizing.Sized(entry, 100m, sizing: sizing).Explanation);
    }

    [Fact]
    public void Real_signals_ride_a_strong_trend_and_leave_after_it_reverses()
    {
        // 200 bars up 1 %/bar then 120 bars down 1 %/bar, with a ±0.3 % zig-zag so volatility is not zero. The filter is
        // warm at bar 60 and the regime known from bar 80 (20 returns for the first vol, then 60 past vols), both in the
        // up leg, where prob_up is near 1. After the turn at bar 200 the velocity must fall below zero within the
        // down leg, so the exit comes after bar 200 and before the data ends.
        var bars = new List<Bar>();
        var price = 50.0;
        for (var i = 0; i < 320; i++)
        {
            price *= Math.Exp((i < 200 ? 0.01 : -0.01) + (i % 2 == 0 ? 0.003 : -0.003));
            var c = Math.Round((decimal)price, 2);
            bars.Add(Bar(i, c, c * 1.005m, c * 0.995m, c));
        }

        var result = new AiTrader.Core.Backtesting.BacktestEngine().Run(Series(bars), new MomentumStrategy());

        var first = result.Trades[0];
        var entryBar = bars.FindIndex(b => b.Timestamp == first.EntryTime);
        var exitBar = bars.FindIndex(b => b.Timestamp == first.ExitTime);
        Assert.InRange(entryBar, 81, 199);
        Assert.InRange(exitBar, 201, 319);
        Assert.Equal(PositionSide.Long, first.Side);
        Assert.True(first.Pnl > 0, $"the first trade rode the trend: {first.Pnl}");
        var entryOrder = result.Orders.First();
        Assert.StartsWith("prob_up ", entryOrder.Reason);
        Assert.Contains(" in trending_up", entryOrder.Reason);
    }

    [Theory]
    [InlineData(0.5, 0.5)]
    [InlineData(1.0, 0.5)]
    [InlineData(0.8, 0.0)]
    [InlineData(0.8, 0.85)]
    public void Out_of_range_probabilities_are_named(double entry, double exit)
    {
        var ex = Assert.Throws<ArgumentException>(() => new MomentumStrategy(new MomentumParameters { EntryProbability = entry, ExitProbability = exit }));
        Assert.Matches("'prob_(entry|exit)'", ex.Message);
    }
}
