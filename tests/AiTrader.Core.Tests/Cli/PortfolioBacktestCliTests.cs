using System.Globalization;
using System.Text.Json;
using AiTrader.Cli;
using AiTrader.Cli.Commands;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Cli;

[Trait("Category", "Cli")]
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
            "--start", "2005-01-01", "--max-symbol-weight", "0.25", "--max-gross-exposure", "1.0", "--out", outDir, "--png");
        Assert.True(code == 0, err);
        Assert.Contains("per symbol", output);
        Assert.Contains("Information ratio", output);

        // Every file the README lists for a run (with --png) is there for a portfolio too.
        foreach (var file in new[] { "trades.csv", "orders.csv", "fills.csv", "equity.csv", "summary.json", "report.html", "equity.png", "price.png" })
        {
            Assert.True(File.Exists(Path.Combine(outDir, file)), $"a portfolio run wrote no {file}");
        }

        Assert.True(File.ReadAllLines(Path.Combine(outDir, "orders.csv")).Length > 1, "orders.csv has no orders");

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

    [Fact]
    public async Task Kelly_sizing_runs_on_a_portfolio_and_debug_writes_each_symbols_csvs_in_its_own_folder()
    {
        var outDir = Path.Combine(_tmp, "kelly");
        var (code, _, err) = await CliRunner.Run("backtest", "--symbols", "AAPL,IBM,SPY", "--strategy", "momentum",
            "--start", "2010-01-01", "--end", "2020-12-31", "--risk-agent", "fractional_kelly", "--risk-agent-fraction", "0.5",
            "--debug", "--quiet", "--out", outDir);
        Assert.True(code == 0, err);

        // Same file names as a single-symbol run, one folder per symbol; none at the top.
        Assert.False(File.Exists(Path.Combine(outDir, BacktestDebugDumps.EntriesFileName)));
        Assert.False(File.Exists(Path.Combine(outDir, BacktestDebugDumps.SignalsFileName)));
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "summary.json")));
        var bars = summary.RootElement.GetProperty("per_symbol").EnumerateArray()
            .ToDictionary(s => s.GetProperty("symbol").GetString()!, s => s.GetProperty("bars").GetInt32());
        var learned = 0;
        var ids = new List<string>();
        foreach (var symbol in new[] { "AAPL", "IBM", "SPY" })
        {
            var entries = File.ReadAllLines(Path.Combine(outDir, symbol, BacktestDebugDumps.EntriesFileName));
            Assert.Equal(BacktestDebugDumps.EntriesHeader, entries[0]);
            Assert.True(entries.Length > 10, $"{symbol}: {entries.Length - 1} orders");
            Assert.All(entries.Skip(1), row => Assert.Equal(symbol, row.Split(',')[1]));
            Assert.StartsWith("o", entries[1].Split(',')[7], StringComparison.Ordinal); // one exchange numbers every symbol's orders
            ids.AddRange(entries.Skip(1).Select(row => row.Split(',')[7]));
            Assert.Contains(entries, row => row.Contains("size: kelly: b missing, fell back to fixed 1% risk", StringComparison.Ordinal));
            learned += entries.Count(row => row.Contains(" (trades) → f* ", StringComparison.Ordinal));

            var signals = File.ReadAllLines(Path.Combine(outDir, symbol, BacktestDebugDumps.SignalsFileName));
            Assert.Equal(BacktestDebugDumps.SignalsHeader, signals[0]);
            Assert.Equal(bars[symbol], signals.Length - 1);
        }

        Assert.True(learned > 0, "no entry was sized from a symbol's own trades");
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var trades = File.ReadAllLines(Path.Combine(outDir, "trades.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        var sumPnl = trades.Sum(r => decimal.Parse(r[7], CultureInfo.InvariantCulture));
        var final = summary.RootElement.GetProperty("final_equity").GetDecimal();
        Assert.Equal(Math.Round(100_000m + sumPnl, 2), Math.Round(final, 2));
        Assert.True(summary.RootElement.GetProperty("portfolio").GetProperty("lowest_cash").GetDecimal() >= 0m);
    }

    [Theory]
    [InlineData("--debug-entries", true, false)]
    [InlineData("--debug-signals", false, true)]
    public async Task Each_debug_flag_writes_only_its_own_csv_per_symbol(string flag, bool entries, bool signals)
    {
        var outDir = Path.Combine(_tmp, flag.TrimStart('-'));
        var (code, _, err) = await CliRunner.Run("backtest", "--symbols", "IBM,SPY", "--start", "2019-01-01", "--end", "2019-12-31",
            flag, "--quiet", "--out", outDir);
        Assert.True(code == 0, err);

        foreach (var symbol in new[] { "IBM", "SPY" })
        {
            Assert.Equal(entries, File.Exists(Path.Combine(outDir, symbol, BacktestDebugDumps.EntriesFileName)));
            Assert.Equal(signals, File.Exists(Path.Combine(outDir, symbol, BacktestDebugDumps.SignalsFileName)));
        }
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
    [InlineData("--symbols AAPL,IBM --risk-agent optimal_f", "--risk-agent 'optimal_f' is not known; use fractional_kelly.")]
    [InlineData("--symbols AAPL,IBM --risk-agent fractional_kelly --risk-agent-fraction 0", "--risk-agent-fraction must be in (0, 1] (got 0).")]
    [InlineData("--symbols AAPL,IBM --risk-agent fractional_kelly --risk-agent-fraction 1.5", "--risk-agent-fraction must be in (0, 1] (got 1.5).")]
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

    [Fact]
    public void The_portfolio_price_chart_is_titled_with_the_benchmark_it_draws_not_the_members()
    {
        var info = new AiTrader.Core.Backtesting.BacktestRunInfo("AAPL,IBM,SPY,QQQ", "breakout", "1Day",
            new DateTime(2005, 1, 3, 21, 0, 0, DateTimeKind.Utc), new DateTime(2021, 3, 31, 20, 0, 0, DateTimeKind.Utc), "split",
            new Dictionary<string, string>(), []);

        var title = PortfolioBacktestRunner.PriceChartTitle(info, new AiTrader.Core.Domain.Symbol("SPY"), []);
        Assert.StartsWith("SPY (benchmark of the portfolio) · buy-and-hold · 1Day", title);
        Assert.DoesNotContain("AAPL", title);

        var none = PortfolioBacktestRunner.PriceChartTitle(info, null, []);
        Assert.Contains("no benchmark (--benchmark none), so no price line", none);
    }
}
