using AiTrader.Core.Backtesting;
using AiTrader.Core.Backtesting.Portfolios;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using AiTrader.Core.Strategies;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Backtesting.Portfolios;

/// <summary>The portfolio engine on the bundled, split-adjusted daily bars (AAPL has flagged bad prints, QQQ starts later).</summary>
public class PortfolioBundledDataTests
{
    [Theory]
    [InlineData("breakout")]
    [InlineData("mean_reversion")]
    public async Task Books_balance_cash_never_goes_negative_and_entries_respect_the_limits(string strategy)
    {
        var source = new CsvBarSource(TestPaths.SampleRoot, NyseCalendar.Instance);
        var start = new DateTime(2005, 1, 3, 0, 0, 0, DateTimeKind.Utc);
        var series = new List<BarSeries>();
        foreach (var symbol in new[] { "AAPL", "IBM", "SPY", "QQQ" })
        {
            series.Add(await source.GetBarsAsync(new BarRequest(symbol, Timeframe.OneDay, start)));
        }

        var options = new PortfolioBacktestOptions(new BacktestOptions(), MaxSymbolWeight: 0.25m, MaxGrossExposure: 0.8m);
        var result = new PortfolioBacktestEngine(options)
            .Run(series.Select(s => new PortfolioLeg(s, StrategyCatalog.Create(strategy))).ToArray());

        Assert.True(result.Trades.Count > 40, $"expected a trading fixture, got {result.Trades.Count} trades");
        Assert.Equal(4, result.Trades.Select(t => t.Symbol).Distinct().Count());
        Assert.Equal(100_000m + result.Trades.Sum(t => t.Pnl), result.FinalEquity);
        Assert.Equal(result.FinalEquity, result.EquityCurve[^1].Equity);
        Assert.Equal(series.SelectMany(s => s.Bars.Select(b => b.Timestamp)).Distinct().Count(), result.EquityCurve.Count);
        Assert.True(result.LowestCash >= 0m);
        PortfolioAssertions.CashNeverNegative(100_000m, result.Fills);
        PortfolioAssertions.EntriesWithinLimits(result, series);
        Assert.Equal(series.Sum(s => s.Flags.Count), result.SkippedBars.Count);
        Assert.DoesNotContain(result.Fills, f => result.SkippedBars.Any(s => s.Symbol == f.Symbol && s.Flag.Timestamp == f.Timestamp));

        // Per-symbol P&L adds up to the account's, and the contributions to its total return.
        var perSymbol = SymbolPerformance.ForEach(result);
        Assert.Equal(result.Trades.Sum(t => t.Pnl), perSymbol.Sum(p => p.Trades.TotalPnl));
        Assert.Equal((double)(result.FinalEquity / 100_000m - 1m), perSymbol.Sum(p => p.Contribution), 9);
    }
}
