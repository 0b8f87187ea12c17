using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.Reporting;
using AiTrader.Core.Tests.IO;
using AiTrader.Reporting;

namespace AiTrader.Core.Tests.Reporting;

public sealed class HtmlReportTests
{
    private static (string Html, PerformanceMetrics Metrics) Render(string symbol = "SPY", int trades = 3,
        IReadOnlyList<string>? warnings = null, HtmlReportOptions? options = null)
    {
        var (bars, equity, tradeList) = ReportFixtures.Run(trades: trades);
        var result = ReportFixtures.Result(equity, tradeList);
        var metrics = PerformanceCalculator.Compute(ReportFixtures.InitialCapital, equity, tradeList);
        return (HtmlReport.Render(ReportFixtures.Info(symbol, warnings), bars, result, metrics, options), metrics);
    }

    /// <summary>The report's JSON block, as the page's script reads it.</summary>
    private static JsonElement Data(string html) =>
        JsonDocument.Parse(Regex.Match(html, "<script type=\"application/json\" id=\"report-data\">(.*?)</script>", RegexOptions.Singleline)
            .Groups[1].Value.Replace("<\\/", "</", StringComparison.Ordinal)).RootElement;

    [Fact]
    public void Report_is_self_contained_and_inlines_the_chart_library_once()
    {
        var (html, _) = Render();

        Assert.StartsWith("<!DOCTYPE html>", html);
        Assert.Single(Regex.Matches(html, "TradingView Lightweight Charts™ v"));
        Assert.Contains(DashboardScripts.LightweightCharts, html);
        // The page around the library (whose licence header and attribution link name addresses) links, loads and
        // fetches nothing. The browser test opens the file with every request but file:// refused.
        var rest = html.Replace(DashboardScripts.LightweightCharts, "", StringComparison.Ordinal);
        foreach (var reference in new[] { "http://", "https://", "<link", "src=", "@import", "url(" })
        {
            Assert.DoesNotContain(reference, rest, StringComparison.Ordinal); // "url(" as CSS spells it, not createObjectURL(
        }

        // One inline module with every import resolved: no import statement or dynamic import() is left for the browser.
        var module = Regex.Match(html, "<script type=\"module\">(.*?)</script>", RegexOptions.Singleline).Groups[1].Value;
        Assert.DoesNotMatch(new Regex(@"^\s*import\s", RegexOptions.Multiline), module);
        Assert.DoesNotContain("import(", module, StringComparison.Ordinal);
        Assert.Equal(4, Regex.Matches(html, "<script").Count); // theme, data, library, module
    }

    [Fact]
    public void Report_draws_with_the_dashboards_chart_functions()
    {
        var (html, _) = Render();

        // The very functions the dashboard's chart and backtest pages call, not copies.
        foreach (var (file, function) in new[] { ("performance.js", "drawEquity"), ("performance.js", "drawDrawdown"), ("chartdata.js", "stopSegments"),
            ("chartdata.js", "tradeMarkers"), ("pricechart.js", "addCandles"), ("pricechart.js", "setTrades") })
        {
            var source = DashboardScripts.Asset(file);
            var body = Regex.Match(source, $"^export function {function}\\(.*?^}}", RegexOptions.Multiline | RegexOptions.Singleline).Value;
            Assert.False(string.IsNullOrEmpty(body), $"{function} not found in {file}");
            Assert.Contains(body["export ".Length..], html);
        }

        Assert.Contains("<div id=\"price-chart\" class=\"report-chart\" role=\"figure\" aria-label=\"Price candles with trade entries, exits and stops\">", html);
        Assert.Contains("<div id=\"equity-chart\"", html);
        Assert.Contains("<div id=\"drawdown-chart\"", html);
    }

