using System.Diagnostics;
using AiTrader.Cli;
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
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
            ? "Release" : "Debug";
        var dll = Path.Combine(TestPaths.RepoRoot, "src", "AiTrader.Cli", "bin", configuration, "net10.0", Path.GetFileName(typeof(AiTraderApp).Assembly.Location));
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = BrowserTest.Folder };
        start.ArgumentList.Add(Path.Combine(BrowserTest.Folder, "report.mjs"));
        start.Environment["AITRADER_CLI"] = dll;
        start.Environment["CHROMIUM"] = BrowserTest.Chromium;
        start.Environment["SCREENSHOTS"] = Path.Combine(TestPaths.RepoRoot, "TestResults", "report-screenshots");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        var text = await stdout + await stderr;
        output.WriteLine(text);
        Assert.True(process.ExitCode == 0 && text.Contains("passed:", StringComparison.Ordinal), $"exit {process.ExitCode}:\n{text}");
    }
}
