using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.MarketData;
using AiTrader.Core.Risk.Sizing;
using AiTrader.Core.Sessions;
using AiTrader.Core.Strategies;
using AiTrader.Core.Tests.MarketData;
using static AiTrader.Core.Tests.Backtesting.TestBars;

namespace AiTrader.Core.Tests.Strategies;

/// <summary>Both signal strategies through the engine: no lookahead under truncation, and books that balance on the bundled data.</summary>
public class MomentumAndMeanReversionEngineTests
{
    private static readonly BacktestEngine Engine = new(new ExchangeOptions(AllowShort: true));

    public static TheoryData<string> Strategies => new() { MomentumStrategy.CatalogName, MeanReversionStrategy.CatalogName };

    private static Order[] OrdersUpTo(BacktestResult r, DateTime lastBar) =>
        r.Orders.Where(o => o.CreatedAt <= lastBar && o.Reason != ExitReasons.EndOfData).ToArray();

    private static Fill[] FillsUpTo(BacktestResult r, DateTime lastBar)
    {
        var endOfData = r.Orders.Where(o => o.Reason == ExitReasons.EndOfData).Select(o => o.Id).ToHashSet();
        return r.Fills.Where(f => f.Timestamp <= lastBar && !endOfData.Contains(f.OrderId)).ToArray();
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void Every_truncation_reproduces_the_full_runs_earlier_orders_and_fills(string name)
    {
        var bars = RandomWalk(400, seed: 11);
        var full = Engine.Run(Series(bars), StrategyCatalog.Create(name));
        Assert.True(full.Trades.Count >= 2, $"the fixture should trade; {name} made {full.Trades.Count} trades");

        // Every fifth cut from just before the first possible entry (bar 80: regime known) on, plus a few early ones.
        for (var k = 1; k <= bars.Count; k += k < 78 ? 25 : 5)
        {
            var truncated = Engine.Run(Series(bars.Take(k).ToArray()), StrategyCatalog.Create(name));
            var lastBar = bars[k - 1].Timestamp;
            Assert.Equal(OrdersUpTo(full, lastBar), OrdersUpTo(truncated, lastBar));
            Assert.Equal(FillsUpTo(full, lastBar), FillsUpTo(truncated, lastBar));
            Assert.Equal(full.EquityCurve.Take(k - 1), truncated.EquityCurve.Take(k - 1));
        }
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void A_different_future_never_changes_earlier_orders(string name)
    {
        var bars = RandomWalk(400, seed: 11);
        var baseline = Engine.Run(Series(bars), StrategyCatalog.Create(name));
        foreach (var k in new[] { 120, 200, 300 })
        {
            var future = RandomWalk(bars.Count - k, 7000 + k, startPrice: bars[k - 1].Close, startIndex: k, dailyVol: 0.05);
            var altered = Engine.Run(Series([.. bars.Take(k), .. future]), StrategyCatalog.Create(name));
            var lastBar = bars[k - 1].Timestamp;
            Assert.Equal(OrdersUpTo(baseline, lastBar), OrdersUpTo(altered, lastBar));
            Assert.Equal(baseline.EquityCurve.Take(k), altered.EquityCurve.Take(k));
        }
    }

    [Theory]
    [InlineData("momentum", "AAPL", false)]
    [InlineData("momentum", "SPY", false)]
    [InlineData("momentum", "AAPL", true)]
    [InlineData("momentum", "SPY", true)]
    [InlineData("mean_reversion", "AAPL", false)]
    [InlineData("mean_reversion", "SPY", false)]
    [InlineData("mean_reversion", "AAPL", true)]
    [InlineData("mean_reversion", "SPY", true)]
    public async Task Final_equity_is_initial_capital_plus_the_sum_of_trade_pnl_on_bundled_data(string name, string symbol, bool kellyAndRegime)
    {
        var source = new CsvBarSource(TestData.SampleRoot, NyseCalendar.Instance);
        var series = await source.GetBarsAsync(new BarRequest(new Symbol(symbol), Timeframe.OneDay));
        var sizing = kellyAndRegime ? new SizingOptions(RegimeAware: true, KellyFraction: 0.5m, KellyPayoffPrior: 1.5m) : null;
        var options = new ExchangeOptions(AllowShort: kellyAndRegime);

        var result = new BacktestEngine(options, new RoutingOptions(sizing)).Run(series, StrategyCatalog.Create(name, null, kellyAndRegime));

        Assert.True(result.Trades.Count >= 10, $"{name} on {symbol} made {result.Trades.Count} trades");
        Assert.Equal(options.InitialCapital + result.Trades.Sum(t => t.Pnl), result.FinalEquity);
        Assert.Equal(result.FinalEquity, result.EquityCurve[^1].Equity);
        if (kellyAndRegime)
        {
            Assert.Contains(result.Orders, o => o.Reason.Contains("; size: regime ", StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void An_instance_run_twice_gives_the_same_result(string name)
    {
        var series = Series(RandomWalk(400, seed: 5));
        var strategy = StrategyCatalog.Create(name);
        var first = Engine.Run(series, strategy);
        var second = Engine.Run(series, strategy);
        Assert.Equal(first.Orders, second.Orders);
        Assert.Equal(first.FinalEquity, second.FinalEquity);
    }
}