    [Fact]
    public void Report_data_has_the_candles_trades_stops_and_equity_the_charts_draw()
    {
        var (bars, equity, trades) = ReportFixtures.Run(trades: 3);
        var result = ReportFixtures.Result(equity, trades) with
        {
            Orders = [new Order("o1", new Symbol("SPY"), OrderSide.Sell, 100, OrderType.Stop, trades[0].EntryTime, StopPrice: 95.5m)],
            StopAmendments = [new StopAmendment("o1", trades[0].EntryTime.AddDays(3), 97.25m, "trail"), new StopAmendment("o1", trades[0].EntryTime.AddDays(5), 98m, "trail")],
        };
        var metrics = PerformanceCalculator.Compute(ReportFixtures.InitialCapital, equity, trades);

        var data = Data(HtmlReport.Render(ReportFixtures.Info(), bars, result, metrics, new HtmlReportOptions(MaxPointsPerLine: 100)));

        Assert.True(data.GetProperty("daily").GetBoolean());
        Assert.Equal(100_000m, data.GetProperty("initial_capital").GetDecimal());
        // 300 bars in 100 candles of 3: open of the first, high and low of all three, close of the last, summed volume.
        var candles = data.GetProperty("candles").EnumerateArray().ToList();
        Assert.Equal(100, candles.Count);
        var second = candles[1];
        Assert.Equal(bars[3].Timestamp, second.GetProperty("t").GetDateTime());
        Assert.Equal(bars[5].Timestamp, second.GetProperty("t_last").GetDateTime());
        Assert.Equal(bars[3].Open, second.GetProperty("o").GetDecimal());
        Assert.Equal(new[] { bars[3].High, bars[4].High, bars[5].High }.Max(), second.GetProperty("h").GetDecimal());
        Assert.Equal(new[] { bars[3].Low, bars[4].Low, bars[5].Low }.Min(), second.GetProperty("l").GetDecimal());
        Assert.Equal(bars[5].Close, second.GetProperty("c").GetDecimal());
        Assert.Equal(3_000_000m, second.GetProperty("v").GetDecimal());
        Assert.Equal(3, second.GetProperty("n").GetInt32());

        var t = data.GetProperty("trades")[1];
        Assert.Equal(("long", 100m), (t.GetProperty("side").GetString(), t.GetProperty("quantity").GetDecimal()));
        Assert.Equal((trades[1].EntryTime, trades[1].ExitTime), (t.GetProperty("entry_time").GetDateTime(), t.GetProperty("exit_time").GetDateTime()));
        Assert.Equal((trades[1].Pnl, "signal"), (t.GetProperty("pnl").GetDecimal(), t.GetProperty("exit_reason").GetString()));
        // The stop order as orders.csv has it: its first level and the last it was moved to.
        var stop = Assert.Single(data.GetProperty("orders").EnumerateArray());
        Assert.Equal(("stop", 95.5m, 98m), (stop.GetProperty("type").GetString(), stop.GetProperty("stop_price").GetDecimal(), stop.GetProperty("last_stop_price").GetDecimal()));
        string At(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"{At(trades[0].EntryTime.AddDays(3))} 97.25;{At(trades[0].EntryTime.AddDays(5))} 98", stop.GetProperty("stop_path").GetString());

        // The equity points keep the first and last, and both ends of the deepest drawdown (found here by a plain walk).
        var points = data.GetProperty("equity").EnumerateArray().Select(e => (e.GetProperty("timestamp").GetDateTime(), e.GetProperty("equity").GetDecimal())).ToList();
        Assert.InRange(points.Count, 50, 104);
        Assert.Equal((equity[0].Timestamp, equity[0].Equity), points[0]);
        Assert.Equal((equity[^1].Timestamp, equity[^1].Equity), points[^1]);
        int peakAt = 0, runningPeak = 0, troughAt = 0;
        var deepest = 0m;
        for (var i = 0; i < equity.Count; i++)
        {
            runningPeak = equity[i].Equity > equity[runningPeak].Equity ? i : runningPeak;
            var dd = equity[i].Equity / equity[runningPeak].Equity - 1;
            if (dd < deepest)
            {
                (deepest, troughAt, peakAt) = (dd, i, runningPeak);
            }
        }

        Assert.True(deepest < 0);
        Assert.Contains((equity[troughAt].Timestamp, equity[troughAt].Equity), points);
        Assert.Contains((equity[peakAt].Timestamp, equity[peakAt].Equity), points);
    }

