using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.Strategies;
using static AiTrader.Core.Tests.Backtesting.TestBars;

namespace AiTrader.Core.Tests.Backtesting;

public class NoLookaheadTests
{
    private static readonly BreakoutParameters Params = new(Lookback: 10, AtrPeriod: 5, AtrMultiplier: 2m, RiskFraction: 0.01m);
    private static readonly BacktestEngine Engine = new(new ExchangeOptions(AllowShort: true));

    private static BacktestResult Run(IReadOnlyList<Bar> bars) => Engine.Run(Series(bars), new BreakoutStrategy(Params));

    /// <summary>Orders decided on or before <paramref name="lastBar"/>, minus the driver's own end-of-data close.</summary>
    private static Order[] OrdersUpTo(BacktestResult r, DateTime lastBar) =>
        r.Orders.Where(o => o.CreatedAt <= lastBar && o.Reason != ExitReasons.EndOfData).ToArray();

    private static Fill[] FillsUpTo(BacktestResult r, DateTime lastBar)
    {
        var endOfData = r.Orders.Where(o => o.Reason == ExitReasons.EndOfData).Select(o => o.Id).ToHashSet();
        return r.Fills.Where(f => f.Timestamp <= lastBar && !endOfData.Contains(f.OrderId)).ToArray();
    }

    [Fact]
    public void Every_truncation_reproduces_the_full_runs_earlier_orders_and_fills()
    {
        var bars = RandomWalk(250, seed: 42);
        var full = Run(bars);
        Assert.True(full.Trades.Count >= 3, "the fixture should trade");

        for (var k = 1; k <= bars.Count; k++)
        {
            var truncated = Run(bars.Take(k).ToArray());
            var lastBar = bars[k - 1].Timestamp;
            Assert.Equal(OrdersUpTo(full, lastBar), OrdersUpTo(truncated, lastBar));
            Assert.Equal(FillsUpTo(full, lastBar), FillsUpTo(truncated, lastBar));
            Assert.Equal(full.EquityCurve.Take(k - 1), truncated.EquityCurve.Take(k - 1));
        }
    }

    [Theory]
    [InlineData(30)]
    [InlineData(80)]
    [InlineData(150)]
    [InlineData(220)]
    public void Randomizing_future_bars_never_changes_earlier_orders_or_fills(int k)
    {
        var bars = RandomWalk(250, seed: 42);
        var baseline = Run(bars);
        var lastBar = bars[k - 1].Timestamp;

        for (var seed = 1; seed <= 5; seed++)
        {
            // Same past, a different future starting from the same last close.
            var future = RandomWalk(bars.Count - k, seed * 1000 + k, startPrice: bars[k - 1].Close, startIndex: k, dailyVol: 0.05);
            var altered = Run([.. bars.Take(k), .. future]);

            Assert.Equal(OrdersUpTo(baseline, lastBar), OrdersUpTo(altered, lastBar));
            Assert.Equal(FillsUpTo(baseline, lastBar), FillsUpTo(altered, lastBar));
            Assert.Equal(baseline.EquityCurve.Take(k), altered.EquityCurve.Take(k));
        }
    }

    [Fact]
    public void The_strategy_sees_exactly_the_bars_up_to_now()
    {
        var bars = RandomWalk(40, seed: 3);
        var spy = new SpyStrategy();

        Engine.Run(Series(bars), spy);

        Assert.Equal(bars.Count, spy.Seen.Count);
        for (var i = 0; i < bars.Count; i++)
        {
            Assert.Equal(i + 1, spy.Seen[i].Count);
            Assert.Equal(bars[i], spy.Seen[i].Last);
            Assert.True(spy.Seen[i].IndexingPastNowThrew);
        }
    }

    private sealed class SpyStrategy : IStrategy
    {
        public List<(int Count, Bar Last, bool IndexingPastNowThrew)> Seen { get; } = [];

        public string Name => "spy";

        public void Reset() => Seen.Clear();

        public IReadOnlyList<OrderIntent> OnBar(StrategyContext context)
        {
            var threw = false;
            try
            {
                _ = context.Bars[context.Bars.Count];
            }
            catch (ArgumentOutOfRangeException)
            {
                threw = true;
            }

            Seen.Add((context.Bars.Count, context.Bar, threw));
            return [];
        }
    }
}
