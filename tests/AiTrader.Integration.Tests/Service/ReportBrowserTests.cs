using AiTrader.Integration.Tests.TestSupport;
using Xunit.Abstractions;

namespace AiTrader.Integration.Tests.Service;

/// <summary>A backtest's report.html in a real browser (tests/browser/report.mjs): opened from file:// in headless
/// Chromium with the browser offline and every other request refused, its three charts drawn by the dashboard's inlined
/// chart code from the report's own data (candles, markers and stops as the data says, the deepest drawdown equal to
/// summary.json's), zoomable, in light and dark, with no page or console error and no serious axe-core violation.</summary>
public sealed class ReportBrowserTests(ITestOutputHelper output)
{
    [BrowserFact]
    public async Task Report_html_draws_its_charts_offline_from_disk_in_headless_Chromium()
    {
        var (exitCode, text) = await BrowserTest.RunNodeAsync(output, TimeSpan.FromSeconds(180),
            new Dictionary<string, string>
            {
                ["AITRADER_CLI"] = BrowserTest.CliDll,
                ["CHROMIUM"] = BrowserTest.Chromium,
                ["SCREENSHOTS"] = Path.Combine(TestPaths.RepoRoot, "TestResults", "report-screenshots"),
            },
            Path.Combine(BrowserTest.Folder, "report.mjs"));
        Assert.True(exitCode == 0 && text.Contains("passed:", StringComparison.Ordinal), $"exit {exitCode}:\n{text}");
    }
}
