using System.Globalization;
using AiTrader.Cli;
using AiTrader.Cli.Commands;
using AiTrader.Integration.Tests.TestSupport;
using AiTrader.MarketData.Dal;
using static AiTrader.Integration.Tests.Dal.DalFakes;

namespace AiTrader.Integration.Tests.Dal;

/// <summary><c>aitrader fetch</c> end to end through <see cref="AiTraderApp.RunAsync"/>, with the environment injected per test.</summary>
public sealed class FetchCommandTests : IAsyncLifetime
{
    private DalFakes _fakes = null!;

    public async Task InitializeAsync() => _fakes = await StartAsync();

    public async Task DisposeAsync() => await _fakes.DisposeAsync();

    private static async Task<(int Code, string Out, string Err)> Run(IDictionary<string, string?> env, params string[] args)
    {
        using (FetchCommand.UseEnvironment(new Dictionary<string, string?>(env)))
        {
            return await CliRunner.Run(args);
        }
    }

    [Fact]
    public async Task Fetch_from_alpha_vantage_prints_the_summary_writes_csv_and_then_hits_the_cache()
    {
        var env = _fakes.Environment();
        var outFile = Path.Combine(_fakes.Root, "out", "spy.csv");
        string[] args = ["fetch", "--symbol", "spy", "--interval", "1Min", "--vendor", "alphavantage",
            "--start", "2013-10-07", "--end", "2013-10-08", "--out", outFile];

        var (code, output, err) = await Run(env, args);

        Assert.True(code == 0, err);
        Assert.Equal(string.Empty, err);
        var expectedRows = Session(Monday).Count + Session(Tuesday).Count;
        Assert.Contains($"rows         │ {expectedRows}", output);
        Assert.Contains("vendor       │ alphavantage", output);
        Assert.Contains("cache        │ miss", output);
        Assert.Contains("dropped bars │ 0", output);
        Assert.DoesNotContain(_fakes.AlphaVantage.ApiKey, output);

        var lines = await File.ReadAllLinesAsync(outFile);
        Assert.Equal("timestamp,open,high,low,close,volume", lines[0]);
        Assert.Equal(expectedRows + 1, lines.Length);
        var firstBar = Session(Monday)[0];
        Assert.Equal(
            string.Create(CultureInfo.InvariantCulture, $"2013-10-07T13:30:00Z,{firstBar.Open},{firstBar.High},{firstBar.Low},{firstBar.Close},{firstBar.Volume}"),
            lines[1]);
        var firstBytes = await File.ReadAllBytesAsync(outFile);
        var requests = _fakes.AlphaVantage.RequestCount;

        var (again, output2, err2) = await Run(env, args);

        Assert.True(again == 0, err2);
        Assert.Contains("cache        │ hit (no request)", output2);
        Assert.Equal(requests, _fakes.AlphaVantage.RequestCount);
        Assert.Equal(firstBytes, await File.ReadAllBytesAsync(outFile));
    }

    [Fact]
    public async Task Fetch_reports_the_fallback_vendor_and_the_failed_attempt()
    {
        _fakes.AlphaVantage.Mode = Vendors.Fakes.FakeMode.Unauthorized;

        var (code, output, err) = await Run(_fakes.Environment(), "fetch", "--symbol", "SPY", "--interval", "1Min",
            "--vendor", "alphavantage", "--start", "2013-10-07", "--end", "2013-10-07");

        Assert.True(code == 0, err);
        Assert.Contains("vendor       │ yahoo", output);
        Assert.Contains("alphavantage (Unauthorized) → yahoo", output);
        Assert.Contains("fallback: alphavantage:", err); // on stderr, as warnings are
        Assert.DoesNotContain(_fakes.AlphaVantage.ApiKey, output + err);
    }

    [Fact]
    public async Task Fetch_without_the_named_vendors_key_exits_2_naming_the_variable()
    {
        var (code, output, err) = await Run(_fakes.Environment(alphaVantageKey: false), "fetch", "--symbol", "AAPL",
            "--interval", "5Min", "--vendor", "alphavantage", "--start", "2024-01-02", "--end", "2024-01-31");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("error: ALPHAVANTAGE_API_KEY is not set; set it or use --vendor sample", err.TrimEnd());
        Assert.Equal(string.Empty, output);
        Assert.Equal(0, _fakes.AlphaVantage.RequestCount);
    }