    [Fact]
    public void Markers_for_the_first_trades_carry_only_their_own_stops()
    {
        var (bars, equity, trades) = ReportFixtures.Run(trades: 3);
        // One protective stop sent at each entry, and a buy order that is no stop.
        var orders = trades.Select((t, k) => new Order($"s{k}", new Symbol("SPY"), OrderSide.Sell, 100, OrderType.Stop, t.EntryTime, StopPrice: 90m + k))
            .Append(new Order("b0", new Symbol("SPY"), OrderSide.Buy, 100, OrderType.Market, trades[0].EntryTime)).ToList();
        var result = ReportFixtures.Result(equity, trades) with { Orders = orders };
        var metrics = PerformanceCalculator.Compute(ReportFixtures.InitialCapital, equity, trades);

        var data = Data(HtmlReport.Render(ReportFixtures.Info(), bars, result, metrics, new HtmlReportOptions(MaxTradeMarkers: 2)));

        Assert.Equal(2, data.GetProperty("trades").GetArrayLength());
        Assert.Equal([90m, 91m], data.GetProperty("orders").EnumerateArray().Select(o => o.GetProperty("stop_price").GetDecimal()));
        Assert.Equal([90m, 91m], data.GetProperty("orders").EnumerateArray().Select(o => o.GetProperty("last_stop_price").GetDecimal()));
    }

    [Fact]
    public void Text_in_the_data_cannot_close_its_script_element()
    {
        var (bars, equity, trades) = ReportFixtures.Run(trades: 1);
        var result = ReportFixtures.Result(equity, [trades[0] with { ExitReason = "</script><script>alert(1)</script>" }]);
        var metrics = PerformanceCalculator.Compute(ReportFixtures.InitialCapital, equity, trades);

        var html = HtmlReport.Render(ReportFixtures.Info(), bars, result, metrics);

        Assert.DoesNotContain("<script>alert(1)", html);
        Assert.Equal("</script><script>alert(1)</script>", Data(html).GetProperty("trades")[0].GetProperty("exit_reason").GetString());
    }

    [Fact]
    public void Report_has_the_metrics_table_values()
    {
        var (html, metrics) = Render();
        foreach (var row in BacktestReportWriter.MetricsTable(metrics))
        {
            Assert.Contains($"<th scope=\"row\">{WebUtility.HtmlEncode(row.Name)}</th><td>{WebUtility.HtmlEncode(row.Value)}</td>", html);
        }
    }

    [Fact]
    public void Report_has_the_monthly_table_with_a_row_per_year()
    {
        var (html, _) = Render();
        var (_, equity, _) = ReportFixtures.Run();
        var rows = MonthlyReturns.Compute(ReportFixtures.InitialCapital, equity);

        Assert.Contains("<table class=\"monthly\">", html);
        Assert.Contains("<th>Jan</th><th>Feb</th><th>Mar</th><th>Apr</th><th>May</th><th>Jun</th><th>Jul</th><th>Aug</th><th>Sep</th><th>Oct</th><th>Nov</th><th>Dec</th><th>Year</th>", html);
        Assert.Equal(2, rows.Count); // 300 weekdays from January 2021 run into 2022
        foreach (var row in rows)
        {
            Assert.Contains($"<tr><th scope=\"row\">{row.Year}</th>", html);
            Assert.Contains($">{BacktestReportWriter.FormatPercent(row.YearReturn)}</td></tr>", html);
        }

        Assert.Contains($">{BacktestReportWriter.FormatPercent(rows[0].Months[0])}</td>", html);
    }

