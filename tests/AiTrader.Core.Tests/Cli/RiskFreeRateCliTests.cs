using System.Globalization;
using System.Text.Json;
using AiTrader.Cli;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Cli;

/// <summary><c>--risk-free-rate</c> on <c>aitrader backtest</c> (single symbol and portfolio): the rate reaches the
/// metrics, shows in every output, and bad values are usage errors.</summary>
[Trait("Category", "Cli")]
public sealed class RiskFreeRateCliTests : IDisposable
{
    private readonly string _tmp = Path.Combine(Path.GetTempPath(), "aitrader-rfr-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_tmp))
        {
            Directory.Delete(_tmp, recursive: true);
        }
    }

    [Fact]
    public async Task Backtest_sharpe_is_the_hand_computed_excess_return_sharpe_of_its_equity_csv()
    {
        var none = await Backtest("none", "--symbol", "SPY");
        var fraction = await Backtest("fraction", "--symbol", "SPY", "--risk-free-rate", "0.05");
        var percent = await Backtest("percent", "--symbol", "SPY", "--risk-free-rate", "5%");

        Assert.Equal(0.0, none.Summary.GetProperty("risk_free_rate").GetDouble());
        Assert.Equal(0.05, fraction.Summary.GetProperty("risk_free_rate").GetDouble());
        Assert.Equal(0.05, percent.Summary.GetProperty("risk_free_rate").GetDouble());

        var sharpe0 = none.Summary.GetProperty("sharpe").GetDouble();
        var sharpe5 = fraction.Summary.GetProperty("sharpe").GetDouble();
        Assert.Equal(HandSharpe(none.Dir, 0.0), sharpe0, 9);
        Assert.Equal(HandSharpe(fraction.Dir, 0.05), sharpe5, 9);
        Assert.True(sharpe5 < sharpe0, $"Sharpe at 5% ({sharpe5}) should be below Sharpe at 0 ({sharpe0})");
        Assert.Equal(sharpe5, percent.Summary.GetProperty("sharpe").GetDouble());
        Assert.True(fraction.Summary.GetProperty("sortino").GetDouble() < none.Summary.GetProperty("sortino").GetDouble());
        // The rate moves the ratios only: the trades and the equity are the same run.
        Assert.Equal(none.Summary.GetProperty("final_equity").GetDecimal(), fraction.Summary.GetProperty("final_equity").GetDecimal());

        AssertTableRow(fraction.Output, "5.00%");
        AssertTableRow(none.Output, "0.00%");
        Assert.Contains(HtmlRow("5.00%"), File.ReadAllText(Path.Combine(fraction.Dir, "report.html")));
        Assert.Contains(HtmlRow("0.00%"), File.ReadAllText(Path.Combine(none.Dir, "report.html")));
    }

    [Fact]
    public async Task Portfolio_backtest_measures_the_account_and_the_benchmark_against_the_rate()
    {
        string[] portfolio = ["--symbols", "IBM,AAPL", "--benchmark", "SPY"];
        var none = await Backtest("p-none", portfolio);
        var four = await Backtest("p-four", [.. portfolio, "--risk-free-rate", "4%"]);

        Assert.Equal(0.04, four.Summary.GetProperty("risk_free_rate").GetDouble());
        var sharpe0 = none.Summary.GetProperty("sharpe").GetDouble();
        var sharpe4 = four.Summary.GetProperty("sharpe").GetDouble();
        Assert.Equal(HandSharpe(none.Dir, 0.0), sharpe0, 9);
        Assert.Equal(HandSharpe(four.Dir, 0.04), sharpe4, 9);
        Assert.True(sharpe4 < sharpe0, $"Sharpe at 4% ({sharpe4}) should be below Sharpe at 0 ({sharpe0})");

        // The benchmark's buy-and-hold Sharpe falls too, and alpha moves by rf·(1 − β) a day (β ≠ 1 here).
        var bench0 = none.Summary.GetProperty("benchmark");
        var bench4 = four.Summary.GetProperty("benchmark");
        Assert.True(bench4.GetProperty("sharpe").GetDouble() < bench0.GetProperty("sharpe").GetDouble());
        Assert.NotEqual(bench0.GetProperty("alpha").GetDouble(), bench4.GetProperty("alpha").GetDouble());
        Assert.Equal(bench0.GetProperty("beta").GetDouble(), bench4.GetProperty("beta").GetDouble(), 12);

        AssertTableRow(four.Output, "4.00%");
        Assert.Contains(HtmlRow("4.00%"), File.ReadAllText(Path.Combine(four.Dir, "report.html")));
    }

