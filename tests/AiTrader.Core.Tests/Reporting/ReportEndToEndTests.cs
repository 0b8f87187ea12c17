using AiTrader.Core.Tests.IO;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Reporting;

[Trait("Category", "Cli")]
public sealed class ReportEndToEndTests
{
    [Fact]
    public async Task Cli_backtest_writes_report_html_and_both_pngs()
    {
        using var dir = new TempDirectory();

        var (code, output, err) = await CliRunner.Run("backtest", "--symbol", "SPY", "--start", "2010-01-01", "--out", dir.Path);

        Assert.True(code == 0, err);
        Assert.Contains("report.html", output);
        foreach (var png in new[] { "equity.png", "price.png" })
        {
            var decoded = PngTestDecoder.Decode(File.ReadAllBytes(dir.File(png)));
            Assert.Equal((1200, 600), (decoded.Width, decoded.Height));
        }

        var html = File.ReadAllText(dir.File("report.html"));
        Assert.Contains("<h1>SPY · breakout · 1Day · 2010-", html);
        Assert.Equal(3, html.Split("<svg ").Length - 1);
        Assert.Contains("<table class=\"monthly\">", html);
        Assert.Contains("<tr><th scope=\"row\">2015</th>", html);
        Assert.Contains("<path class=\"entry\"", html);
        Assert.DoesNotContain("https://", html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("<script", html);
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
    }
}
