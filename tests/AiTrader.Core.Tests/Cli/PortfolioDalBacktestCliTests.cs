using System.Text.Json;
using AiTrader.Cli;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Cli;

/// <summary>Portfolio backtests through the market-data DAL (<c>--use-probabilistic</c>, <c>--dal-vendor</c>,
/// <c>--dal-interval</c>): each member's bars come the way a single run's do.</summary>
[Trait("Category", "Cli")]
public sealed class PortfolioDalBacktestCliTests : IDisposable
{
    private const string NoKeyNotice = "no ALPHAVANTAGE_API_KEY set; using the bundled sample data";

    private readonly string _tmp = Path.Combine(Path.GetTempPath(), "aitrader-portfolio-dal-" + Guid.NewGuid().ToString("N"));

    public PortfolioDalBacktestCliTests() => Directory.CreateDirectory(_tmp);

    public void Dispose()
    {
        if (Directory.Exists(_tmp))
        {
            Directory.Delete(_tmp, recursive: true);
        }
    }

    [Fact]
    public async Task Without_a_key_every_member_runs_on_the_bundled_bars_with_one_notice_and_the_bundled_runs_results()
    {
        string[] common = ["backtest", "--symbols", "AAPL,IBM,SPY", "--strategy", "momentum", "--start", "2010-01-01", "--end", "2020-12-31"];
        var dalDir = Path.Combine(_tmp, "dal");
        var bundledDir = Path.Combine(_tmp, "bundled");

        var (code, output, err) = await RunWithoutKeys([.. common, "--use-probabilistic", "--dal-vendor", "alphavantage",
            "--dal-interval", "1Day", "--out", dalDir]);
        var (bundledCode, _, bundledErr) = await RunWithoutKeys([.. common, "--out", bundledDir]);

        Assert.True(code == 0, err);
        Assert.True(bundledCode == 0, bundledErr);
        // Warnings go to standard error, one line each; standard output is the summary alone.
        Assert.Single(Lines(err), l => l.Contains("ALPHAVANTAGE_API_KEY", StringComparison.Ordinal));
        Assert.DoesNotContain("ALPHAVANTAGE_API_KEY", output);
        Assert.Contains($"warning: {NoKeyNotice}", err);
        Assert.Contains("warning: AAPL, IBM, SPY bars served by sample (cache: not cached)", err); // words, not the enum's name

        var warnings = Summary(dalDir).GetProperty("warnings").EnumerateArray().Select(w => w.GetString()).ToList();
        Assert.Equal(NoKeyNotice, warnings[0]);
        Assert.Single(warnings, w => w == NoKeyNotice);

        // The DAL serves the bundled data as CsvBarSource reads it, as it does for --symbol: the same run, to the byte.
        AssertSameRun(bundledDir, dalDir);
    }

    [Fact]
    public async Task Dal_interval_overrides_interval_for_every_member()
    {
        var dalDir = Path.Combine(_tmp, "dal-1min");
        var bundledDir = Path.Combine(_tmp, "bundled-1min");

        var (code, _, err) = await RunWithoutKeys("backtest", "--symbols", "IBM,SPY", "--strategy", "breakout", "--interval", "1Day",
            "--use-probabilistic", "--dal-interval", "1Min", "--quiet", "--out", dalDir);
        var (bundledCode, _, bundledErr) = await RunWithoutKeys("backtest", "--symbols", "IBM,SPY", "--strategy", "breakout",
            "--interval", "1Min", "--quiet", "--out", bundledDir);

        Assert.True(code == 0, err);
        Assert.True(bundledCode == 0, bundledErr);
        Assert.Equal("1Min", Summary(dalDir).GetProperty("interval").GetString());
        AssertSameRun(bundledDir, dalDir);
    }

