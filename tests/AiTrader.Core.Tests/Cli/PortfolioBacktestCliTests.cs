using System.Globalization;
using System.Text.Json;
using AiTrader.Cli;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Cli;

public sealed class PortfolioBacktestCliTests : IDisposable
{
    private readonly string _tmp = Path.Combine(Path.GetTempPath(), "aitrader-portfolio-" + Guid.NewGuid().ToString("N"));

    public PortfolioBacktestCliTests() => Directory.CreateDirectory(_tmp);

    public void Dispose()
    {
        if (Directory.Exists(_tmp))
        {
            Directory.Delete(_tmp, recursive: true);
        }
    }

    [Fact]
    public async Task Symbols_run_on_one_account_and_write_portfolio_per_symbol_and_benchmark_sections()
    {
        var outDir = Path.Combine(_tmp, "run");
        var (code, output, err) = await CliRunner.Run("backtest", "--symbols", "AAPL,IBM,SPY,QQQ", "--strategy", "breakout",
            "--start", "2005-01-01", "--max-symbol-weight", "0.25", "--max-gross-exposure", "1.0", "--out", outDir);
        Assert.True(code == 0, err);
        Assert.Contains("per symbol", output);
        Assert.Contains("Information ratio", output);

        var trades = File.ReadAllLines(Path.Combine(outDir, "trades.csv"));
        Assert.Equal("symbol,side,quantity,entry_time,entry_price,exit_time,exit_price,pnl,fees,exit_reason", trades[0]);
        var rows = trades.Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(["AAPL", "IBM", "QQQ", "SPY"], rows.Select(r => r[0]).Distinct().Order());

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        var root = summary.RootElement;
        var initial = root.GetProperty("initial_capital").GetDecimal();
        var final = root.GetProperty("final_equity").GetDecimal();
        var sumPnl = rows.Sum(r => decimal.Parse(r[7], CultureInfo.InvariantCulture));
        Assert.Equal(Math.Round(initial + sumPnl, 2), Math.Round(final, 2));
        var lastEquity = decimal.Parse(File.ReadLines(Path.Combine(outDir, "equity.csv")).Last().Split(',')[1], CultureInfo.InvariantCulture);
        Assert.Equal(Math.Round(final, 2), Math.Round(lastEquity, 2));

        var portfolio = root.GetProperty("portfolio");
        Assert.Equal(["AAPL", "IBM", "SPY", "QQQ"], portfolio.GetProperty("symbols").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0.25m, portfolio.GetProperty("max_symbol_weight").GetDecimal());
        Assert.True(portfolio.GetProperty("lowest_cash").GetDecimal() >= 0m);

        var perSymbol = root.GetProperty("per_symbol").EnumerateArray().ToList();
        Assert.Equal(4, perSymbol.Count);
        foreach (var s in perSymbol)
        {
            var symbol = s.GetProperty("symbol").GetString();
            var own = rows.Where(r => r[0] == symbol).ToList();
            Assert.Equal(own.Count, s.GetProperty("trades").GetInt32());
            Assert.Equal(own.Sum(r => decimal.Parse(r[7], CultureInfo.InvariantCulture)), s.GetProperty("pnl").GetDecimal());
        }

        var benchmark = root.GetProperty("benchmark");
        Assert.Equal("SPY", benchmark.GetProperty("symbol").GetString());
        foreach (var key in new[] { "alpha", "beta", "tracking_error", "information_ratio", "total_return" })
        {
            Assert.Equal(JsonValueKind.Number, benchmark.GetProperty(key).ValueKind);
        }

        var html = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("Per symbol", html);
        Assert.Contains("<th>Symbol</th>", html);
        Assert.True(File.Exists(Path.Combine(outDir, "equity.png")));
    }

    [Fact]
    public async Task A_watchlist_skips_comments_and_blank_lines_and_the_benchmark_can_be_turned_off()
    {
        var list = Path.Combine(_tmp, "list.txt");
        File.WriteAllText(list, "# my list\nibm   # big blue\n\n  SPY\nIBM\n");
        var outDir = Path.Combine(_tmp, "wl");

        var (code, _, err) = await CliRunner.Run("backtest", "--watchlist", list, "--start", "2015-01-01", "--end", "2017-12-31",
            "--benchmark", "none", "--quiet", "--out", outDir);

        Assert.True(code == 0, err);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        Assert.Equal(["IBM", "SPY"], summary.RootElement.GetProperty("portfolio").GetProperty("symbols").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(JsonValueKind.Null, summary.RootElement.GetProperty("benchmark").ValueKind);
    }

    [Theory]
    [InlineData("--symbols AAPL,NOPE", "NOPE")]
    [InlineData("--symbol SPY --symbols AAPL,IBM", "not both")]
    [InlineData("--symbols AAPL --watchlist WATCHLIST", "not both")]
    [InlineData("--watchlist EMPTY", "has no symbols")]
    [InlineData("--watchlist MISSING", "does not exist")]
    [InlineData("--symbols ,", "lists no symbols")]
    [InlineData("--start 2005-01-01", "--symbols/--watchlist")]
    [InlineData("--symbols AAPL,IBM --max-symbol-weight 0", "--max-symbol-weight must be greater than 0")]
    [InlineData("--symbol SPY --max-gross-exposure 1", "portfolio runs")]
    [InlineData("--symbols AAPL,IBM --benchmark NOPE", "NOPE")]
    [InlineData("--symbols AAPL,IBM --risk-agent fractional_kelly", "--symbol only")]
    public async Task Bad_portfolio_input_gets_one_line_and_exit_code_2(string arguments, string expected)
    {
        var empty = Path.Combine(_tmp, "empty.txt");
        File.WriteAllText(empty, "# nothing here\n\n");
        var args = arguments.Replace("WATCHLIST", empty).Replace("EMPTY", empty).Replace("MISSING", Path.Combine(_tmp, "missing.txt"))
            .Split(' ');

        var (code, _, err) = await CliRunner.Run(["backtest", .. args, "--out", Path.Combine(_tmp, "bad")]);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'));
    }
}
