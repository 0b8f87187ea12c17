using System.Text.Json;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Backtesting.Portfolios;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Backtesting;

/// <summary>The output defects of issue 12, each found on a run a user would make.</summary>
[Trait("Category", "Cli")]
public sealed class OutputDefectTests : IDisposable
{
    private readonly string _tmp = Path.Combine(Path.GetTempPath(), "aitrader-i12-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_tmp))
        {
            Directory.Delete(_tmp, recursive: true);
        }
    }

    private static Bar B(string utc, decimal close) =>
        new(DateTime.Parse(utc, null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal),
            close, close, close, close, 1000m);

    [Fact]
    public void Minute_benchmark_buys_and_sells_in_the_regular_session_only()
    {
        // Monday 2013-10-07 (EDT): 08:00Z is 04:00 ET pre-market, 13:30Z the open, 19:59Z the last regular minute,
        // 21:30Z after-hours. Bought at the open's close (110) and valued at 19:59 (121): +10% exactly.
        var series = new BarSeries(new Symbol("SPY"), Timeframe.OneMinute,
            [B("2013-10-07T08:00:00Z", 100m), B("2013-10-07T13:30:00Z", 110m), B("2013-10-07T19:59:00Z", 121m), B("2013-10-07T21:30:00Z", 200m)], []);
        var curve = BuyAndHold.Curve(100_000m, series, calendar: NyseCalendar.Instance);
        Assert.Equal([new DateTime(2013, 10, 7, 13, 30, 0, DateTimeKind.Utc), new DateTime(2013, 10, 7, 19, 59, 0, DateTimeKind.Utc)],
            curve.Select(p => p.Timestamp));
        Assert.Equal(110_000m, curve[^1].Equity);

        var portfolio = new[] { new EquityPoint(curve[0].Timestamp, 100_000m, 0m), new EquityPoint(curve[^1].Timestamp, 100_000m, 0m) };
        var comparison = BenchmarkComparison.Compute(100_000m, portfolio, series, calendar: NyseCalendar.Instance);
        Assert.Equal(0.1, comparison.BuyAndHold.TotalReturn, 12);
    }

    [Fact]
    public void Annualized_figures_of_a_week_are_not_meaningful_instead_of_absurd()
    {
        // Seven sessions at +1.9% each: (1.019^7)^(252/7) − 1 is about 9.5e4 %, which is no growth rate.
        var equity = new List<EquityPoint>();
        var value = 100_000m;
        for (var d = 0; d < 7; d++)
        {
            value *= 1.019m;
            equity.Add(new EquityPoint(new DateTime(2013, 10, 7 + d, 20, 0, 0, DateTimeKind.Utc), value, 0m));
        }

        var metrics = PerformanceCalculator.Compute(100_000m, equity, []);
        Assert.False(metrics.AnnualizedMeaningful);
        var table = BacktestReportWriter.MetricsTable(metrics).ToDictionary(r => r.Name, r => r.Value);
        Assert.Equal("not meaningful (7 trading days)", table["CAGR"]);
        Assert.Equal("not meaningful (7 trading days)", table["Sharpe"]);
        Assert.Equal("not meaningful (7 trading days)", table["Calmar"]);

        var info = new BacktestRunInfo("SPY", "breakout", "1Day", null, null, "split", new Dictionary<string, string>(), []);
        using var json = JsonDocument.Parse(BacktestReportWriter.RenderSummaryJson(info, 100_000m, metrics, DateTime.UtcNow));
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("cagr").ValueKind);
        Assert.False(json.RootElement.GetProperty("annualized_meaningful").GetBoolean());

