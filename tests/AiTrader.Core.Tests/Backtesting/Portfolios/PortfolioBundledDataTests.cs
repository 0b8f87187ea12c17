using AiTrader.Core.Backtesting;
using AiTrader.Core.Backtesting.Portfolios;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.MarketData;
using AiTrader.Core.Risk.Sizing;
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

        var options = new PortfolioBacktestOptions(new ExchangeOptions(), MaxSymbolWeight: 0.25m, MaxGrossExposure: 0.8m);
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

    [Theory]
    [InlineData("mean_reversion", 2)] // after its tenth trade Kelly finds no edge on most symbols and stops trading
    [InlineData("momentum", 20)]
    public async Task Half_kelly_learns_each_symbols_own_trades_keeps_the_books_and_never_borrows(string strategy, int minimumLearned)
    {
        var source = new CsvBarSource(TestPaths.SampleRoot, NyseCalendar.Instance);
        var series = new List<BarSeries>();
        foreach (var symbol in new[] { "AAPL", "IBM", "SPY" })
        {
            series.Add(await source.GetBarsAsync(new BarRequest(symbol, Timeframe.OneDay)));
        }

        var sizing = new SizingOptions(KellyFraction: 0.5m);
        var options = new PortfolioBacktestOptions(new ExchangeOptions(), MaxSymbolWeight: 0.5m, MaxGrossExposure: 1.0m, Sizing: sizing);
        var result = new PortfolioBacktestEngine(options)
            .Run(series.Select(s => new PortfolioLeg(s, StrategyCatalog.Create(strategy))).ToArray());

        Assert.Equal(100_000m + result.Trades.Sum(t => t.Pnl), result.FinalEquity);
        Assert.Equal(Math.Round(100_000m + result.Trades.Sum(t => t.Pnl), 2), Math.Round(result.EquityCurve[^1].Equity, 2));
        Assert.True(result.LowestCash >= 0m);
        PortfolioAssertions.CashNeverNegative(100_000m, result.Fills);
        PortfolioAssertions.EntriesWithinLimits(result, series);

        // Every entry's Kelly inputs are its own symbol's closed round trips (ten needed, a win and a loss for b), worked
        // out again here from trades.csv's rows: other symbols' P&L never enters them.
        var learned = 0;
        foreach (var entry in result.Orders.Where(o => o.Type == OrderType.Market && o.Reason.Contains("size: kelly:", StringComparison.Ordinal)))
        {
            var own = result.Trades
                .Where(t => t.Symbol == entry.Symbol && t.ExitTime <= entry.CreatedAt && t.ExitReason != ExitReasons.EndOfData && t.Pnl != 0)
                .Select(t => t.Pnl)
                .ToList();
            var wins = own.Where(p => p > 0).ToList();
            var losses = own.Where(p => p < 0).ToList();
            if (own.Count < 10 || wins.Count == 0 || losses.Count == 0)
            {
                Assert.Contains(strategy == "momentum" ? "kelly: b missing, fell back to fixed 1% risk" : "kelly: p and b missing, fell back", entry.Reason);
                continue;
            }

            var b = wins.Sum() / wins.Count / (-losses.Sum() / losses.Count);
            Assert.Contains(FormattableString.Invariant($", b {b:F2} (trades) → f* "), entry.Reason);
            if (strategy == "mean_reversion")
            {
                var p = (decimal)wins.Count / own.Count;
                Assert.Contains(FormattableString.Invariant($"kelly: p {p:F2}, b {b:F2} (trades)"), entry.Reason);
            }

            learned++;
        }

        Assert.True(learned >= minimumLearned, $"expected entries sized from learned trades, got {learned}");
        Assert.All(result.Symbols, s => Assert.True(result.Trades.Count(t => t.Symbol == s) >= 10, $"{s} closed too few trades"));
    }
}
