using System.Globalization;
using System.Text;
using System.Text.Json;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.Reporting;
using AiTrader.Core.Sessions;

namespace AiTrader.Reporting;

/// <summary>Limits of <see cref="HtmlReport"/>: how many trades the table lists and how many points a chart holds.</summary>
/// <param name="MaxTrades">Trades listed in the trade table (the first ones; trades.csv has them all).</param>
/// <param name="MaxPointsPerLine">Upper bound on the price chart's candles (bars merged, as the dashboard's chart merges
/// them) and on the equity points (min/max downsampling of the equity and of its drawdown, see <see cref="SeriesDownsampler"/>).</param>
/// <param name="MaxTradeMarkers">Trades drawn as markers on the price chart (the first ones).</param>
public sealed record HtmlReportOptions(int MaxTrades = 500, int MaxPointsPerLine = 2000, int MaxTradeMarkers = 2000);

/// <summary>A plain table the report shows after the metrics (a portfolio run's per-symbol and benchmark tables).</summary>
/// <param name="Title">Section heading.</param>
/// <param name="Columns">Column headers; the first column is a row header.</param>
/// <param name="Rows">Cells, one list per row, as many as <paramref name="Columns"/>.</param>
public sealed record ReportTable(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>Renders a backtest as one self-contained report.html: the tables in HTML, the charts drawn by the dashboard's own
/// chart code (lightweight-charts and the dashboard's modules, inlined once by <see cref="DashboardScripts"/>) from a JSON
/// block of the run's data, downsampled once here; no links, fonts or fetches, so it opens offline and from file://.</summary>
public static class HtmlReport
{
    /// <summary>File name of the report in a run's output folder.</summary>
    public const string FileName = "report.html";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly string[] MonthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary>The report's HTML. All text from the run (symbol, parameters, warnings, exit reasons) is HTML-escaped.</summary>
    /// <param name="extraTables">Tables shown after the metrics; null for none.</param>
    public static string Render(BacktestRunInfo info, IReadOnlyList<Bar> bars, BacktestResult result,
        PerformanceMetrics metrics, HtmlReportOptions? options = null, IReadOnlyList<ReportTable>? extraTables = null) =>
        Render(info, bars, result, metrics, options, extraTables, null);

    /// <summary>As above, drawing from <paramref name="series"/> when the caller already read it (one read for every chart).</summary>
    public static string Render(BacktestRunInfo info, IReadOnlyList<Bar> bars, BacktestResult result,
        PerformanceMetrics metrics, HtmlReportOptions? options, IReadOnlyList<ReportTable>? extraTables, ReportSeries? series)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(bars);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(metrics);
        options ??= new HtmlReportOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxPointsPerLine, 2);

        var title = Title(info, bars);
        series ??= ReportSeries.From(result.Options.InitialCapital, result.EquityCurve, bars);
        var html = new StringBuilder(64 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(Esc(title)).Append("</title>\n<script>").Append(DashboardScripts.Theme).Append("</script>\n<style>")
            .Append(DashboardScripts.Css).Append(Css).Append("</style>\n</head>\n<body>\n")
            .Append("<h1>").Append(Esc(title)).Append("</h1>\n");
        AppendRunFacts(html, info);
        AppendWarnings(html, info.Warnings);

        html.Append("<section>\n<h2>Metrics</h2>\n<table class=\"metrics\">\n<tbody>\n");
        foreach (var row in BacktestReportWriter.MetricsTable(metrics))
        {
            html.Append("<tr><th scope=\"row\">").Append(Esc(row.Name)).Append("</th><td>").Append(Esc(row.Value)).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
        foreach (var table in extraTables ?? [])
        {
            AppendTable(html, table);
        }

        AppendCharts(html, bars, series, result, options);
        AppendMonthlyReturns(html, MonthlyReturns.Compute(series.Daily));
        AppendTrades(html, result.Trades, options.MaxTrades);
        html.Append("<footer>Written by aitrader. Times are New York (ET). The price chart merges the bars into at most ")
            .Append(options.MaxPointsPerLine.ToString(Inv))
            .Append(" candles; the equity chart keeps each bucket's lowest and highest equity and deepest drawdown, so spikes stay visible. ")
            .Append("Charts: TradingView Lightweight Charts (Apache-2.0).</footer>\n");
        AppendData(html, bars, series, result, options);
        html.Append("<script>").Append(DashboardScripts.LightweightCharts).Append("</script>\n")
            .Append("<script type=\"module\">").Append(DashboardScripts.ReportModule).Append("</script>\n")
            .Append("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>"SPY · breakout · 1Day · 2010-01-04 → 2020-12-31": from the bars when there are any, else the requested range.</summary>
    public static string Title(BacktestRunInfo info, IReadOnlyList<Bar> bars)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(bars);
        var range = bars.Count > 0
            ? $"{Date(bars[0].Timestamp)} → {Date(bars[^1].Timestamp)}"
            : $"{Boundary(info.Start)} → {Boundary(info.End)}";
        return $"{info.Symbol} · {info.Strategy} · {info.Interval} · {range}";
    }

    private static void AppendRunFacts(StringBuilder html, BacktestRunInfo info)
    {
        html.Append("<p class=\"facts\">Adjustment: ").Append(Esc(info.Adjustment));
        foreach (var (key, value) in info.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            html.Append(" · <code>").Append(Esc(key)).Append('=').Append(Esc(value)).Append("</code>");
        }

        html.Append("</p>\n");
    }

    private static void AppendWarnings(StringBuilder html, IReadOnlyList<string> warnings)
    {
        if (warnings.Count == 0)
        {
            return;
        }

        html.Append("<section class=\"warnings\">\n<h2>Warnings</h2>\n<ul>\n");
        foreach (var w in warnings)
        {
            html.Append("<li>").Append(Esc(w)).Append("</li>\n");
        }

        html.Append("</ul>\n</section>\n");
    }

    private static void AppendCharts(StringBuilder html, IReadOnlyList<Bar> bars, ReportSeries series, BacktestResult result, HtmlReportOptions options)
    {
        var shown = Math.Min(result.Trades.Count, options.MaxTradeMarkers);
        var caption = "Candles and volume; ▲/▼ entries, ● exits (label: net P&amp;L and exit reason); dashed steps: each trade's protective stop "
            + "from its first level through every move to its last. Scroll or pinch to zoom, drag to pan.";
        if (result.Trades.Count > shown)
        {
            caption += $" Markers for the first {shown.ToString(Inv)} of {result.Trades.Count.ToString(Inv)} trades.";
        }

        html.Append("<section>\n<h2>Price and trades</h2>\n")
            .Append(bars.Count == 0 ? "<p>No bars.</p>" : Figure("price-chart", "Price candles with trade entries, exits and stops", caption))
            .Append("\n</section>\n");
        var noEquity = result.EquityCurve.Count == 0;
        html.Append("<section>\n<h2>Equity</h2>\n")
            .Append(noEquity ? "<p>No equity points.</p>" : Figure("equity-chart", "Equity curve",
                $"Account equity at each bar's close against the initial capital {Esc(BacktestReportWriter.FormatMoney(result.Options.InitialCapital))}."))
            .Append("\n</section>\n");
        html.Append("<section>\n<h2>Drawdown</h2>\n")
            .Append(noEquity ? "<p>No equity points.</p>" : Figure("drawdown-chart", "Drawdown from the running high",
                "Equity below its running high (0% = at a new high); the dotted line marks the deepest point."))
            .Append("\n</section>\n");
    }

    /// <summary>The charts' data as one JSON block: the bars merged into candles (<see cref="ChartCandles"/>, the shape
    /// /api/chart sends), the equity at the points the downsampling keeps, the trades and the stop orders as the
    /// dashboard reads them from trades.csv and orders.csv (the columns its chart uses).</summary>
    private static void AppendData(StringBuilder html, IReadOnlyList<Bar> bars, ReportSeries series, BacktestResult result, HtmlReportOptions options)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteBoolean("daily", bars.Count > 0 && IsDaily(bars, series));
            json.WriteNumber("initial_capital", result.Options.InitialCapital);
            json.WriteStartArray("candles");
            foreach (var candle in ChartCandles.Merge(bars, 0, bars.Count, options.MaxPointsPerLine, out _))
            {
                ChartCandles.Write(json, candle);
            }

            json.WriteEndArray();
            json.WriteStartArray("equity");
            foreach (var i in EquityPoints(series, options.MaxPointsPerLine))
            {
                json.WriteStartObject();
                json.WriteString("timestamp", series.EquityTime(i));
                json.WriteNumber("equity", Math.Round(series.Equity[i], 2));
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("trades");
            var shown = Math.Min(result.Trades.Count, options.MaxTradeMarkers);
            for (var i = 0; i < shown; i++)
            {
                // The columns of trades.csv the chart reads.
                var t = result.Trades[i];
                json.WriteStartObject();
                json.WriteString("side", t.Side == PositionSide.Long ? "long" : "short");
                json.WriteNumber("quantity", t.Quantity);
                json.WriteString("entry_time", t.EntryTime);
                json.WriteString("exit_time", t.ExitTime);
                json.WriteNumber("pnl", t.Pnl);
                json.WriteString("exit_reason", t.ExitReason);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("orders");
            if (shown > 0)
            {
                // The stops of the trades shown: a stop is sent when its trade's entry fills, so those of the trades left
                // out start at or after the first such entry.
                var cutoff = shown < result.Trades.Count ? result.Trades[shown].EntryTime : DateTime.MaxValue;
                var moves = new Dictionary<string, List<StopAmendment>>(StringComparer.Ordinal);
                foreach (var a in result.StopAmendments)
                {
                    (moves.TryGetValue(a.OrderId, out var list) ? list : moves[a.OrderId] = []).Add(a);
                }

                var path = new StringBuilder();

                foreach (var o in result.Orders)
                {
                    if (o.Type != OrderType.Stop || o.StopPrice is not { } stop || o.CreatedAt >= cutoff)
                    {
                        continue;
                    }

                    // The columns of orders.csv the chart reads.
                    json.WriteStartObject();
                    json.WriteString("type", "stop");
                    json.WriteString("created_at", o.CreatedAt);
                    json.WriteNumber("stop_price", stop);
                    var moved = moves.GetValueOrDefault(o.Id) ?? [];
                    json.WriteNumber("last_stop_price", moved.Count > 0 ? moved[^1].StopPrice : stop);
                    path.Clear();
                    OrderLogWriter.AppendStopPath(path, moved);
                    json.WriteString("stop_path", path.ToString());
                    json.WriteEndObject();
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        // JSON inside a script element: "</" must not close it early (an exit reason or a symbol could hold one).
        html.Append("<script type=\"application/json\" id=\"report-data\">")
            .Append(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length).Replace("</", "<\\/", StringComparison.Ordinal))
            .Append("</script>\n");
    }

    /// <summary>The equity points drawn: those the min/max downsampling keeps of the equity and of its drawdown (so the
    /// deepest drawdown and its peak are both drawn), each with half the budget.</summary>
    internal static IReadOnlyList<int> EquityPoints(ReportSeries series, int maxPoints)
    {
        var half = Math.Max(2, maxPoints / 2);
        var kept = new SortedSet<int>(SeriesDownsampler.MinMaxIndices(series.Equity, half));
        kept.UnionWith(SeriesDownsampler.MinMaxIndices(series.Drawdown, half));
        return [.. kept];
    }

    // Daily bars start at most once per New York session date; intraday ones several times.
    private static bool IsDaily(IReadOnlyList<Bar> bars, ReportSeries series) =>
        bars.Count < 2 || ExchangeTime.SessionDate(series.BarTime(0)) != ExchangeTime.SessionDate(series.BarTime(1));

    private static void AppendMonthlyReturns(StringBuilder html, IReadOnlyList<MonthlyReturnRow> rows)
    {
        html.Append("<section>\n<h2>Monthly returns</h2>\n");
        if (rows.Count == 0)
        {
            html.Append("<p>No daily returns.</p>\n</section>\n");
            return;
        }

        html.Append("<table class=\"monthly\">\n<thead><tr><th>Year</th>");
        foreach (var m in MonthNames)
        {
            html.Append("<th>").Append(m).Append("</th>");
        }

        html.Append("<th>Year</th></tr></thead>\n<tbody>\n");
        foreach (var row in rows)
        {
            html.Append("<tr><th scope=\"row\">").Append(row.Year.ToString(Inv)).Append("</th>");
            foreach (var r in row.Months)
            {
                AppendReturnCell(html, r, fullScale: 0.10);
            }

            AppendReturnCell(html, row.YearReturn, fullScale: 0.30, cssClass: "year");
            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>\n<p class=\"note\">Daily returns (by New York session date) compounded within each month; ")
            .Append("the first month is measured from the initial capital. Colour saturates at ±10% a month, ±30% a year.</p>\n</section>\n");
    }

    private static void AppendReturnCell(StringBuilder html, double? r, double fullScale, string? cssClass = null)
    {
        var cls = cssClass is null ? "" : $" class=\"{cssClass}\"";
        if (r is not { } value || !double.IsFinite(value))
        {
            html.Append("<td").Append(cls).Append("></td>");
            return;
        }

        // Colour strength grows with the size of the move so a glance finds the big months.
        var alpha = Math.Clamp(Math.Abs(value) / fullScale, 0.08, 1) * 0.55;
        var rgb = value >= 0 ? "22,163,74" : "220,38,38";
        html.Append("<td").Append(cls).Append(" style=\"background:rgba(").Append(rgb).Append(',')
            .Append(alpha.ToString("0.###", Inv)).Append(")\">")
            .Append(Esc(BacktestReportWriter.FormatPercent(value))).Append("</td>");
    }

    private static void AppendTable(StringBuilder html, ReportTable table)
    {
        html.Append("<section>\n<h2>").Append(Esc(table.Title)).Append("</h2>\n<table class=\"trades\">\n<thead><tr>");
        foreach (var column in table.Columns)
        {
            html.Append("<th>").Append(Esc(column)).Append("</th>");
        }

        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in table.Rows)
        {
            html.Append("<tr>");
            for (var i = 0; i < row.Count; i++)
            {
                html.Append(i == 0 ? "<th scope=\"row\">" : "<td>").Append(Esc(row[i])).Append(i == 0 ? "</th>" : "</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void AppendTrades(StringBuilder html, IReadOnlyList<TradeRecord> trades, int maxTrades)
    {
        html.Append("<section>\n<h2>Trades</h2>\n");
        if (trades.Count == 0)
        {
            html.Append("<p>No trades.</p>\n</section>\n");
            return;
        }

        if (trades.Count > maxTrades)
        {
            html.Append("<p class=\"note\">Showing the first ").Append(maxTrades.ToString(Inv)).Append(" of ")
                .Append(trades.Count.ToString(Inv)).Append(" trades; trades.csv lists them all.</p>\n");
        }

        // A portfolio run's trades name their symbol; a single-symbol run's title already does.
        var showSymbol = trades.Select(t => t.Symbol).Distinct().Skip(1).Any();
        html.Append("<table class=\"trades\">\n<thead><tr><th>#</th>").Append(showSymbol ? "<th>Symbol</th>" : string.Empty).Append("<th>Side</th><th>Quantity</th><th>Entry (ET)</th>")
            .Append("<th>Entry price</th><th>Exit (ET)</th><th>Exit price</th><th>P&amp;L</th><th>Fees</th><th>Exit reason</th></tr></thead>\n<tbody>\n");
        for (var i = 0; i < Math.Min(trades.Count, maxTrades); i++)
        {
            var t = trades[i];
            html.Append("<tr><td>").Append((i + 1).ToString(Inv))
                .Append(showSymbol ? "</td><td>" + Esc(t.Symbol.Value) : string.Empty)
                .Append("</td><td>").Append(t.Side == PositionSide.Long ? "long" : "short")
                .Append("</td><td>").Append(Esc(BacktestReportWriter.FormatDecimal(t.Quantity)))
                .Append("</td><td>").Append(Time(t.EntryTime))
                .Append("</td><td>").Append(Esc(BacktestReportWriter.FormatMoney(t.EntryPrice)))
                .Append("</td><td>").Append(Time(t.ExitTime))
                .Append("</td><td>").Append(Esc(BacktestReportWriter.FormatMoney(t.ExitPrice)))
                .Append("</td><td class=\"").Append(t.Pnl >= 0 ? "up" : "down").Append("\">")
                .Append(Esc(BacktestReportWriter.FormatMoney(t.Pnl)))
                .Append("</td><td>").Append(Esc(BacktestReportWriter.FormatMoney(t.Fees)))
                .Append("</td><td>").Append(Esc(t.ExitReason)).Append("</td></tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    private static string Figure(string id, string label, string captionHtml) =>
        $"<figure><div id=\"{id}\" class=\"report-chart\" role=\"figure\" aria-label=\"{Esc(label)}\"></div><figcaption>{captionHtml}</figcaption></figure>";

    private static string Date(DateTime utc) => ExchangeTime.SessionDate(utc).ToString("yyyy-MM-dd", Inv);

    private static string Time(DateTime utc) => ExchangeTime.ToNewYork(utc).ToString("yyyy-MM-dd HH:mm", Inv);

    private static string Boundary(DateTime? value) => value switch
    {
        null => "open",
        { Kind: DateTimeKind.Utc } v => Date(v),
        { } v => v.ToString("yyyy-MM-dd", Inv),
    };

    private static string Esc(string text) => HtmlText.Escape(text);

    // After the dashboard's stylesheet (its theme colours, light or dark as the system prefers): the report's own layout.
    private const string Css = """

        body{margin:24px auto;max-width:1100px;padding:0 16px}
        h1{font-size:1.5rem;margin-bottom:4px}h2{font-size:1.15rem;margin:28px 0 8px;border-bottom:1px solid var(--border);padding-bottom:4px}
        .facts{color:var(--muted);margin-top:0}code{background:var(--row-alt);padding:1px 4px;border-radius:3px}
        table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:.9rem}
        th,td{padding:4px 8px;border:1px solid var(--border);text-align:right}th{background:var(--row-alt)}
        table.metrics th{text-align:left;font-weight:normal}table.metrics td{font-weight:600}
        table.monthly td{min-width:52px}table.monthly td.year{font-weight:700}
        table.trades td:nth-child(2),table.trades td:last-child{text-align:left}
        .warnings{border:1px solid var(--warn);padding:4px 16px;border-radius:4px}
        .note,figcaption,footer{color:var(--muted);font-size:.85rem}footer{margin-top:32px}
        figure{margin:0}.report-chart{height:380px;position:relative}#drawdown-chart{height:220px}
        .up{color:var(--up)}.down{color:var(--down)}

        """;
}
