using System.Collections;
using System.Globalization;
using System.Text.Json;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Tests.IO;

namespace AiTrader.Core.Tests.Metrics;

public class BacktestReportWriterTests
{
    private const decimal Initial = 100_000m;
    private static readonly DateTime GeneratedAt = new(2024, 6, 1, 12, 0, 0, DateTimeKind.Utc);

    private static readonly BacktestRunInfo Info = new(
        "AAPL", "sma_cross", "1Day",
        new DateTime(2024, 1, 1), new DateTime(2024, 1, 31),
        "split",
        new Dictionary<string, string> { ["fast"] = "10", ["slow"] = "30" },
        ["3 bars missing on 2024-01-15"]);

    private static readonly TradeRecord LongTrade = new(
        new Symbol("AAPL"), PositionSide.Long, 10m,
        new DateTime(2024, 1, 2, 14, 30, 0, DateTimeKind.Utc), 185.6400m,
        new DateTime(2024, 1, 5, 21, 0, 0, DateTimeKind.Utc), 190.1200m,
        43.8000m, 1.0000m, ExitReasons.Signal);

    private static readonly TradeRecord ShortTrade = new(
        new Symbol("AAPL"), PositionSide.Short, 5m,
        new DateTime(2024, 1, 8, 14, 30, 0, DateTimeKind.Utc), 190m,
        new DateTime(2024, 1, 9, 21, 0, 0, DateTimeKind.Utc), 192.5m,
        -13.5m, 1m, ExitReasons.Stop);

    private static readonly IReadOnlyList<EquityPoint> Equity =
    [
        new(new DateTime(2024, 1, 2, 21, 0, 0, DateTimeKind.Utc), 100_010.00m, 0.0186m),
        new(new DateTime(2024, 1, 9, 21, 0, 0, DateTimeKind.Utc), 100_030.30m, 0m),
    ];

    private static (IReadOnlyList<TradeRecord> Trades, PerformanceMetrics Metrics) Sample()
    {
        IReadOnlyList<TradeRecord> trades = [LongTrade, ShortTrade];
        return (trades, PerformanceCalculator.Compute(Initial, Equity, trades));
    }

    [Fact]
    public void Writes_three_files_with_exact_headers_and_rows()
    {
        using var dir = new TempDirectory();
        var (trades, metrics) = Sample();

        var files = BacktestReportWriter.Write(dir.Path, Info, Initial, trades, Equity, metrics, new FixedClock());

        Assert.Equal(["equity.csv", "summary.json", "trades.csv"], dir.AllFileNames());
        var tradeLines = File.ReadAllLines(files.TradesCsv);
        Assert.Equal("symbol,side,quantity,entry_time,entry_price,exit_time,exit_price,pnl,fees,exit_reason", tradeLines[0]);
        Assert.Equal("AAPL,long,10,2024-01-02T14:30:00Z,185.6400,2024-01-05T21:00:00Z,190.1200,43.8000,1.0000,signal",
            tradeLines[1]);
        Assert.Equal("AAPL,short,5,2024-01-08T14:30:00Z,190,2024-01-09T21:00:00Z,192.5,-13.5,1.0000,stop", tradeLines[2]);
        Assert.Equal(3, tradeLines.Length);

        var equityLines = File.ReadAllLines(files.EquityCsv);
        Assert.Equal(["timestamp,equity", "2024-01-02T21:00:00Z,100010.00", "2024-01-09T21:00:00Z,100030.30"],
            equityLines);
    }

    [Fact]
    public void Equity_csv_string_is_the_header_and_the_string_formatters_rows()
    {
        // RenderEquityCsv decodes WriteEquityCsv's bytes: check it against the string formatters, edge cases included.
        var t = new DateTime(2024, 1, 2, 21, 0, 0, DateTimeKind.Utc);
        IReadOnlyList<EquityPoint> equity =
        [
            new(t, 100_010.00m, 0m),
            new(t.AddDays(1).AddSeconds(59), -0.0001m, 0m),
            new(t.AddDays(400), decimal.MaxValue, 0m),
            new(t.AddDays(401), -decimal.MaxValue / 3, 0m),
            new(t.AddDays(402), new decimal(0, 0, 0, true, 2), 0m), // negative zero, "0.00"
            new(DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc), 0m, 0m),
        ];

