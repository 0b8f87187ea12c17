using System.Diagnostics;
using System.Text;
using AiTrader.Cli;
using AiTrader.Integration.Tests.TestSupport;
using Xunit.Abstractions;

namespace AiTrader.Integration.Tests.Service;

/// <summary>The dashboard in a real browser: runs tests/browser/dashboard.mjs (playwright-core driving Debian's Chromium,
/// headless) against <c>aitrader serve</c> started as a process. It signs in, draws the SPY chart, runs a backtest from the
/// form to its result page, draws a chart's overlays, panes and stops and zooms over a million bars, engages and releases a
/// session's kill switch through the confirm dialog, and reads the journal; any page or console error, and any serious or
/// critical axe-core violation, fails it.</summary>
public sealed class DashboardBrowserTests(ITestOutputHelper output)
{
    [BrowserFact]
    public async Task The_dashboard_signs_in_charts_backtests_and_acts_in_headless_Chromium()
    {
        // Kept under TestResults (CI uploads the folder as an artifact): every page, light and dark, laptop and tablet.
        var shots = Path.Combine(TestPaths.RepoRoot, "TestResults", "screenshots");
        if (Directory.Exists(shots))
        {
            Directory.Delete(shots, recursive: true);
        }

        Directory.CreateDirectory(shots);
        var (exitCode, text) = await BrowserTest.RunNodeAsync(output, TimeSpan.FromSeconds(300),
            new Dictionary<string, string> { ["AITRADER_CLI"] = BrowserTest.CliDll, ["CHROMIUM"] = BrowserTest.Chromium, ["SCREENSHOTS"] = shots },
            Path.Combine(BrowserTest.Folder, "dashboard.mjs"));
        Assert.True(exitCode == 0 && text.Contains("passed:", StringComparison.Ordinal), $"exit {exitCode}:\n{text}");
        Assert.True(Directory.GetFiles(shots, "*.png").Length >= 28, $"screenshots missing in {shots}");
    }
}

/// <summary>The chart's data shaping (tests/browser/chartdata.test.mjs, <c>node --test</c>): New York axis times across DST,
/// the server's merged candles, a zoomed window spliced into the wide view, day boundaries, stop segments, trades placed on
/// the candle that holds them.</summary>
public sealed class DashboardChartDataTests(ITestOutputHelper output)
{
    [NodeFact]
    public async Task The_chart_splices_zoomed_windows_marks_days_and_stops_and_places_trades()
    {
        var (exitCode, text) = await BrowserTest.RunNodeAsync(output, TimeSpan.FromSeconds(60), new Dictionary<string, string>(), "--test", "chartdata.test.mjs");
        Assert.True(exitCode == 0 && text.Contains("# pass 9", StringComparison.Ordinal), $"exit {exitCode}:\n{text}");
    }
}

/// <summary>What the browser test needs: Node.js, playwright-core and axe-core installed in tests/browser (npm ci), Chromium.</summary>
internal static class BrowserTest
{
    public static string Folder => Path.Combine(TestPaths.RepoRoot, "tests", "browser");

    public static string Chromium => Environment.GetEnvironmentVariable("CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>The built aitrader.dll of the configuration these tests run in (Debug or Release).</summary>
    public static string CliDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                ? "Release" : "Debug";
            return Path.Combine(TestPaths.RepoRoot, "src", "AiTrader.Cli", "bin", configuration, "net10.0", Path.GetFileName(typeof(AiTraderApp).Assembly.Location));
        }
    }

    /// <summary>Runs <c>node</c> with <paramref name="arguments"/> in tests/browser and the extra
    /// <paramref name="environment"/>, killed (with its children) after <paramref name="timeout"/>; its standard output
    /// then standard error go to the test's output and are returned with the exit code.</summary>
    public static async Task<(int ExitCode, string Text)> RunNodeAsync(ITestOutputHelper output, TimeSpan timeout,
        IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Folder };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        var text = new StringBuilder().Append(await stdout).Append(await stderr).ToString();
        output.WriteLine(text);
        return (process.ExitCode, text);
    }

    /// <summary>Why the test cannot run here, or null. In CI (CI=true) nothing is skipped: .ci/run installs all three.</summary>
    public static string? Missing()
    {
        if (!File.Exists(Chromium))
        {
            return $"Chromium not found at {Chromium}: apt-get install chromium (or set CHROMIUM) to run the browser test.";
        }

        foreach (var package in new[] { "playwright-core", "axe-core" })
        {
            if (!File.Exists(Path.Combine(Folder, "node_modules", package, "package.json")))
            {
                return $"{package} is not installed: run `npm ci` in tests/browser to run the browser test.";
            }
        }

        return MissingNode();
    }

    /// <summary>Why node cannot run here, or null.</summary>
    public static string? MissingNode()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, "node")))
            ? null
            : "Node.js (node) is not on PATH: install it to run the dashboard's script tests.";
    }

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A fact that needs the browser test's tools; skipped, saying which is missing, outside CI.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (BrowserTest.Missing() is { } reason && !BrowserTest.IsCi)
        {
            Skip = reason;
        }
    }
}

/// <summary>A fact that needs Node.js; skipped, saying so, outside CI.</summary>
public sealed class NodeFactAttribute : FactAttribute
{
    public NodeFactAttribute()
    {
        if (BrowserTest.MissingNode() is { } reason && !BrowserTest.IsCi)
        {
            Skip = reason;
        }
    }
}
