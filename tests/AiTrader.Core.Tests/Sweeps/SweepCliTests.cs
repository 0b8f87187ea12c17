using AiTrader.Cli;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Sweeps;

[Trait("Category", "Cli")]
[Collection(AiTrader.Core.Tests.Sweeps.CpuHeavyCollection.Name)]
public sealed class SweepCliTests : IDisposable
{
    private readonly string _tmp = Path.Combine(Path.GetTempPath(), "aitrader-sweep-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_tmp))
        {
            Directory.Delete(_tmp, recursive: true);
        }
    }

    [Fact]
    public async Task Sweep_on_bundled_spy_writes_a_ranked_csv_and_a_heatmap()
    {
        var (code, output, err) = await CliRunner.Run("sweep", "--strategy", "breakout", "--symbol", "SPY", "--start", "2012-01-01",
            "--grid", "lookback=10:30:10,atr_multiplier=2,3", "--top", "3", "--out", _tmp, "--png");

        Assert.True(code == 0, err);
        var csv = File.ReadAllLines(Path.Combine(_tmp, "sweep.csv"));
        Assert.Equal("lookback,atr_multiplier,trades,total_return,cagr,sharpe,sortino,max_drawdown,win_rate,profit_factor,final_equity,risk_free_rate", csv[0]);
        Assert.Equal(6, csv.Length - 1);
        Assert.True(File.Exists(Path.Combine(_tmp, "heatmap.svg")));
        Assert.True(File.Exists(Path.Combine(_tmp, "heatmap.html")));
        var png = AiTrader.Core.Tests.Reporting.PngTestDecoder.Decode(File.ReadAllBytes(Path.Combine(_tmp, "heatmap.png")));
        Assert.True(png.Width > 300 && png.Height > 100, $"{png.Width}x{png.Height}");
        Assert.Contains("6/6 backtests", err); // progress goes to standard error
        Assert.DoesNotContain("backtests", output);
        Assert.Contains("heatmap.svg", output);
        Assert.Contains(Path.Combine(_tmp, "heatmap.png"), output);
        Assert.Contains("ranked by", output);
    }

    [Fact]
    public async Task Sweep_output_is_the_same_on_one_core()
    {
        var one = Path.Combine(_tmp, "one");
        var all = Path.Combine(_tmp, "all");
        var args = new[] { "sweep", "--symbol", "SPY", "--start", "2015-01-01", "--grid", "lookback=10,20,k=2,3", "--rank-by", "calmar" };

        Assert.Equal(0, (await CliRunner.Run([.. args, "--parallelism", "1", "--out", one])).Code);
        Assert.Equal(0, (await CliRunner.Run([.. args, "--out", all])).Code);

        Assert.Equal(File.ReadAllBytes(Path.Combine(one, "sweep.csv")), File.ReadAllBytes(Path.Combine(all, "sweep.csv")));
        // Without --png: the heat map as SVG and HTML only.
        Assert.Equal(["heatmap.html", "heatmap.svg", "sweep.csv"], Directory.GetFiles(all).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Walk_forward_reports_out_of_sample_windows()
    {
        var (code, output, err) = await CliRunner.Run("sweep", "--symbol", "SPY", "--start", "2015-01-01", "--end", "2019-12-31",
            "--grid", "lookback=10,20", "--walk-forward", "--in-sample", "252", "--out-of-sample", "252", "--out", _tmp);

        Assert.True(code == 0, err);
        var windows = File.ReadAllLines(Path.Combine(_tmp, "walk_forward.csv"));
        Assert.StartsWith("window,is_start,is_end,oos_start,oos_end,lookback,is_sharpe,oos_trades,", windows[0]);
        Assert.Equal(4, windows.Length - 1);
        Assert.True(File.Exists(Path.Combine(_tmp, "oos_equity.csv")));
        Assert.True(File.Exists(Path.Combine(_tmp, "oos_metrics.csv")));
        Assert.Contains("out-of-sample", output);
    }

    [Theory]
    [InlineData("sweep --symbol SPY --grid lookback=10:x:5", "'x' is not a number")]
    [InlineData("sweep --symbol SPY --grid 10,20", "'10' comes before any parameter name")]
    [InlineData("sweep --symbol SPY --grid lookback=10 --rank-by sortino", "--rank-by")]
    [InlineData("sweep --symbol SPY --grid nosuch=1", "nosuch")]
    [InlineData("sweep --symbol SPY --grid lookback=0,10", "lookback=0")]
    [InlineData("sweep --symbol SPY --grid lookback=10 --parallelism 0", "--parallelism")]
    [InlineData("sweep --symbol SPY --grid lookback=10 --in-sample 100", "--walk-forward")]
    [InlineData("sweep --symbol SPY --grid lookback=10 --walk-forward --in-sample 100 --is-years 1", "not both")]
    [InlineData("sweep --symbol SPY --start 2020-01-01 --grid lookback=10 --walk-forward --in-sample 5000 --out-of-sample 10", "in-sample bars")]
    [InlineData("lookahead --symbol SPY --strategy nosuch", "nosuch")]
    [InlineData("lookahead --symbol SPY --cuts 0 --random-cuts 0", "--cuts")]
    public async Task Bad_input_gets_one_line_and_exit_code_2(string commandLine, string expected)
    {
        var (code, _, err) = await CliRunner.Run(commandLine.Split(' '));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'));
    }

    [Fact]
    public async Task Lookahead_on_breakout_exits_0()
    {
        var (code, output, err) = await CliRunner.Run("lookahead", "--strategy", "breakout", "--symbol", "SPY", "--start", "2010-01-01");

        Assert.True(code == 0, err + output);
        Assert.Contains("lookahead: none", output);
        Assert.Contains("warm-up bias: none", output);
        Assert.DoesNotContain("lookahead detected", output);
    }
}
