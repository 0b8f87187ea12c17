using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.MarketData;
using AiTrader.Core.Strategies;
using static AiTrader.Core.Tests.Backtesting.TestBars;

namespace AiTrader.Core.Tests.Backtesting;

/// <summary>The engine derives its equity curve from fills and closes; check it against a naive mark of every bar.</summary>
public class DerivedEquityCurveTests
{
    [Theory]
    [InlineData(3, false)]
    [InlineData(11, true)]
    public void Every_point_equals_cash_plus_position_marked_at_the_close_replayed_from_the_fills(int seed, bool withFlags)
    {
        var bars = RandomWalk(600, seed);
        BarFlag[] flags = withFlags ? [new(bars[100].Timestamp, "test"), new(bars[101].Timestamp, "test"), new(bars[599].Timestamp, "test")] : [];
        var result = new BacktestEngine(new ExchangeOptions(AllowShort: true))
            .Run(Series(bars, flags), new BreakoutStrategy(new BreakoutParameters(Lookback: 10, AtrPeriod: 5)));
        Assert.True(result.Trades.Count > 5);

        // Naive: walk the bars, apply every fill stamped at that bar, mark at the close (or the last good close).
        var flagged = flags.Select(f => f.Timestamp).ToHashSet();
        var cash = result.Options.InitialCapital;
        var quantity = 0m;
        var fill = 0;
        decimal lastGood = 0;
        Assert.Equal(bars.Count, result.EquityCurve.Count);
        // Point by point (each a search over the states) and enumerated (one sequential walk) agree, in either order.
        var before = Enumerable.Range(0, bars.Count).Select(i => result.EquityCurve[i]).ToArray();
        var enumerated = result.EquityCurve.ToArray();
        var after = Enumerable.Range(0, bars.Count).Select(i => result.EquityCurve[i]).ToArray();
        Assert.Equal(before, enumerated);
        Assert.Equal(before, after);
        Assert.Equal(before, EquityChunks.Of(result.EquityCurve).SelectMany(c => c.ToArray()).ToArray());

        // Chunks that start anywhere (inside a position, on a flagged bar, at the last point) read the same points.
        var curve = Assert.IsType<DerivedEquityCurve>(result.EquityCurve);
        foreach (var (start, length) in new[] { (0, 7), (99, 5), (100, 3), (250, 64), (590, 10), (599, 1), (0, 600) })
        {
            var chunk = new EquityPoint[length];
            Assert.Equal(Math.Min(length, bars.Count - start), curve.Fill(start, chunk));
            Assert.Equal(before.Skip(start).Take(length), chunk.Take(Math.Min(length, bars.Count - start)));
        }
        for (var i = 0; i < bars.Count; i++)
        {
            if (!flagged.Contains(bars[i].Timestamp))
            {
                // The end-of-data close is booked after the last mark; leave it to the final check.
                while (fill < result.Fills.Count && result.Fills[fill].Timestamp == bars[i].Timestamp && !IsEndClose(result, fill))
                {
                    var f = result.Fills[fill++];
                    var signed = f.Side == OrderSide.Buy ? f.Quantity : -f.Quantity;
                    cash -= signed * f.Price + f.Fee;
                    quantity += signed;
                }

                lastGood = bars[i].Close;
            }

            var expected = new EquityPoint(bars[i].Timestamp, cash + quantity * lastGood, Math.Abs(quantity * lastGood));
            if (i < bars.Count - 1)
            {
                Assert.Equal(expected, result.EquityCurve[i]);
                Assert.Equal(expected, enumerated[i]);
            }
        }

        Assert.Equal(result.FinalEquity, result.EquityCurve[^1].Equity);
        Assert.Equal(result.FinalEquity, enumerated[^1].Equity);
        Assert.Equal(result.Options.InitialCapital + result.Trades.Sum(t => t.Pnl), result.FinalEquity);
    }

    [Fact]
    public void Enumerating_from_several_threads_at_once_gives_the_same_points()
    {
        var bars = RandomWalk(5_000, 5);
        var result = new BacktestEngine(new ExchangeOptions(AllowShort: true))
            .Run(Series(bars, []), new BreakoutStrategy(new BreakoutParameters(Lookback: 10, AtrPeriod: 5)));
        var expected = Enumerable.Range(0, bars.Count).Select(i => result.EquityCurve[i]).ToArray();
        var copies = Enumerable.Range(0, 4).AsParallel().Select(_ => result.EquityCurve.ToArray()).ToArray();
        Assert.All(copies, c => Assert.Equal(expected, c));
        // More points than one chunk: the chunks join up with no point lost or repeated.
        Assert.True(bars.Count > EquityChunks.ChunkSize);
        Assert.Equal(expected, EquityChunks.Of(result.EquityCurve).SelectMany(c => c.ToArray()).ToArray());
    }

    private static bool IsEndClose(BacktestResult result, int fillIndex) =>
        result.Orders.First(o => o.Id == result.Fills[fillIndex].OrderId).Reason == ExitReasons.EndOfData;
}