    [Fact]
    public async Task A_one_symbol_portfolio_through_the_dal_trades_exactly_like_a_single_run_through_it()
    {
        string[] common = ["backtest", "--strategy", "momentum", "--start", "2010-01-01", "--end", "2020-12-31",
            "--use-probabilistic", "--dal-vendor", "alphavantage", "--dal-interval", "1Day",
            "--regime-aware-sizing", "--risk-agent", "fractional_kelly", "--risk-agent-fraction", "0.5", "--quiet"];
        var singleDir = Path.Combine(_tmp, "single");
        var portfolioDir = Path.Combine(_tmp, "portfolio");
        var bundledDir = Path.Combine(_tmp, "single-bundled");

        var (singleCode, _, singleErr) = await RunWithoutKeys([.. common, "--symbol", "IBM", "--out", singleDir]);
        var (portfolioCode, _, portfolioErr) = await RunWithoutKeys([.. common, "--symbols", "IBM", "--out", portfolioDir]);
        var (bundledCode, _, bundledErr) = await RunWithoutKeys("backtest", "--symbol", "IBM", "--strategy", "momentum",
            "--start", "2010-01-01", "--end", "2020-12-31", "--regime-aware-sizing", "--risk-agent", "fractional_kelly",
            "--risk-agent-fraction", "0.5", "--quiet", "--out", bundledDir);

        Assert.True(singleCode == 0, singleErr);
        Assert.True(portfolioCode == 0, portfolioErr);
        Assert.True(bundledCode == 0, bundledErr);
        var trades = File.ReadAllLines(Path.Combine(singleDir, "trades.csv"));
        Assert.True(trades.Length > 10, $"{trades.Length - 1} trades");
        Assert.Equal(trades, File.ReadAllLines(Path.Combine(portfolioDir, "trades.csv")));
        Assert.Equal(
            Math.Round(Summary(singleDir).GetProperty("final_equity").GetDecimal(), 2),
            Math.Round(Summary(portfolioDir).GetProperty("final_equity").GetDecimal(), 2));

        // What the single run guarantees and the portfolio inherits: without a key the DAL run is the bundled run.
        Assert.Equal(File.ReadAllLines(Path.Combine(bundledDir, "trades.csv")), trades);
        Assert.Equal(NoKeyNotice, Summary(singleDir).GetProperty("warnings")[0].GetString());
        Assert.Equal(NoKeyNotice, Summary(portfolioDir).GetProperty("warnings")[0].GetString());
    }

    [Theory]
    [InlineData("--symbols", "AAPL,NOPE,IBM")]
    [InlineData("--watchlist", "WATCHLIST")]
    public async Task An_unknown_member_through_the_dal_fails_as_a_single_run_does_and_writes_nothing(string flag, string value)
    {
        var watchlist = Path.Combine(_tmp, "list.txt");
        File.WriteAllText(watchlist, "AAPL\nNOPE\nIBM\n");
        string[] dal = ["--strategy", "momentum", "--start", "2010-01-01", "--use-probabilistic", "--dal-vendor", "alphavantage",
            "--dal-interval", "1Day"];
        var outDir = Path.Combine(_tmp, "bad");

        var (singleCode, _, singleErr) = await RunWithoutKeys(["backtest", "--symbol", "NOPE", .. dal, "--out", outDir]);
        var (code, output, err) = await RunWithoutKeys(["backtest", flag, value.Replace("WATCHLIST", watchlist), .. dal, "--out", outDir]);

        Assert.Equal(ExitCodes.BadInput, singleCode);
        Assert.Equal(singleCode, code);
        var line = Assert.Single(Lines(err));
        Assert.Equal(Assert.Single(Lines(singleErr)), line);
        Assert.StartsWith("error: unknown symbol 'NOPE' for 1Day", line);
        Assert.Contains("available: AAA, AAPL", line);
        Assert.Equal(string.Empty, output);
        Assert.False(Directory.Exists(outDir));
    }

    /// <summary>Runs the CLI with an environment holding no vendor key and only dead loopback vendor URLs, so the DAL
    /// falls back to the bundled data whatever keys the machine has, and nothing can reach a real vendor.</summary>
    private async Task<(int Code, string Out, string Err)> RunWithoutKeys(params string[] args)
    {
        var env = new Dictionary<string, string?>
        {
            ["ALPHAVANTAGE_BASE_URL"] = "http://127.0.0.1:9",
            ["YAHOO_BASE_URL"] = "http://127.0.0.1:9",
            ["TWELVEDATA_BASE_URL"] = "http://127.0.0.1:9",
            ["ALPACA_DATA_BASE_URL"] = "http://127.0.0.1:9",
            ["FINNHUB_BASE_URL"] = "http://127.0.0.1:9/api/v1",
            ["AITRADER_CACHE_DIR"] = Path.Combine(_tmp, "cache"),
            ["AITRADER_DATA_DIR"] = Path.Combine(_tmp, "data"),
        };
        using (PlatformEnvironment.Use(env))
        {
            return await CliRunner.Run(args);
        }
    }

    private static void AssertSameRun(string expectedDir, string actualDir)
    {
        foreach (var file in new[] { "trades.csv", "equity.csv" })
        {
            Assert.Equal(File.ReadAllLines(Path.Combine(expectedDir, file)), File.ReadAllLines(Path.Combine(actualDir, file)));
        }

        var expected = Summary(expectedDir);
        var actual = Summary(actualDir);
        Assert.Equal(expected.GetProperty("final_equity").GetDecimal(), actual.GetProperty("final_equity").GetDecimal());
        Assert.Equal(expected.GetProperty("per_symbol").GetRawText(), actual.GetProperty("per_symbol").GetRawText());
    }

    private static JsonElement Summary(string dir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")));
        return doc.RootElement.Clone();
    }

    private static string[] Lines(string text) => text.Trim().Split('\n', StringSplitOptions.RemoveEmptyEntries);
}
