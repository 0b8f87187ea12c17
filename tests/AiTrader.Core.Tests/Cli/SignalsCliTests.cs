using AiTrader.Cli;
using AiTrader.Core.Tests.TestSupport;
using AiTrader.Storage.Signals;

namespace AiTrader.Core.Tests.Cli;

[Trait("Category", "Cli")]
public sealed class SignalsCliTests : IDisposable
{
    private const string RequiredHeader =
        "timestamp,close,filtered_price,velocity,price_variance,prob_up,regime,open,high,low,volume," +
        "sma_20,ema_20,atr_14,rsi_14,donchian_high_20,donchian_low_20,zscore_20,bb_upper_20,bb_lower_20";

    private readonly string _tmp = Path.Combine(Path.GetTempPath(), "aitrader-signals-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_tmp))
        {
            Directory.Delete(_tmp, recursive: true);
        }
    }

    [Fact]
    public async Task Signals_for_aapl_daily_writes_the_csv_and_prints_a_regime_summary()
    {
        var path = Path.Combine(_tmp, "aapl.csv");
        var (code, output, err) = await CliRunner.Run("signals", "--symbol", "AAPL", "--interval", "1Day", "--start", "2019-01-01", "--out", path);
        Assert.True(code == 0, err);

        var lines = File.ReadAllLines(path);
        Assert.StartsWith(RequiredHeader, lines[0]);
        Assert.StartsWith("2019-01-02T14:30:00Z,", lines[1]); // first session of 2019 (Jan 1 is a holiday)
        Assert.StartsWith("2021-03-31T", lines[^1]);
        // Earlier history warms the signals up, so the first written row already has every indicator and a regime.
        var first = lines[1].Split(',');
        Assert.All(first[..20], c => Assert.NotEqual(string.Empty, c));
        Assert.NotEqual("Unknown", first[6]);

        foreach (var regime in new[] { "TrendingUp", "TrendingDown", "Calm", "Volatile", "Unknown" })
        {
            Assert.Contains(regime, output);
        }

        Assert.Contains("current regime:", output);
        Assert.Contains("last prob_up:", output);
        Assert.Contains(path, output);
    }

    [Fact]
    public async Task Out_dash_writes_csv_to_stdout_and_the_summary_to_stderr()
    {
        var (code, output, err) = await CliRunner.Run("signals", "--symbol", "SPY", "--start", "2020-01-01", "--end", "2020-01-31", "--out", "-");
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith(RequiredHeader, lines[0]);
        Assert.Equal(1 + 21, lines.Length); // 21 sessions in January 2020
        Assert.Contains("current regime:", err);
    }

    [Fact]
    public async Task Parquet_output_holds_one_row_per_bar()
    {
        var path = Path.Combine(_tmp, "spy-5min.parquet");
        var (code, _, err) = await CliRunner.Run("signals", "--symbol", "SPY", "--interval", "5Min", "--out", path);
        Assert.True(code == 0, err);
        var rows = await ParquetSignalFile.ReadAsync(path);
        Assert.True(rows.Count > 500);
        Assert.Contains(rows, r => r.Vwap is not null);
        Assert.All(rows, r => Assert.Null(r.RegimeReason));

        var debugPath = Path.Combine(_tmp, "spy-5min-debug.parquet");
        (code, _, err) = await CliRunner.Run("signals", "--symbol", "SPY", "--interval", "5Min", "--out", debugPath, "--debug");
        Assert.True(code == 0, err);
        var explained = await ParquetSignalFile.ReadAsync(debugPath);
        Assert.Equal(rows.Count, explained.Count);
        Assert.All(explained, r => Assert.False(string.IsNullOrEmpty(r.RegimeReason)));
    }

    [Fact]
    public async Task The_regime_reason_column_comes_only_with_debug()
    {
        var (code, plain, err) = await CliRunner.Run("signals", "--symbol", "SPY", "--start", "2020-01-01", "--end", "2020-01-31", "--out", "-");
        Assert.True(code == 0, err);
        var (debugCode, explained, debugErr) = await CliRunner.Run("signals", "--symbol", "SPY", "--start", "2020-01-01", "--end", "2020-01-31", "--out", "-", "--debug");
        Assert.True(debugCode == 0, debugErr);

        var plainLines = plain.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var explainedLines = explained.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith(",kalman_warmup", plainLines[0], StringComparison.Ordinal);
        Assert.Equal(plainLines[0] + ",regime_reason", explainedLines[0]);
        Assert.Equal(plainLines.Length, explainedLines.Length);
        for (var i = 1; i < plainLines.Length; i++)
        {
            // The same row, then the classifier's sentence (for example "prob_up 0.91 >= 0.80 enter threshold").
            Assert.StartsWith(plainLines[i] + ",", explainedLines[i], StringComparison.Ordinal);
            Assert.Contains("prob_up", explainedLines[i][(plainLines[i].Length + 1)..], StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("signals --symbol NOPE", "NOPE")]
    [InlineData("signals --symbol AAPL --interval 7Min", "interval")]
    [InlineData("signals --symbol AAPL --start 2019-13-01", "YYYY-MM-DD")]
    [InlineData("signals --symbol AAPL --start 2020-01-01 --end 2019-01-01", "after")]
    [InlineData("signals --symbol AAPL --start 2030-01-01", "no 1Day bars")]
    [InlineData("signals --symbol AAPL --adjustment dividends", "split or raw")]
    [InlineData("signals --symbol AAPL --out signals.txt", ".csv or .parquet")]
    [InlineData("signals --interval 1Day", "--symbol")]
    public async Task Bad_input_gets_one_line_and_exit_code_2(string commandLine, string expected)
    {
        var (code, _, err) = await CliRunner.Run(commandLine.Split(' '));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.DoesNotContain("   at ", err);
    }
}
