using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.MarketData;
using AiTrader.Core.Strategies;
using static AiTrader.Core.Tests.Backtesting.TestBars;

namespace AiTrader.Core.Tests.Backtesting;

public class EquityInvariantTests
{
    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    [InlineData(4, true)]
    public void Final_equity_is_initial_capital_plus_the_sum_of_net_trade_pnl_exactly(int seed, bool allowShort)
    {
        var bars = RandomWalk(3000, seed);
        // A few bad prints too: skipping them must not break the books.
        var flags = new[] { 100, 1001, 2500 }.Select(i => new BarFlag(bars[i].Timestamp, "test flag")).ToArray();
        var options = new ExchangeOptions(AllowShort: allowShort);

        var result = new BacktestEngine(options).Run(Series(bars, flags), new BreakoutStrategy());

        Assert.True(result.Trades.Count > 10, $"expected a trading fixture, got {result.Trades.Count} trades");
        Assert.Equal(options.InitialCapital + result.Trades.Sum(t => t.Pnl), result.FinalEquity);
        Assert.Equal(result.Fills.Sum(f => f.Fee), result.Trades.Sum(t => t.Fees));
        Assert.Equal(bars.Count, result.EquityCurve.Count);
        Assert.Equal(result.FinalEquity, result.EquityCurve[^1].Equity);
        Assert.Equal(3, result.SkippedBars.Count);
        Assert.Equal(allowShort, result.Trades.Any(t => t.Side == PositionSide.Short));
        Assert.All(result.Trades, t => Assert.True(t.ExitTime >= t.EntryTime));
        Assert.DoesNotContain(result.Fills, f => flags.Any(fl => fl.Timestamp == f.Timestamp));
        if (!allowShort)
        {
            Assert.All(result.EquityCurve, p => Assert.InRange(p.GrossExposure, 0m, 1m));
        }
    }

    [Fact]
    public void A_strategy_instance_can_be_run_twice_with_the_same_result()
    {
        var series = Series(RandomWalk(500, seed: 9));
        var strategy = new BreakoutStrategy();
        var engine = new BacktestEngine();

        var first = engine.Run(series, strategy);
        var second = engine.Run(series, strategy);

        Assert.Equal(first.Orders, second.Orders);
        Assert.Equal(first.Trades, second.Trades);
        Assert.Equal(first.FinalEquity, second.FinalEquity);
    }

    [Fact]
    public void Empty_series_returns_the_initial_capital()
    {
        var result = new BacktestEngine().Run(Series([]), new BreakoutStrategy());

        Assert.Empty(result.EquityCurve);
        Assert.Equal(100000m, result.FinalEquity);
        Assert.Equal("breakout", result.StrategyName);
        Assert.Equal(new Symbol("TEST"), result.Symbol);
    }

    [Fact]
    public void Invalid_options_name_the_setting()
    {
        var ex = Assert.Throws<ArgumentException>(() => new BacktestEngine(new ExchangeOptions(InitialCapital: 0m)));
        Assert.Contains("InitialCapital", ex.Message);
    }
}