    [Fact]
    public async Task Fetch_without_any_key_uses_the_sample_data_and_warns()
    {
        var outFile = Path.Combine(_fakes.Root, "sample.csv");
        var (code, output, err) = await Run(_fakes.Environment(alphaVantageKey: false, twelveDataKey: false), "fetch",
            "--symbol", "SPY", "--interval", "1Day", "--start", "2013-10-07", "--end", "2013-10-11", "--out", outFile);

        Assert.True(code == 0, err);
        Assert.Contains("vendor       │ sample", output);
        Assert.Contains("not cached (local data)", output);
        Assert.Contains("warning: no ALPHAVANTAGE_API_KEY set; using the bundled sample data", err); // warnings on stderr
        Assert.Equal(6, (await File.ReadAllLinesAsync(outFile)).Length); // header + five sessions
    }

    [Theory]
    [InlineData("--start", "2013-13-01", "--start '2013-13-01' is not a date")]
    [InlineData("--end", "2013-10-01", "is after --end")]
    [InlineData("--vendor", "bloomberg", "unknown vendor (9 characters, not shown in case it is a key)")]
    [InlineData("--vendor", "pkz3n4b2qw8ryt5vxl1m", "unknown vendor (20 characters, not shown in case it is a key)")]
    [InlineData("--symbol", "ZZZZ", "unknown symbol 'ZZZZ'")]
    public async Task Bad_input_is_one_line_and_exit_2(string flag, string value, string expected)
    {
        var args = new Dictionary<string, string>
        {
            ["--symbol"] = "SPY",
            ["--start"] = "2013-10-07",
            ["--end"] = "2013-10-07",
            ["--vendor"] = flag == "--symbol" ? "sample" : "yahoo",
            ["--interval"] = "1Min",
        };
        args[flag] = value;
        if (flag == "--end")
        {
            args["--start"] = "2013-10-07";
        }

        var (code, _, err) = await Run(_fakes.Environment(), ["fetch", .. args.SelectMany(kv => new[] { kv.Key, kv.Value })]);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(expected, err);
        Assert.Single(err.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Every_vendor_rate_limited_or_failing_is_one_line_and_exit_75_retry_later()
    {
        _fakes.AlphaVantage.Mode = Vendors.Fakes.FakeMode.Http429;
        _fakes.AlphaVantage.RetryAfter = TimeSpan.Zero;
        _fakes.Yahoo.Mode = Vendors.Fakes.FakeMode.ServerError;
        var env = _fakes.Environment();
        env["AITRADER_VENDOR_CHAIN"] = "alphavantage,yahoo";

        var (code, output, err) = await Run(env, "fetch", "--symbol", "SPY", "--interval", "1Min", "--vendor", "alphavantage",
            "--start", "2013-10-07", "--end", "2013-10-07");

        Assert.Equal(ExitCodes.TempFail, code);
        Assert.Equal(75, ExitCodes.TempFail);
        var line = Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith("error: no vendor could serve SPY 1Min bars", line);
        Assert.Contains("alphavantage [RateLimited]", line);
        Assert.Contains("yahoo [ServerError]", line);
        Assert.EndsWith("; a temporary failure upstream, retry later.", line);
        Assert.DoesNotContain(_fakes.AlphaVantage.ApiKey, output + err);
    }

    [Fact]
    public async Task Unknown_symbol_at_every_vendor_is_one_line_listing_each_attempt_and_exit_2()
    {
        var env = _fakes.Environment();
        env["AITRADER_VENDOR_CHAIN"] = "yahoo";

        var (code, _, err) = await Run(env, "fetch", "--symbol", "ZZZZ", "--interval", "1Min", "--vendor", "yahoo",
            "--start", "2013-10-07", "--end", "2013-10-07");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith("error: no vendor could serve ZZZZ 1Min bars", err);
        Assert.Contains("yahoo [NotFound]", err);
        Assert.Single(err.TrimEnd().Split('\n'));
    }
}