        // A year of sessions is annualized as before.
        Assert.True(PerformanceCalculator.Compute(100_000m, equity, [], new MetricsOptions(MinTradingDaysToAnnualize: 7)).AnnualizedMeaningful);
    }

    [Fact]
    public void Missing_sessions_are_found_against_the_calendar()
    {
        // 2013-10-07..11 with the 9th missing, then 2013-10-21: one session missing, then the 14th..18th (5).
        var bars = new[]
        {
            B("2013-10-07T13:30:00Z", 1m), B("2013-10-08T13:30:00Z", 1m), B("2013-10-10T13:30:00Z", 1m), B("2013-10-10T13:31:00Z", 1m),
            B("2013-10-11T13:30:00Z", 1m), B("2013-10-21T13:30:00Z", 1m),
        };
        var coverage = SessionGaps.Find(BarColumns.From(bars), NyseCalendar.Instance);
        Assert.Equal(5, coverage.SessionsWithBars);
        Assert.Equal(6, coverage.MissingSessions);
        Assert.Equal([new SessionGap(new DateOnly(2013, 10, 8), new DateOnly(2013, 10, 10), 1), new SessionGap(new DateOnly(2013, 10, 11), new DateOnly(2013, 10, 21), 5)],
            coverage.Gaps);
        Assert.Contains("6 session(s) of the NYSE calendar have no bars", coverage.Describe());

        var trade = new TradeRecord(new Symbol("SPY"), PositionSide.Long, 1m, bars[4].Timestamp, 1m, bars[5].Timestamp, 1m, 0m, 0m, "signal");
        var across = SessionGaps.TradesAcross([trade], coverage, minSessions: 5);
        Assert.Single(across);
        Assert.Equal(5, across[0].Gap.MissingSessions);
    }

    [Fact]
    public void Coverage_of_columns_equals_coverage_of_a_plain_list_across_midnights_and_daylight_saving()
    {
        // Columns skip from a date's first bar to the next date's by a binary search; a list visits every bar. Bars every
        // 7 minutes, around the clock, through 2013-11-03 (DST ends) with a hole of 9 days: New York midnights fall at
        // 04:00Z before and 05:00Z after, and bars land on either side of both.
        var bars = new List<Bar>();
        for (var t = new DateTime(2013, 10, 25, 0, 0, 0, DateTimeKind.Utc); t < new DateTime(2013, 11, 25, 0, 0, 0, DateTimeKind.Utc); t = t.AddMinutes(7))
        {
            if (t < new DateTime(2013, 11, 6, 4, 59, 0, DateTimeKind.Utc) || t >= new DateTime(2013, 11, 15, 5, 1, 0, DateTimeKind.Utc))
            {
                bars.Add(new Bar(t, 1m, 1m, 1m, 1m, 1m));
            }
        }

        var fromColumns = SessionGaps.Find(BarColumns.From(bars), NyseCalendar.Instance);
        var fromList = SessionGaps.Find(bars, NyseCalendar.Instance);
        Assert.Equal(fromList.SessionsWithBars, fromColumns.SessionsWithBars);
        Assert.Equal(fromList.MissingSessions, fromColumns.MissingSessions);
        Assert.Equal(fromList.Gaps, fromColumns.Gaps);
        // By hand: the last bar before the hole is before 04:59Z on the 6th, 23:59 ET on the 5th (EST), and the next is
        // after 00:01 ET on the 15th: sessions 6, 7, 8, 11, 12, 13 and 14 are missing (Veterans Day, the 11th, trades).
        Assert.Equal(7, fromColumns.MissingSessions);
        Assert.Equal([new SessionGap(new DateOnly(2013, 11, 5), new DateOnly(2013, 11, 15), 7)], fromColumns.Gaps);
    }

    [Fact]
    public async Task Spy_minute_backtest_reports_the_ten_year_gap_and_prints_no_absurd_cagr()
    {
        var (code, output, err) = await CliRunner.Run("backtest", "--symbol", "SPY", "--interval", "1Min", "--out", _tmp);
        Assert.True(code == 0, err);
        Assert.DoesNotContain("77849387257036400", output);
        Assert.Contains("not meaningful (7 trading days)", output);
        Assert.Contains("session(s) of the NYSE calendar have no bars", err); // warnings go to stderr
        Assert.Contains("held a position across a gap", err);

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(_tmp, "summary.json")));
        var coverage = summary.RootElement.GetProperty("data_coverage");
        Assert.True(coverage.GetProperty("missing_sessions").GetInt32() > 2000);
        Assert.Equal("2013-10-11", coverage.GetProperty("largest_gap").GetProperty("last_session_before").GetString());
        Assert.True(coverage.GetProperty("trades_across_gaps").GetInt32() >= 1);
        Assert.Contains(summary.RootElement.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("have no bars"));
        Assert.Contains("have no bars", File.ReadAllText(Path.Combine(_tmp, "report.html")));
    }

    [Fact]
    public async Task Summary_parameters_record_strategy_defaults_and_sizing_and_data_flags()
    {
        var (code, _, err) = await CliRunner.Run("backtest", "--symbol", "SPY", "--start", "2019-01-01", "--strategy", "breakout",
            "--param", "lookback=30", "--regime-aware-sizing", "--out", _tmp, "--quiet");
        Assert.True(code == 0, err);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(_tmp, "summary.json")));
        var parameters = summary.RootElement.GetProperty("parameters");
        Assert.Equal("30", parameters.GetProperty("lookback").GetString());
        foreach (var p in AiTrader.Core.Strategies.StrategyCatalog.Describe("breakout"))
        {
            Assert.True(parameters.TryGetProperty(p.Name, out _), $"parameters lack the default of {p.Name}");
        }

        Assert.Equal("true", parameters.GetProperty("regime_aware_sizing").GetString());
        Assert.Equal("none", parameters.GetProperty("risk_agent").GetString());
        Assert.Equal("csv", parameters.GetProperty("bar_source").GetString());
        Assert.Equal("none", parameters.GetProperty("dal_vendor").GetString());
    }

    [Fact]
    public void Fee_columns_print_with_one_precision()
    {
        Assert.Equal("1.0000", BacktestReportWriter.FormatFee(1.00m));
        Assert.Equal("2.7000", BacktestReportWriter.FormatFee(2.700m));
        Assert.Equal("0.00125", BacktestReportWriter.FormatFee(0.00125m));
        var trades = new[]
        {
            new TradeRecord(new Symbol("SPY"), PositionSide.Long, 540m, DateTime.UnixEpoch, 10m, DateTime.UnixEpoch.AddDays(1), 11m, 537.30m, 2.700m, "signal"),
            new TradeRecord(new Symbol("SPY"), PositionSide.Long, 100m, DateTime.UnixEpoch, 10m, DateTime.UnixEpoch.AddDays(1), 11m, 98.00m, 2.00m, "signal"),
        };
        var fees = BacktestReportWriter.RenderTradesCsv(trades).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => l.Split(',')[8]).ToArray();
        Assert.Equal(["2.7000", "2.0000"], fees);
    }

    [Fact]
    public void An_intraday_drawdown_still_open_at_the_end_is_under_a_day_not_zero_days()
    {
        // 2023-08-03, hourly: a new peak at 15:30Z (101,000), a dip to 100,500 at 18:30Z and the run ends under water.
        // Depth 1 - 100500/101000 = 0.4950...%; peak and trough share one date, so no whole day passed.
        var curve = new[]
        {
            new EquityPoint(new DateTime(2023, 8, 3, 13, 30, 0, DateTimeKind.Utc), 100_000m, 0m),
            new EquityPoint(new DateTime(2023, 8, 3, 15, 30, 0, DateTimeKind.Utc), 101_000m, 0m),
            new EquityPoint(new DateTime(2023, 8, 3, 18, 30, 0, DateTimeKind.Utc), 100_500m, 0m),
        };
        var m = PerformanceCalculator.Compute(100_000m, curve, []);
        Assert.Equal(1 - 100_500.0 / 101_000.0, m.MaxDrawdown, 12);
        Assert.Null(m.MaxDrawdownRecoveryDate);
        Assert.Equal(0, m.MaxDrawdownDurationDays);

        var rows = BacktestReportWriter.MetricsTable(m).ToDictionary(r => r.Name, r => r.Value);
        Assert.Equal("not recovered", rows["Max drawdown recovery"]);
        Assert.Equal("under 1 day", rows["Longest drawdown"]);

        // With no drawdown at all, zero days stays zero days.
        var flat = PerformanceCalculator.Compute(100_000m, curve[..2], []);
        Assert.Equal("0 days", BacktestReportWriter.MetricsTable(flat).Single(r => r.Name == "Longest drawdown").Value);
    }
}
