using AiTrader.Core.Tests.IO;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Reporting;

[Trait("Category", "Cli")]
public sealed class ReportEndToEndTests
{
    [Fact]
    public async Task Cli_backtest_writes_an_interactive_report_html_and_no_png_unless_asked()
    {
        using var dir = new TempDirectory();

        var (code, output, err) = await CliRunner.Run("backtest", "--symbol", "SPY", "--start", "2010-01-01", "--out", dir.Path);

        Assert.True(code == 0, err);
        Assert.EndsWith("(trades.csv, orders.csv, fills.csv, equity.csv, summary.json, report.html)", output.TrimEnd());
        Assert.Empty(Directory.GetFiles(dir.Path, "*.png"));
        var html = File.ReadAllText(dir.File("report.html"));
        Assert.Contains("<h1>SPY · breakout · 1Day · 2010-", html);
        Assert.Contains("<div id=\"price-chart\"", html);
        Assert.Contains("<script type=\"application/json\" id=\"report-data\">", html);
        Assert.Contains("<table class=\"monthly\">", html);
        Assert.Contains("<tr><th scope=\"row\">2015</th>", html);
        // Nothing linked or loaded around the inlined chart library (whose own text may say "src=").
        var page = html.Replace(AiTrader.Reporting.DashboardScripts.LightweightCharts, "", StringComparison.Ordinal);
        Assert.Contains(AiTrader.Reporting.DashboardScripts.LightweightCharts, html);
        Assert.DoesNotContain("<link", page, StringComparison.Ordinal);
        Assert.DoesNotContain("src=", page, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }

    [Fact]
    public async Task Cli_backtest_with_png_writes_both_pngs_and_names_them()
    {
        using var dir = new TempDirectory();

        var (code, output, err) = await CliRunner.Run("backtest", "--symbol", "SPY", "--start", "2010-01-01", "--out", dir.Path, "--png");

        Assert.True(code == 0, err);
        Assert.EndsWith("(trades.csv, orders.csv, fills.csv, equity.csv, summary.json, report.html, equity.png, price.png)", output.TrimEnd());
        foreach (var png in new[] { "equity.png", "price.png" })
        {
            var decoded = PngTestDecoder.Decode(File.ReadAllBytes(dir.File(png)));
            Assert.Equal((1200, 600), (decoded.Width, decoded.Height));
        }
    }
}