    [Fact]
    public void Text_from_the_run_is_html_escaped()
    {
        var (html, _) = Render(symbol: "S<P>&\"Y", warnings: ["gap <b>bold</b> & more"]);

        Assert.Contains("S&lt;P&gt;&amp;&quot;Y", html);
        Assert.DoesNotContain("S<P>", html);
        Assert.Contains("<li>gap &lt;b&gt;bold&lt;/b&gt; &amp; more</li>", html);
        Assert.DoesNotContain("<b>bold</b>", html);
    }

    [Fact]
    public void Trade_table_is_truncated_with_a_note()
    {
        var (html, _) = Render(trades: 7, options: new HtmlReportOptions(MaxTrades: 5));

        Assert.Contains("Showing the first 5 of 7 trades", html);
        Assert.Contains("<tr><td>5</td>", html);
        Assert.DoesNotContain("<tr><td>6</td>", html);
    }

    [Fact]
    public void Long_series_are_downsampled_once_in_the_data()
    {
        var (bars, equity, trades) = ReportFixtures.Run(bars: 5_000, trades: 1);
        var result = ReportFixtures.Result(equity, trades);
        var metrics = PerformanceCalculator.Compute(ReportFixtures.InitialCapital, equity, trades);

        var data = Data(HtmlReport.Render(ReportFixtures.Info(), bars, result, metrics, new HtmlReportOptions(MaxPointsPerLine: 400)));

        var candles = data.GetProperty("candles").EnumerateArray().ToList();
        Assert.Equal(400, candles.Count);
        Assert.Equal(5_000, candles.Sum(c => c.GetProperty("n").GetInt32())); // every bar in exactly one candle
        // Each half of the budget (equity, drawdown) keeps at most 200 + 2 points; the dashboard's code thins no further (3,000).
        Assert.InRange(data.GetProperty("equity").GetArrayLength(), 150, 404);
    }

    [Fact]
    public void WriteAll_writes_the_report_alone_by_default_and_the_pngs_when_asked_without_temp_files()
    {
        using var dir = new TempDirectory();
        var (bars, equity, trades) = ReportFixtures.Run();
        var result = ReportFixtures.Result(equity, trades);
        var metrics = PerformanceCalculator.Compute(ReportFixtures.InitialCapital, equity, trades);

        var html = BacktestReport.WriteAll(dir.Path, ReportFixtures.Info(), bars, result, metrics);

        Assert.Equal(["report.html"], dir.AllFileNames());
        Assert.Equal((dir.File("report.html"), null, null), (html.ReportHtml, html.EquityPng, html.PricePng));

        var files = BacktestReport.WriteAll(dir.Path, ReportFixtures.Info(), bars, result, metrics, png: true);

        Assert.Equal(["equity.png", "price.png", "report.html"], dir.AllFileNames());
        Assert.Equal(1200, PngTestDecoder.Decode(File.ReadAllBytes(files.EquityPng!)).Width);
        Assert.Equal(600, PngTestDecoder.Decode(File.ReadAllBytes(files.PricePng!)).Height);
        Assert.Contains("id=\"report-data\"", File.ReadAllText(files.ReportHtml));
    }

    [Fact]
    public void Empty_run_renders_without_charts()
    {
        var result = ReportFixtures.Result([], []);
        var metrics = PerformanceCalculator.Compute(ReportFixtures.InitialCapital, [], []);

        var html = HtmlReport.Render(ReportFixtures.Info(), [], result, metrics);

        Assert.Contains("No bars.", html);
        Assert.Contains("No trades.", html);
        Assert.Contains("No equity points.", html);
        Assert.DoesNotContain("id=\"price-chart\"", html);
        Assert.Equal(0, Data(html).GetProperty("candles").GetArrayLength());
        Assert.Contains("SPY · breakout · 1Day · 2021-01-01 → 2022-06-30", html);
    }
}
