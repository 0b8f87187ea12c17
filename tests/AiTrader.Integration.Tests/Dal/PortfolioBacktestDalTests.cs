using System.Globalization;
using System.Text.Json;
using AiTrader.Cli;
using AiTrader.Integration.Tests.TestSupport;
using AiTrader.Integration.Tests.Vendors.Fakes;
using static AiTrader.Integration.Tests.Dal.DalFakes;

namespace AiTrader.Integration.Tests.Dal;

/// <summary><c>aitrader backtest --symbols … --dal-vendor alphavantage</c> against the loopback Alpha Vantage fake: each
/// member is pulled from the vendor under its own cache key, and a repeat is served from the Parquet cache.</summary>
public sealed class PortfolioBacktestDalTests : IAsyncLifetime
{
    private static readonly DateOnly First = new(2015, 12, 1);
    private static readonly DateOnly Last = new(2019, 12, 31);

    private DalFakes _fakes = null!;

    public async Task InitializeAsync()
    {
        _fakes = await StartAsync();
        // Each symbol's own bundled daily rows: a member fed another's bars would trade differently from the bundled run.
        foreach (var symbol in new[] { "IBM", "SPY" })
        {
            _fakes.AlphaVantage.DailyBarsBySymbol[symbol] = [.. FakeSampleBars.Daily(symbol, First, Last)];
        }
    }

    public async Task DisposeAsync() => await _fakes.DisposeAsync();

    [Fact]
    public async Task Each_member_is_pulled_from_alpha_vantage_once_then_served_from_its_own_cache()
    {
        var env = Environment();
        string[] common = ["backtest", "--symbols", "IBM,SPY", "--strategy", "breakout", "--start", "2016-01-01", "--end", "2019-12-31"];
        string[] dal = ["--use-probabilistic", "--dal-vendor", "alphavantage", "--dal-interval", "1Day"];
        var firstDir = Path.Combine(_fakes.Root, "first");
        var againDir = Path.Combine(_fakes.Root, "again");
        var bundledDir = Path.Combine(_fakes.Root, "bundled");

        var (code, output, err) = await Run(env, [.. common, .. dal, "--out", firstDir]);

        Assert.True(code == 0, err);
        Assert.Contains("warning: IBM, SPY bars served by alphavantage (cache: miss)", err); // warnings on stderr
        Assert.DoesNotContain("ALPHAVANTAGE_API_KEY", output + err);
        Assert.DoesNotContain(_fakes.AlphaVantage.ApiKey, output + err);
        var requests = _fakes.AlphaVantage.Requests.ToList();
        Assert.Equal(2, requests.Count); // one per member; the benchmark SPY is a member, so no third request
        Assert.Single(requests, r => r.Contains("function=TIME_SERIES_DAILY_ADJUSTED", StringComparison.Ordinal) && r.Contains("symbol=IBM", StringComparison.Ordinal));
        Assert.Single(requests, r => r.Contains("function=TIME_SERIES_DAILY_ADJUSTED", StringComparison.Ordinal) && r.Contains("symbol=SPY", StringComparison.Ordinal));
        Assert.Equal(0, _fakes.Yahoo.RequestCount + _fakes.TwelveData.RequestCount);
        foreach (var symbol in new[] { "IBM", "SPY" })
        {
            var snapshots = Path.Combine(_fakes.Root, "cache", "alphavantage", symbol, "1Day");
            Assert.True(Directory.Exists(snapshots) && Directory.EnumerateFiles(snapshots, "*.parquet", SearchOption.AllDirectories).Any(),
                $"no Parquet snapshot for {symbol} under {snapshots}");
        }

        var (againCode, againOutput, againErr) = await Run(env, [.. common, .. dal, "--out", againDir]);

        Assert.True(againCode == 0, againErr);
        Assert.Contains("warning: IBM, SPY bars served by alphavantage (cache: full)", againErr);
        Assert.Equal(2, _fakes.AlphaVantage.RequestCount);

        // The fake serves the bundled daily rows, so the vendor run must be the bundled run (the vendor's prices carry four
        // decimals where the CSV has two, so values are compared, not text).
        var (bundledCode, _, bundledErr) = await Run(env, [.. common, "--out", bundledDir]);
        Assert.True(bundledCode == 0, bundledErr);
        foreach (var dir in new[] { firstDir, againDir })
        {
            foreach (var file in new[] { "trades.csv", "equity.csv" })
            {
                Assert.Equal(Values(Path.Combine(bundledDir, file)), Values(Path.Combine(dir, file)));
            }

            Assert.Equal(FinalEquity(bundledDir), FinalEquity(dir));
        }

        Assert.True(File.ReadAllLines(Path.Combine(firstDir, "trades.csv")).Length > 5);
    }

    [Fact]
    public async Task A_member_the_vendor_does_not_know_fails_as_a_single_run_does_and_writes_nothing()
    {
        var env = Environment();
        string[] dal = ["--strategy", "breakout", "--start", "2016-01-01", "--end", "2019-12-31",
            "--use-probabilistic", "--dal-vendor", "alphavantage", "--dal-interval", "1Day"];
        var outDir = Path.Combine(_fakes.Root, "bad");

        var (singleCode, _, singleErr) = await Run(env, ["backtest", "--symbol", "ZZZZ", .. dal, "--out", outDir]);
        var (code, output, err) = await Run(env, ["backtest", "--symbols", "IBM,ZZZZ", .. dal, "--out", outDir]);

        Assert.Equal(ExitCodes.BadInput, singleCode);
        Assert.Equal(singleCode, code);
        var line = Assert.Single(err.TrimEnd().Split('\n'));
        Assert.Equal(singleErr.TrimEnd(), line);
        Assert.StartsWith("error: no vendor could serve ZZZZ 1Day bars", line);
        Assert.Contains("alphavantage [NotFound]", line);
        Assert.Contains("fix: check the symbol", line);
        Assert.DoesNotContain(_fakes.AlphaVantage.ApiKey, line);
        Assert.Equal(string.Empty, output);
        Assert.False(Directory.Exists(outDir));
    }

    private Dictionary<string, string?> Environment()
    {
        var env = _fakes.Environment();
        // Only Alpha Vantage: a member it cannot serve must fail, not be served by the Yahoo fake's (other) bars.
        env["AITRADER_VENDOR_CHAIN"] = "alphavantage";
        return env;
    }

    private static async Task<(int Code, string Out, string Err)> Run(IDictionary<string, string?> env, string[] args)
    {
        using (PlatformEnvironment.Use(new Dictionary<string, string?>(env)))
        {
            return await CliRunner.Run(args);
        }
    }

    /// <summary>A CSV's cells with numbers as decimals, whose equality ignores the scale (321.86 == 321.8600).</summary>
    private static List<List<object>> Values(string path) =>
        File.ReadLines(path)
            .Select(line => line.Split(',')
                .Select(cell => decimal.TryParse(cell, NumberStyles.Number, CultureInfo.InvariantCulture, out var d) ? (object)d : cell)
                .ToList())
            .ToList();

    private static decimal FinalEquity(string dir)
    {
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")));
        return summary.RootElement.GetProperty("final_equity").GetDecimal();
    }
}
