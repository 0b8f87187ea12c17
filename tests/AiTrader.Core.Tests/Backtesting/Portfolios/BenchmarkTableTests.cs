using AiTrader.Core.Backtesting;
using AiTrader.Core.Backtesting.Portfolios;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;

namespace AiTrader.Core.Tests.Backtesting.Portfolios;

/// <summary>The benchmark rows under a portfolio's metrics follow the metrics table's rule: a run too short to annualize
/// shows no annualized figure (a week of minute bars printed "SPY CAGR 134.81%" under "CAGR not meaningful").</summary>
public sealed class BenchmarkTableTests
{
    private static BenchmarkComparison Comparison(int days)
    {
        var start = new DateTime(2013, 10, 7, 20, 0, 0, DateTimeKind.Utc);
        var bars = Enumerable.Range(0, days).Select(i => new Bar(start.AddDays(i), 100m + i, 100m + i, 100m + i, 100m + i, 1000m)).ToList();
        var series = new BarSeries(new Symbol("SPY"), Timeframe.OneDay, bars, []);
        var portfolio = bars.Select((b, i) => new EquityPoint(b.Timestamp, 100_000m + (i % 3 * 100m), 0m)).ToList();
        return BenchmarkComparison.Compute(100_000m, portfolio, series);
    }

    [Fact]
    public void A_run_too_short_to_annualize_shows_no_annualized_benchmark_figure()
    {
        var rows = PortfolioSummarySections.BenchmarkTable(Comparison(6)).ToDictionary(r => r.Name, r => r.Value);

        Assert.Equal("5.00%", rows["SPY buy-and-hold return"]);
        foreach (var annualized in new[] { "SPY CAGR", "Alpha (annualized)", "Tracking error", "Information ratio" })
        {
            Assert.Equal("not meaningful (6 trading days)", rows[annualized]);
        }

        Assert.DoesNotContain("not meaningful", rows["Beta"], StringComparison.Ordinal);
        Assert.DoesNotContain("not meaningful", rows["Correlation"], StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_enough_run_shows_them()
    {
        var rows = PortfolioSummarySections.BenchmarkTable(Comparison(100)).ToDictionary(r => r.Name, r => r.Value);

        Assert.EndsWith("%", rows["SPY CAGR"], StringComparison.Ordinal);
        Assert.EndsWith("%", rows["Tracking error"], StringComparison.Ordinal);
    }
}
