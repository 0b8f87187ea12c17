using AiTrader.Core.Domain;
using AiTrader.Core.Strategies;
using static AiTrader.Core.Tests.Backtesting.TestBars;

namespace AiTrader.Core.Tests.Strategies;

/// <summary>The strategy driven directly, without the engine, as a live loop would drive it.</summary>
public class BreakoutStrategyTests
{
    private static StrategyContext Context(List<Bar> seen, decimal position = 0m, decimal? stop = null, bool allowShort = false) =>
        new(new Symbol("TEST"), Timeframe.OneDay, seen.AsReadOnly(), position, 100_000m, 100_000m, stop, allowShort);

    [Fact]
    public void No_entries_during_indicator_warm_up()
    {
        // Every bar closes above the previous 2-bar high (close 101+i > high 101.5+(i-1)), so only warm-up can hold it back.
        // Lookback 2 is ready at bar 2, ATR(5) first exists at bar 5: the first entry is decided on bar 5.
        var strategy = new BreakoutStrategy(new BreakoutParameters(Lookback: 2, AtrPeriod: 5, AtrMultiplier: 2m));
        var seen = new List<Bar>();
        var firstEntry = -1;
        for (var i = 0; i < 8 && firstEntry < 0; i++)
        {
            seen.Add(Bar(i, 100m + i, 101.5m + i, 99.5m + i, 101m + i));
            if (strategy.OnBar(Context(seen)).Any(x => x.Kind == IntentKind.Entry))
            {
                firstEntry = i;
            }
        }

        Assert.Equal(5, firstEntry);
    }

    [Fact]
    public void Entry_carries_quantity_stop_and_reason()
    {
        // Bars as in the engine known-answer test: bar 4 close 104 > 101, ATR(3) = 3, k = 2 -> stop 98,
        // qty = floor(100000 * 0.02 / 6) = 333.
        var strategy = new BreakoutStrategy(new BreakoutParameters(3, 3, 2m, 0.02m));
        var seen = new List<Bar>();
        IReadOnlyList<OrderIntent> intents = [];
        foreach (var bar in new[]
                 {
                     Bar(0, 100m, 101m, 99m, 100m), Bar(1, 100m, 101m, 99m, 100m), Bar(2, 100m, 101m, 99m, 100m),
                     Bar(3, 100m, 101m, 99m, 100m), Bar(4, 100.5m, 105m, 100m, 104m),
                 })
        {
            seen.Add(bar);
            intents = strategy.OnBar(Context(seen));
        }

        var entry = Assert.Single(intents);
        Assert.Equal(IntentKind.Entry, entry.Kind);
        Assert.Equal(OrderSide.Buy, entry.Side);
        Assert.Equal(OrderType.Market, entry.Type);
        Assert.Equal(333m, TestSizing.Shares(entry, 104m));
        Assert.Equal(98m, entry.StopPrice);
        Assert.Equal("close 104 > 3-bar high 101", entry.Reason);
    }

    [Fact]
    public void Trailing_stop_is_never_lowered()
    {
        // Long with a resting stop of 106; close 112 - 2 * ATR must not lower it, so no stop intent.
        var strategy = new BreakoutStrategy(new BreakoutParameters(3, 3, 2m, 0.02m));
        var seen = new List<Bar>();
        IReadOnlyList<OrderIntent> intents = [];
        for (var i = 0; i < 6; i++)
        {
            seen.Add(Bar(i, 110m, 113m, 109m, 112m));
            intents = strategy.OnBar(Context(seen, position: 100m, stop: 106m));
        }

        // ATR = 4 (every TR is 4), candidate 112 - 8 = 104 < 106.
        Assert.Empty(intents);

        intents = strategy.OnBar(Context([.. seen, Bar(6, 112m, 121m, 112m, 120m)], position: 100m, stop: 106m));
        // TR = max(9, |121-112|, 0) = 9, ATR = (2*4 + 9)/3 = 17/3; candidate = 120 - 34/3 = 108.6667 (4 dp) > 106.
        var move = Assert.Single(intents);
        Assert.Equal(IntentKind.MoveStop, move.Kind);
        Assert.Equal(108.6667m, move.StopPrice);
    }
}