        var expected = BacktestReportWriter.EquityHeader + "\n" + string.Concat(equity.Select(p =>
            BacktestReportWriter.FormatTimestamp(p.Timestamp) + "," + BacktestReportWriter.FormatDecimal(p.Equity) + "\n"));
        Assert.Equal(expected, BacktestReportWriter.RenderEquityCsv(equity));
        Assert.Equal(BacktestReportWriter.EquityHeader + "\n", BacktestReportWriter.RenderEquityCsv([]));
    }

    [Fact]
    public void Summary_json_has_run_info_and_numeric_metrics_that_parse_back()
    {
        using var dir = new TempDirectory();
        var (trades, metrics) = Sample();

        var files = BacktestReportWriter.Write(dir.Path, Info, Initial, trades, Equity, metrics, new FixedClock());

        using var doc = JsonDocument.Parse(File.ReadAllText(files.SummaryJson));
        var root = doc.RootElement;
        foreach (var key in new[]
                 {
                     "initial_capital", "final_equity", "total_return", "cagr", "sharpe", "sortino", "max_drawdown",
                     "trades", "win_rate", "profit_factor",
                 })
        {
            Assert.True(root.TryGetProperty(key, out _), $"missing key {key}");
        }

        Assert.Equal(100000m, root.GetProperty("initial_capital").GetDecimal());
        Assert.Equal(100030.30m, root.GetProperty("final_equity").GetDecimal());
        // 100030.30 / 100000 − 1 = 0.000303 (a fraction, not a percent)
        Assert.Equal(0.000303, root.GetProperty("total_return").GetDouble(), 12);
        Assert.Equal(2, root.GetProperty("trades").GetInt32());
        Assert.Equal(0.5, root.GetProperty("win_rate").GetDouble(), 12); // 1 win of 2
        // 43.80 / |−13.5| = 3.2444…
        Assert.Equal(43.8 / 13.5, root.GetProperty("profit_factor").GetDouble(), 12);
        Assert.Equal(2m, root.GetProperty("total_fees").GetDecimal());
        Assert.Equal(JsonValueKind.Number, root.GetProperty("max_drawdown").ValueKind);
        Assert.True(root.GetProperty("max_drawdown").GetDouble() >= 0);
        // Two daily returns → a sample std exists; the values are checked in PerformanceCalculatorTests.
        Assert.Equal(JsonValueKind.Number, root.GetProperty("sharpe").ValueKind);

        Assert.Equal("AAPL", root.GetProperty("symbol").GetString());
        Assert.Equal("sma_cross", root.GetProperty("strategy").GetString());
        Assert.Equal("1Day", root.GetProperty("interval").GetString());
        Assert.Equal("2024-01-01", root.GetProperty("start").GetString());
        Assert.Equal("2024-01-31", root.GetProperty("end").GetString());
        Assert.Equal("split", root.GetProperty("adjustment").GetString());
        Assert.Equal("30", root.GetProperty("parameters").GetProperty("slow").GetString());
        Assert.Equal("3 bars missing on 2024-01-15", root.GetProperty("warnings")[0].GetString());
        Assert.Equal("2024-06-01T12:00:00Z", root.GetProperty("generated_at").GetString());
    }

    [Fact]
    public void Summary_json_holds_every_metric_and_writes_undefined_ratios_as_null()
    {
        // No losing trade: profit factor is undefined; flat equity: Sharpe is undefined.
        IReadOnlyList<TradeRecord> trades = [LongTrade];
        IReadOnlyList<EquityPoint> flat = [Equity[0] with { Equity = Initial }, Equity[1] with { Equity = Initial }];
        var metrics = PerformanceCalculator.Compute(Initial, flat, trades);

        var json = BacktestReportWriter.RenderSummaryJson(Info, Initial, metrics, GeneratedAt);

        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        Assert.Equal(JsonValueKind.Null, root.GetProperty("profit_factor").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("sharpe").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("max_drawdown_recovery_date").ValueKind);

        var keys = root.EnumerateObject().Select(p => p.Name).ToList();
        foreach (var property in typeof(PerformanceMetrics).GetProperties())
        {
            var snake = JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name);
            // AverageHoldingPeriod is written in days, as average_holding_period_days.
            Assert.True(keys.Any(k => k == snake || k.StartsWith(snake + "_", StringComparison.Ordinal)),
                $"summary.json has no key for {property.Name} ({snake})");
        }
    }

    [Fact]
    public void A_failure_while_rendering_keeps_the_previous_report_and_leaves_no_temp_file()
    {
        using var dir = new TempDirectory();
        var (trades, metrics) = Sample();
        BacktestReportWriter.Write(dir.Path, Info, Initial, trades, Equity, metrics, new FixedClock());
        var before = dir.AllFileNames().ToDictionary(f => f, f => File.ReadAllText(dir.File(f)));

        // The second trade blows up while trades.csv is being produced.
        var failing = new FailingList<TradeRecord>(LongTrade, failAt: 1);
        Assert.Throws<InvalidOperationException>(() =>
            BacktestReportWriter.Write(dir.Path, Info, Initial, failing, Equity, metrics, new FixedClock()));

        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), dir.AllFileNames());
        foreach (var (name, content) in before)
        {
            Assert.Equal(content, File.ReadAllText(dir.File(name)));
        }
    }

    [Fact]
    public void Non_utc_timestamps_are_rejected_before_anything_is_written()
    {
        using var dir = new TempDirectory();
        var (trades, metrics) = Sample();
        IReadOnlyList<EquityPoint> local = [new(new DateTime(2024, 1, 2, 16, 0, 0, DateTimeKind.Local), Initial, 0m)];

        Assert.Throws<ArgumentException>(() =>
            BacktestReportWriter.Write(dir.Path, Info, Initial, trades, local, metrics, new FixedClock()));

        Assert.Empty(dir.AllFileNames());
    }

    [Fact]
    public void Mismatched_initial_capital_is_rejected()
    {
        using var dir = new TempDirectory();
        var (trades, metrics) = Sample();

        Assert.Throws<ArgumentException>(() =>
            BacktestReportWriter.Write(dir.Path, Info, 50_000m, trades, Equity, metrics));
    }

    [Theory]
    [InlineData("123.4500", "123.4500")]
    [InlineData("1234567.5", "1234567.5")]
    [InlineData("0.00000001", "0.00000001")]
    [InlineData("-42", "-42")]
    [InlineData("100000000000000000000", "100000000000000000000")]
    public void Decimals_keep_their_natural_scale_without_exponent_or_separators(string input, string expected)
    {
        var value = decimal.Parse(input, CultureInfo.InvariantCulture);

        Assert.Equal(expected, BacktestReportWriter.FormatDecimal(value));
    }

    [Fact]
    public void Csv_fields_with_commas_or_quotes_are_quoted()
    {
        Assert.Equal("signal", BacktestReportWriter.CsvField("signal"));
        Assert.Equal("\"stop, trailing\"", BacktestReportWriter.CsvField("stop, trailing"));
        Assert.Equal("\"say \"\"hi\"\"\"", BacktestReportWriter.CsvField("say \"hi\""));
    }

    [Fact]
    public void Display_formats_percent_ratio_and_money()
    {
        Assert.Equal("12.34%", BacktestReportWriter.FormatPercent(0.1234));
        Assert.Equal("-2.98%", BacktestReportWriter.FormatPercent(-0.0298));
        Assert.Equal("n/a", BacktestReportWriter.FormatPercent(null));
        Assert.Equal("1.23", BacktestReportWriter.FormatRatio(1.2345));
        Assert.Equal("n/a", BacktestReportWriter.FormatRatio(double.NaN));
        Assert.Equal("$101,234.56", BacktestReportWriter.FormatMoney(101234.56m));
        Assert.Equal("-$1,234.50", BacktestReportWriter.FormatMoney(-1234.5m));
        Assert.Equal("$0.00", BacktestReportWriter.FormatMoney(0m));
    }

    [Fact]
    public void Metrics_table_formats_each_kind_of_value()
    {
        var (_, metrics) = Sample();

        var rows = BacktestReportWriter.MetricsTable(metrics).ToDictionary(r => r.Name, r => r.Value);

        Assert.Equal("$100,000.00", rows["Initial capital"]);
        Assert.Equal("$100,030.30", rows["Final equity"]);
        Assert.Equal("0.03%", rows["Total return"]); // 0.000303 → 0.0303% → 0.03%
        Assert.Equal("50.00%", rows["Win rate"]);
        Assert.Equal("3.24", rows["Profit factor"]); // 43.8 / 13.5 = 3.244…
        Assert.Equal("$43.80", rows["Average win"]);
        Assert.Equal("-$13.50", rows["Average loss"]);
        Assert.Equal("2", rows["Trades"]);
    }

    private sealed class FixedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(GeneratedAt);
    }

    /// <summary>A list whose enumeration throws at a given index, to simulate a failure halfway through a report.</summary>
    private sealed class FailingList<T>(T item, int failAt) : IReadOnlyList<T>
    {
        public int Count => failAt + 1;

        public T this[int index] =>
            index >= failAt ? throw new InvalidOperationException("source failed") : item;

        public IEnumerator<T> GetEnumerator()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
