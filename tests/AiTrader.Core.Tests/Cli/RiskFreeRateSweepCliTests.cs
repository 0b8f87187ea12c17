using System.Globalization;
using System.Text.Json;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Cli;

/// <summary><c>aitrader sweep --risk-free-rate</c>: combinations are ranked, and walk-forward windows chosen, by the
/// Sharpe ratio of returns above the rate.</summary>
[Trait("Category", "Cli")]
[Collection(AiTrader.Core.Tests.Sweeps.CpuHeavyCollection.Name)]
public sealed class RiskFreeRateSweepCliTests : IDisposable
{
    private readonly string _tmp = Path.Combine(Path.GetTempPath(), "aitrader-rfr-sweep-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_tmp))
        {
            Directory.Delete(_tmp, recursive: true);
        }
    }

    [Fact]
    public async Task Sweep_ranks_by_the_sharpe_above_the_risk_free_rate()
    {
        string[] sweep = ["sweep", "--symbol", "SPY", "--strategy", "breakout", "--start", "2012-01-01", "--grid", "lookback=10,20,30"];
        var (code0, _, err0) = await CliRunner.Run([.. sweep, "--out", Path.Combine(_tmp, "rf0")]);
        var (code5, output5, err5) = await CliRunner.Run([.. sweep, "--risk-free-rate", "0.05", "--out", Path.Combine(_tmp, "rf5")]);
        Assert.True(code0 == 0, err0);
        Assert.True(code5 == 0, err5);

        var rows0 = ReadSweep(Path.Combine(_tmp, "rf0", "sweep.csv"));
        var rows5 = ReadSweep(Path.Combine(_tmp, "rf5", "sweep.csv"));
        Assert.All(rows0, r => Assert.Equal("0", r["risk_free_rate"]));
        Assert.All(rows5, r => Assert.Equal("0.05", r["risk_free_rate"]));
        Assert.Contains("Risk-free rate 5.00%", output5);

        // Ranked by the rf-adjusted Sharpe: best first, each combination's Sharpe below its rf = 0 value.
        var sharpe5 = rows5.Select(r => Number(r["sharpe"])).ToList();
        Assert.Equal(sharpe5.OrderByDescending(s => s), sharpe5);
        foreach (var row in rows5)
        {
            var same = rows0.Single(r => r["lookback"] == row["lookback"]);
            Assert.True(Number(row["sharpe"]) < Number(same["sharpe"]), $"lookback={row["lookback"]}");
        }

        // The rate takes rf_d·√252 / σ off each Sharpe, so it costs the calmest combination most: lookback=20 leads at
        // rf = 0 and falls behind the more volatile lookback=10 at 5%. Same runs, different order: the rank uses the rate.
        Assert.Equal(["20", "10", "30"], rows0.Select(r => r["lookback"]));
        Assert.Equal(["10", "20", "30"], rows5.Select(r => r["lookback"]));

        // The leader's Sharpe is the one a plain backtest of that combination reports, and that one is the
        // hand-computed excess-return Sharpe of its equity.csv.
        var single = Path.Combine(_tmp, "single");
        var (code, _, err) = await CliRunner.Run("backtest", "--symbol", "SPY", "--strategy", "breakout", "--start", "2012-01-01",
            "--param", "lookback=10", "--risk-free-rate", "0.05", "--quiet", "--out", single);
        Assert.True(code == 0, err);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(single, "summary.json")));
        var backtestSharpe = summary.RootElement.GetProperty("sharpe").GetDouble();
        Assert.Equal(backtestSharpe, sharpe5[0], 12);
        Assert.Equal(RiskFreeRateCliTests.HandSharpe(single, 0.05), sharpe5[0], 9);
    }

    [Fact]
    public async Task Walk_forward_chooses_and_reports_with_the_risk_free_rate()
    {
        string[] walk = ["sweep", "--symbol", "SPY", "--start", "2015-01-01", "--end", "2019-12-31", "--grid", "lookback=10,20",
            "--walk-forward", "--in-sample", "252", "--out-of-sample", "252"];
        var (code0, _, err0) = await CliRunner.Run([.. walk, "--out", Path.Combine(_tmp, "wf0")]);
        var (code3, output3, err3) = await CliRunner.Run([.. walk, "--risk-free-rate", "3%", "--out", Path.Combine(_tmp, "wf3")]);
        Assert.True(code0 == 0, err0);
        Assert.True(code3 == 0, err3);

        var metrics = ReadSweep(Path.Combine(_tmp, "wf3", "oos_metrics.csv"));
        Assert.Equal("0.03", Assert.Single(metrics)["risk_free_rate"]);
        var windows0 = ReadSweep(Path.Combine(_tmp, "wf0", "walk_forward.csv"));
        var windows3 = ReadSweep(Path.Combine(_tmp, "wf3", "walk_forward.csv"));
        Assert.All(windows3, w => Assert.Equal("0.03", w["oos_risk_free_rate"]));
        // Every in-sample Sharpe falls with a positive rate, so the best of them (the chosen score) falls too.
        Assert.Equal(windows0.Count, windows3.Count);
        for (var i = 0; i < windows0.Count; i++)
        {
            Assert.True(Number(windows3[i]["is_sharpe"]) < Number(windows0[i]["is_sharpe"]), $"window {i}");
        }

        var row = Assert.Single(output3.Split('\n'), l => l.Contains("Risk-free rate", StringComparison.Ordinal));
        Assert.Contains(" 3.00% ", row);
    }

    /// <summary>A small CSV (no quoted fields) as one dictionary per data row, keyed by the header.</summary>
    private static List<Dictionary<string, string>> ReadSweep(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        return lines.Skip(1)
            .Select(l => header.Zip(l.Split(','), (h, v) => (h, v)).ToDictionary(p => p.h, p => p.v))
            .ToList();
    }

    private static double Number(string text) => double.Parse(text, CultureInfo.InvariantCulture);
}
