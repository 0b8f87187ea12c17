using System.Net;
using System.Text.RegularExpressions;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Reporting;
using AiTrader.Core.Tests.IO;

namespace AiTrader.Core.Tests.Reporting;

public sealed class HtmlReportTests
{
    private static (string Html, PerformanceMetrics Metrics) Render(string symbol = "SPY", int trades = 3,
        IReadOnlyList<string>? warnings = null, HtmlReportOptions? options = null)
    {
        var (bars, equity, tradeList) = ReportFixtures.Run(trades: trades);
        var result = ReportFixtures.Result(equity, tradeList);
        var metrics = PerformanceCalculator.Compute(ReportFixtures.InitialCapital, equity, tradeList);
        return (HtmlReport.Render(ReportFixtures.Info(symbol, warnings), bars, result, metrics, options), metrics);
    }

    [Fact]
    public void Report_is_self_contained()
    {
        var (html, _) = Render();

        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("https://", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Report_has_the_metrics_table_values()
    {
        var (html, metrics) = Render();
        foreach (var row in BacktestReportWriter.MetricsTable(metrics))
        {
            Assert.Contains($"<th scope=\"row\">{WebUtility.HtmlEncode(row.Name)}</th><td>{WebUtility.HtmlEncode(row.Value)}</td>", html);
        }
    }

    [Fact]
    public void Report_has_an_svg_per_chart_with_trade_markers_and_tooltips()
    {
        var (html, _) = Render(trades: 3);

        Assert.Equal(3, Regex.Matches(html, "<svg ").Count);
        Assert.Contains("aria-label=\"Close price with trade entries and exits\"", html);
        Assert.Contains("aria-label=\"Equity curve\"", html);
        Assert.Contains("aria-label=\"Drawdown (underwater) curve\"", html);
        Assert.Equal(3, Regex.Matches(html, "<path class=\"entry\"").Count);
        Assert.Equal(3, Regex.Matches(html, "<path class=\"exit\"").Count);
        Assert.Contains("<title>Entry long 100 @ $", html);
        Assert.Contains("<title>Exit long (stop) 100 @ $", html);
        Assert.Contains("<polygon class=\"underwater\"", html);
    }

    [Fact]
    public void Report_has_the_monthly_table_with_a_row_per_year()
    {
        var (html, _) = Render();
        var (_, equity, _) = ReportFixtures.Run();
        var rows = MonthlyReturns.Compute(ReportFixtures.InitialCapital, equity);

        Assert.Contains("<table class=\"monthly\">", html);
        Assert.Contains("<th>Jan</th><th>Feb</th><th>Mar</th><th>Apr</th><th>May</th><th>Jun</th><th>Jul</th><th>Aug</th><th>Sep</th><th>Oct</th><th>Nov</th><th>Dec</th><th>Year</th>", html);
        Assert.Equal(2, rows.Count); // 300 weekdays from January 2021 run into 2022
        foreach (var row in rows)
        {
            Assert.Contains($"<tr><th scope=\"row\">{row.Year}</th>", html);
            Assert.Contains($">{BacktestReportWriter.FormatPercent(row.YearReturn)}</td></tr>", html);
        }

        Assert.Contains($">{BacktestReportWriter.FormatPercent(rows[0].Months[0])}</td>", html);
    }

    [Fact]
    public void Text_from_the_run_is_html_escaped()
    {
        var (html, _) = Render(symbol: "S<P>&\"Y", warnings: ["gap <b>bold</b> & more"]);

        Assert.Contains("S&lt;P&gt;&amp;&quot;Y", html);
        Assert.DoesNotContain("S<P>", html);
        Assert.Contains("<li>gap &lt;b&gt;bold&lt;/b&gt; &amp; more</li>", html);
        Assert.DoesNotContain("<b>bold</b>", html);
    }

    [Fact]
    public void Trade_table_is_truncated_with_a_note()
    {
        var (html, _) = Render(trades: 7, options: new HtmlReportOptions(MaxTrades: 5));

        Assert.Contains("Showing the first 5 of 7 trades", html);
        Assert.Contains("<tr><td>5</td>", html);
        Assert.DoesNotContain("<tr><td>6</td>", html);
    }

    [Fact]
    public void Long_series_are_downsampled_in_the_svg()
    {
        var (bars, equity, trades) = ReportFixtures.Run(bars: 5_000, trades: 1);
        var result = ReportFixtures.Result(equity, trades);
        var metrics = PerformanceCalculator.Compute(ReportFixtures.InitialCapital, equity, trades);

        var html = HtmlReport.Render(ReportFixtures.Info(), bars, result, metrics, new HtmlReportOptions(MaxPointsPerLine: 400));

        var polyline = Regex.Match(html, "<polyline class=\"price\" points=\"([^\"]*)\"").Groups[1].Value;
        Assert.InRange(polyline.Split(' ').Length, 100, 402);
    }

    [Fact]
    public void WriteAll_writes_three_files_atomically_and_leaves_no_temp_files()
    {
        using var dir = new TempDirectory();
        var (bars, equity, trades) = ReportFixtures.Run();
        var result = ReportFixtures.Result(equity, trades);
        var metrics = PerformanceCalculator.Compute(ReportFixtures.InitialCapital, equity, trades);

        var files = BacktestReport.WriteAll(dir.Path, ReportFixtures.Info(), bars, result, metrics);

        Assert.Equal(["equity.png", "price.png", "report.html"], dir.AllFileNames());
        Assert.Equal(dir.File("report.html"), files.ReportHtml);
        Assert.Equal(1200, PngTestDecoder.Decode(File.ReadAllBytes(files.EquityPng)).Width);
        Assert.Equal(600, PngTestDecoder.Decode(File.ReadAllBytes(files.PricePng)).Height);
        Assert.Contains("<svg", File.ReadAllText(files.ReportHtml));
    }

    [Fact]
    public void Empty_run_renders_without_charts()
    {
        var result = ReportFixtures.Result([], []);
        var metrics = PerformanceCalculator.Compute(ReportFixtures.InitialCapital, [], []);

        var html = HtmlReport.Render(ReportFixtures.Info(), [], result, metrics);

        Assert.Contains("No bars.", html);
        Assert.Contains("No trades.", html);
        Assert.Contains("SPY · breakout · 1Day · 2021-01-01 → 2022-06-30", html);
    }
}