    public static TheoryData<string, string> BadRates()
    {
        string[] commands =
        [
            "backtest --symbol SPY",
            "backtest --symbols SPY,IBM",
            "sweep --symbol SPY --grid lookback=10",
            "sweep --symbol SPY --grid lookback=10 --walk-forward",
        ];
        // Not a number, NaN, infinite, at or below −100%, above 100% (4 almost always means 4%).
        string[] rates = ["abc", "", "NaN", "Infinity", "5%%", "-1", "-100%", "-150%", "1.5", "4", "101%"];
        var data = new TheoryData<string, string>();
        foreach (var command in commands)
        {
            foreach (var rate in rates)
            {
                data.Add(command, rate);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BadRates))]
    public async Task A_bad_rate_is_one_line_naming_the_flag_and_the_fix_with_exit_code_2(string command, string rate)
    {
        var (code, output, err) = await CliRunner.Run([.. command.Split(' '), "--risk-free-rate", rate, "--out", Path.Combine(_tmp, "bad")]);

        Assert.Equal(ExitCodes.BadInput, code);
        var line = Assert.Single(err.Trim().Split('\n'));
        Assert.StartsWith("error: --risk-free-rate", line);
        Assert.Contains("0.04 or --risk-free-rate 4%", line);
        Assert.DoesNotContain("Exception", err);
        Assert.Equal("", output);
        Assert.False(Directory.Exists(Path.Combine(_tmp, "bad")));
    }

    [Theory]
    [InlineData("backtest")]
    [InlineData("sweep")]
    public async Task Help_lists_the_flag(string command)
    {
        var (code, output, _) = await CliRunner.Run(command, "--help");

        Assert.Equal(0, code);
        Assert.Contains("--risk-free-rate", output);
    }

    /// <summary>Sharpe of a run's equity.csv computed here, independently of the production code: one return per
    /// session date (daily bars: one row a date), the first against the initial capital of 100 000;
    /// (mean(r) − rf_d) / sample std(r) × √252 with rf_d = (1 + rf)^(1/252) − 1.</summary>
    internal static double HandSharpe(string runDir, double annualRate)
    {
        var closes = File.ReadLines(Path.Combine(runDir, "equity.csv")).Skip(1)
            .Select(line => line.Split(','))
            .Select(f => (Date: f[0][..10], Equity: decimal.Parse(f[1], CultureInfo.InvariantCulture)))
            .GroupBy(p => p.Date)
            .Select(g => g.Last().Equity)
            .ToList();
        var returns = new List<double>();
        var previous = 100_000m;
        foreach (var equity in closes)
        {
            returns.Add((double)(equity / previous - 1m));
            previous = equity;
        }

        var mean = returns.Sum() / returns.Count;
        var variance = returns.Sum(r => (r - mean) * (r - mean)) / (returns.Count - 1);
        var dailyRate = Math.Pow(1 + annualRate, 1.0 / 252) - 1;
        return (mean - dailyRate) / Math.Sqrt(variance) * Math.Sqrt(252);
    }

    private async Task<(string Dir, string Output, JsonElement Summary)> Backtest(string name, params string[] args)
    {
        var dir = Path.Combine(_tmp, name);
        var (code, output, err) = await CliRunner.Run(
            ["backtest", .. args, "--strategy", "breakout", "--start", "2012-01-01", "--end", "2019-12-31", "--out", dir]);
        Assert.True(code == 0, err);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")));
        return (dir, output, summary.RootElement.Clone());
    }

    // The CLI table is plain text when captured: "│ Risk-free rate            │       5.00% │".
    private static void AssertTableRow(string output, string value)
    {
        var row = Assert.Single(output.Split('\n'), l => l.Contains("Risk-free rate", StringComparison.Ordinal));
        Assert.Contains($" {value} ", row);
    }

    private static string HtmlRow(string value) => $"<th scope=\"row\">Risk-free rate</th><td>{value}</td>";
}
