using System.Globalization;
using System.Text.Json;
using AiTrader.Cli;
using AiTrader.Cli.Commands;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Cli;

[Trait("Category", "Cli")]
public sealed class CliTests : IDisposable
{
    private readonly string _tmp = Path.Combine(Path.GetTempPath(), "aitrader-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_tmp))
        {
            Directory.Delete(_tmp, recursive: true);
        }
    }

    [Theory]
    [InlineData("SPY")]
    [InlineData("AAPL")]
    public async Task Backtest_on_bundled_data_writes_three_files_and_books_pnl_to_the_cent(string symbol)
    {
        var (code, output, err) = await CliRunner.Run("backtest", "--symbol", symbol, "--start", "2005-01-01",
            "--strategy", "breakout", "--out", _tmp);
        Assert.True(code == 0, err);
        Assert.Contains("Sharpe", output);

        var trades = File.ReadAllLines(Path.Combine(_tmp, "trades.csv"));
        Assert.Equal("symbol,side,quantity,entry_time,entry_price,exit_time,exit_price,pnl,fees,exit_reason", trades[0]);
        Assert.True(trades.Length > 5, "expected several trades over 16 years");

        var equity = File.ReadAllLines(Path.Combine(_tmp, "equity.csv"));
        Assert.Equal("timestamp,equity", equity[0]);

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(_tmp, "summary.json")));
        var root = summary.RootElement;
        foreach (var key in new[] { "initial_capital", "final_equity", "total_return", "cagr", "sharpe", "sortino", "max_drawdown", "trades", "win_rate", "profit_factor" })
        {
            Assert.True(root.TryGetProperty(key, out _), $"summary.json lacks {key}");
        }

        var sumPnl = trades.Skip(1).Sum(l => decimal.Parse(l.Split(',')[7], CultureInfo.InvariantCulture));
        var initial = root.GetProperty("initial_capital").GetDecimal();
        var final = root.GetProperty("final_equity").GetDecimal();
        Assert.Equal(Math.Round(initial + sumPnl, 2), Math.Round(final, 2));
        Assert.Equal(trades.Length - 1, root.GetProperty("trades").GetInt32());

        // Last equity row is the final equity.
        var lastEquity = decimal.Parse(equity[^1].Split(',')[1], CultureInfo.InvariantCulture);
        Assert.Equal(Math.Round(final, 2), Math.Round(lastEquity, 2));
        Assert.True(root.GetProperty("max_drawdown").GetDouble() >= 0);
    }

    [Fact]
    public async Task Backtest_without_start_runs_the_whole_bundled_history_from_1998_under_the_nyse_calendar()
    {
        // The bundled daily bars start on 1998-01-02; the session calendar must cover them (it once started in 2000
        // and refused the default run).
        var (code, _, err) = await CliRunner.Run("backtest", "--symbol", "SPY", "--strategy", "breakout", "--out", _tmp);
        Assert.True(code == 0, err);
        var equity = File.ReadAllLines(Path.Combine(_tmp, "equity.csv"));
        Assert.StartsWith("1998-01-02", equity[1]);
        var trades = File.ReadAllLines(Path.Combine(_tmp, "trades.csv")).Skip(1).ToList();
        Assert.Contains(trades, t => t.Split(',')[3].StartsWith("1998", StringComparison.Ordinal) || t.Split(',')[3].StartsWith("1999", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bench_json_has_bars_per_second_and_a_table_has_allocations_for_each_workload()
    {
        // Figures on a tiny series mean nothing; this checks the command's shape, not the speed.
        var (code, output, err) = await CliRunner.Run("bench", "--bars", "3000", "--runs", "1", "--json", "--in-process",
            "--only", "raw_pass,breakout,momentum,sweep_cell");
        Assert.True(code == 0, err);
        using var json = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        Assert.Equal(["raw_pass", "breakout", "momentum", "sweep_cell"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.All(json.RootElement.EnumerateObject(), p => Assert.True(p.Value.GetDouble() > 0, p.Name));
        // A long run says what it is doing, on the stderr it was given (stdout stays one JSON object).
        Assert.Contains("generating 3,000 synthetic 1-minute bars", err);
        Assert.Contains("running breakout...", err);
        Assert.Single(output.Trim().Split('\n'));

        (code, output, err) = await CliRunner.Run("bench", "--bars", "3000", "--runs", "2", "--in-process", "--only", "engine");
        Assert.True(code == 0, err);
        Assert.Contains("engine", output);
        Assert.Contains("alloc bytes/bar", output);
    }

    [Fact]
    public async Task A_volume_cap_splits_minute_bar_orders_and_orders_csv_shows_it()
    {
        // SPY minute bars trade tens of thousands of shares; 0.01% of that is a handful, so entries of hundreds of
        // shares must fill in pieces, and the pieces add up in orders.csv and trades.csv.
        var (code, _, err) = await CliRunner.Run("backtest", "--symbol", "SPY", "--interval", "1Min", "--strategy", "breakout",
            "--max-volume-share", "0.0001", "--out", _tmp);
        Assert.True(code == 0, err);

        var orders = File.ReadAllLines(Path.Combine(_tmp, "orders.csv"));
        Assert.Equal(OrderLogWriter.Header, orders[0]);
        var rows = orders.Skip(1).Select(l => l.Split(',')).ToArray();
        var entries = rows.Where(r => r[3] == "market" && r[2] == "buy").ToArray();
        Assert.NotEmpty(entries);
        // Some entry was cut by the cap: it filled less than asked, or its rest was cancelled at the session end.
        Assert.Contains(entries, r => decimal.Parse(r[7], CultureInfo.InvariantCulture) < decimal.Parse(r[4], CultureInfo.InvariantCulture)
            || r[9] == "partially_filled_cancelled");
        Assert.All(rows, r => Assert.True(decimal.Parse(r[7], CultureInfo.InvariantCulture) <= decimal.Parse(r[4], CultureInfo.InvariantCulture)
            || r[3] == "stop"));

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(_tmp, "summary.json")));
        var trades = File.ReadAllLines(Path.Combine(_tmp, "trades.csv")).Skip(1).ToArray();
        var sumPnl = trades.Sum(l => decimal.Parse(l.Split(',')[7], CultureInfo.InvariantCulture));
        Assert.Equal(summary.RootElement.GetProperty("initial_capital").GetDecimal() + sumPnl,
            summary.RootElement.GetProperty("final_equity").GetDecimal());
    }

    [Theory]
    [InlineData("backtest --symbol NOPE --start 2005-01-01", "NOPE")]
    [InlineData("backtest --symbol SPY --strategy nosuch", "nosuch")]
    [InlineData("backtest --symbol SPY --start 2010-01-01 --end 2009-01-01", "after")]
    [InlineData("backtest --symbol SPY --start 2030-01-01", "no 1Day bars")]
    [InlineData("backtest --symbol SPY --start 2010-13-01", "YYYY-MM-DD")]
    [InlineData("backtest --symbol SPY --interval 7Min", "interval")]
    [InlineData("backtest --symbol SPY --adjustment dividends", "split or raw")]
    [InlineData("backtest --symbol SPY --bogus", "--bogus")]
    [InlineData("bench --runs 0", "--runs 0 is out of range")]
    [InlineData("bench --only nope", "unknown workload 'nope'")]
    [InlineData("bench --bars 10", "--bars 10 is too small")]
    [InlineData("calendar --from 2024-02-01 --to 2024-01-01", "after")]
    [InlineData("calendar --start 2024-02-01 --end 2024-01-01", "after")]
    [InlineData("calendar --from 1990-01-01 --to 1990-02-01", "--start 1990-01-01 is outside the NYSE calendar")]
    [InlineData("calendar --start 2024-01-01", "--end is required")]
    [InlineData("backtest --symbol SPY --capital abc", "--capital 'abc' is not a number")]
    [InlineData("watchlist build --bogus", "(see 'aitrader watchlist build --help')")]
    [InlineData("apikey revoke", "(see 'aitrader apikey revoke --help')")]
    [InlineData("backtest --symbol SPY --out /proc/aitrader-x", "cannot write in /proc")]
    [InlineData("backtest --symbol SPY --max-volume-share 0", "--max-volume-share")]
    [InlineData("backtest --symbol SPY --max-volume-share 1.5", "(0, 1]")]
    public async Task Bad_input_gets_one_line_and_exit_code_2(string commandLine, string expected)
    {
        var (code, _, err) = await CliRunner.Run(commandLine.Split(' '));
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(expected, err);
        Assert.Single(err.Trim().Split('\n'));
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public async Task Calendar_outside_its_years_prints_no_header_before_the_error()
    {
        var (code, output, err) = await CliRunner.Run("calendar", "--start", "1990-01-01", "--end", "1990-02-01");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", output);
        Assert.DoesNotContain("(Parameter", err);
        Assert.DoesNotContain("Actual value", err);
    }

    [Fact]
    public async Task Calendar_takes_start_and_end_like_every_other_command_and_from_to_still_work()
    {
        var (code, output, err) = await CliRunner.Run("calendar", "--start", "2024-07-01", "--end", "2024-07-05");
        Assert.True(code == 0, err);
        var (oldCode, oldOutput, _) = await CliRunner.Run("calendar", "--from", "2024-07-01", "--to", "2024-07-05");
        Assert.Equal(0, oldCode);
        Assert.Equal(output, oldOutput);
        Assert.Equal(1 + 4, output.Trim().Split('\n').Length); // July 4 closed
    }

    [Fact]
    public async Task Calendar_prints_utc_sessions_for_2024()
    {
        var (code, output, err) = await CliRunner.Run("calendar", "--from", "2024-01-01", "--to", "2024-12-31");
        Assert.True(code == 0, err);
        var lines = output.Trim().Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        Assert.Equal(CalendarCommand.Header, lines[0]);
        Assert.Equal(252 + 1, lines.Length); // NYSE published 252 trading days in 2024
        Assert.Equal("2024-01-02,2024-01-02T09:00:00Z,2024-01-02T14:30:00Z,2024-01-02T21:00:00Z,2024-01-03T01:00:00Z", lines[1]);
        // Early close the day after Thanksgiving: 13:00 EST = 18:00Z.
        Assert.Contains("2024-11-29,2024-11-29T09:00:00Z,2024-11-29T14:30:00Z,2024-11-29T18:00:00Z,", output);
        // Summer (EDT): 09:30 = 13:30Z; Juneteenth and July 4 closed.
        Assert.Contains("2024-07-03,2024-07-03T08:00:00Z,2024-07-03T13:30:00Z,2024-07-03T17:00:00Z,", output);
        Assert.DoesNotContain("2024-06-19,", output);
        Assert.DoesNotContain("2024-07-04,", output);
    }
}
