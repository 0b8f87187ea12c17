using System.Globalization;
using System.Text;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Reporting;

/// <summary>Limits of <see cref="HtmlReport"/>: how many trades the table lists and how many points a chart line holds.</summary>
/// <param name="MaxTrades">Trades listed in the trade table (the first ones; trades.csv has them all).</param>
/// <param name="MaxPointsPerLine">Upper bound on points per SVG line after min/max downsampling (see <see cref="SeriesDownsampler"/>).</param>
/// <param name="MaxTradeMarkers">Trades drawn as markers on the price chart (the first ones).</param>
public sealed record HtmlReportOptions(int MaxTrades = 500, int MaxPointsPerLine = 2000, int MaxTradeMarkers = 2000);

/// <summary>A plain table the report shows after the metrics (a portfolio run's per-symbol and benchmark tables).</summary>
/// <param name="Title">Section heading.</param>
/// <param name="Columns">Column headers; the first column is a row header.</param>
/// <param name="Rows">Cells, one list per row, as many as <paramref name="Columns"/>.</param>
public sealed record ReportTable(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows);

/// <summary>Renders a backtest as one self-contained report.html: inline CSS and SVG, no scripts, fonts or links, so it opens offline.</summary>
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
            .Append("<title>").Append(Esc(title)).Append("</title>\n<style>").Append(Css).Append("</style>\n</head>\n<body>\n")
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

        html.Append("<section>\n<h2>Price and trades</h2>\n").Append(PriceChart(bars, series, result.Trades, options)).Append("\n</section>\n");
        html.Append("<section>\n<h2>Equity</h2>\n").Append(EquityChart(result, series, options)).Append("\n</section>\n");
        html.Append("<section>\n<h2>Drawdown</h2>\n").Append(DrawdownChart(result, series, options)).Append("\n</section>\n");
        AppendMonthlyReturns(html, MonthlyReturns.Compute(series.Daily));
        AppendTrades(html, result.Trades, options.MaxTrades);
        html.Append("<footer>Written by aitrader. Times are New York (ET). Charts draw at most ")
            .Append(options.MaxPointsPerLine.ToString(Inv))
            .Append(" points per line, keeping each bucket's minimum and maximum so spikes stay visible.</footer>\n")
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

    private static string PriceChart(IReadOnlyList<Bar> bars, ReportSeries series, IReadOnlyList<TradeRecord> trades, HtmlReportOptions options)
    {
        if (bars.Count == 0)
        {
            return "<p>No bars.</p>";
        }

        var close = series.Close;
        var kept = SeriesDownsampler.MinMaxIndices(close, options.MaxPointsPerLine);
        var shown = trades.Take(options.MaxTradeMarkers).ToList();
        var min = kept.Min(i => close[i]);
        var max = kept.Max(i => close[i]);
        foreach (var t in shown)
        {
            min = Math.Min(min, Math.Min((double)t.EntryPrice, (double)t.ExitPrice));
            max = Math.Max(max, Math.Max((double)t.EntryPrice, (double)t.ExitPrice));
        }

        var pad = Math.Max((max - min) * 0.06, Math.Abs(max) * 0.001 + 1e-9);
        var chart = new SvgChart(1000, 380, bars.Count, min - pad, max + pad);
        chart.Axes(ChartAxes.Money, ChartAxes.TimeTicks(kept, series.BarTime));
        chart.Polyline(kept, i => close[i], "price");

        DateTime TimeAt(int i) => series.BarTime(i);
        foreach (var t in shown)
        {
            var side = t.Side == PositionSide.Long ? "long" : "short";
            var qty = BacktestReportWriter.FormatDecimal(t.Quantity);
            chart.Marker(ChartAxes.IndexAtOrBefore(bars.Count, TimeAt, t.EntryTime), (double)t.EntryPrice, up: true, "entry",
                $"Entry {side} {qty} @ {BacktestReportWriter.FormatMoney(t.EntryPrice)} on {Time(t.EntryTime)} ET");
            chart.Marker(ChartAxes.IndexAtOrBefore(bars.Count, TimeAt, t.ExitTime), (double)t.ExitPrice, up: false, "exit",
                $"Exit {side} ({t.ExitReason}) {qty} @ {BacktestReportWriter.FormatMoney(t.ExitPrice)} on {Time(t.ExitTime)} ET, P&L {BacktestReportWriter.FormatMoney(t.Pnl)}");
        }

        var caption = "Close price; <span class=\"up\">▲</span> entry, <span class=\"down\">▼</span> exit (hover for details).";
        if (trades.Count > shown.Count)
        {
            caption += $" Markers for the first {shown.Count.ToString(Inv)} of {trades.Count.ToString(Inv)} trades.";
        }

        return Figure(chart.ToSvg("Close price with trade entries and exits"), caption);
    }

    private static string EquityChart(BacktestResult result, ReportSeries series, HtmlReportOptions options)
    {
        var equity = result.EquityCurve;
        if (equity.Count == 0)
        {
            return "<p>No equity points.</p>";
        }

        var initial = (double)result.Options.InitialCapital;
        var values = series.Equity;
        var kept = SeriesDownsampler.MinMaxIndices(values, options.MaxPointsPerLine);
        var min = Math.Min(initial, kept.Min(i => values[i]));
        var max = Math.Max(initial, kept.Max(i => values[i]));
        var pad = Math.Max((max - min) * 0.05, Math.Abs(max) * 0.001 + 1e-9);
        var chart = new SvgChart(1000, 320, equity.Count, min - pad, max + pad);
        chart.Axes(ChartAxes.Money, ChartAxes.TimeTicks(kept, series.EquityTime));
        chart.HorizontalRule(initial, "baseline");
        chart.Polyline(kept, i => values[i], "equity");
        return Figure(chart.ToSvg("Equity curve"),
            $"Account equity at each bar's close; dashed line: initial capital {Esc(BacktestReportWriter.FormatMoney(result.Options.InitialCapital))}.");
    }

    private static string DrawdownChart(BacktestResult result, ReportSeries series, HtmlReportOptions options)
    {
        var equity = result.EquityCurve;
        if (equity.Count == 0)
        {
            return "<p>No equity points.</p>";
        }

        var drawdown = series.Drawdown;
        var kept = SeriesDownsampler.MinMaxIndices(drawdown, options.MaxPointsPerLine);
        var deepest = Math.Min(drawdown.Min(), -0.01);
        var chart = new SvgChart(1000, 220, equity.Count, deepest * 1.08, 0);
        chart.Axes(ChartAxes.Percent, ChartAxes.TimeTicks(kept, series.EquityTime));
        chart.AreaToZero(kept, i => drawdown[i], "underwater");
        chart.Polyline(kept, i => drawdown[i], "ddline");
        return Figure(chart.ToSvg("Drawdown (underwater) curve"), "Equity below its running peak (0% = at a new high).");
    }

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

    private static string Figure(string svg, string captionHtml) =>
        $"<figure>{svg}<figcaption>{captionHtml}</figcaption></figure>";

    private static string Date(DateTime utc) => ExchangeTime.SessionDate(utc).ToString("yyyy-MM-dd", Inv);

    private static string Time(DateTime utc) => ExchangeTime.ToNewYork(utc).ToString("yyyy-MM-dd HH:mm", Inv);

    private static string Boundary(DateTime? value) => value switch
    {
        null => "open",
        { Kind: DateTimeKind.Utc } v => Date(v),
        { } v => v.ToString("yyyy-MM-dd", Inv),
    };

    private static string Esc(string text) => HtmlText.Escape(text);

    // Inline so the file stands alone; system fonts only, nothing fetched.
    private const string Css = """

        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#212529;background:#fff}
        h1{font-size:1.5rem;margin-bottom:4px}h2{font-size:1.15rem;margin:28px 0 8px;border-bottom:1px solid #dee2e6;padding-bottom:4px}
        .facts{color:#555;margin-top:0}code{background:#f1f3f5;padding:1px 4px;border-radius:3px}
        table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:.9rem}
        th,td{padding:4px 8px;border:1px solid #e9ecef;text-align:right}th{background:#f8f9fa}
        table.metrics th{text-align:left;font-weight:normal}table.metrics td{font-weight:600}
        table.monthly td{min-width:52px}table.monthly td.year{font-weight:700}
        table.trades td:nth-child(2),table.trades td:last-child{text-align:left}
        .warnings{background:#fff8e1;border:1px solid #ffe082;padding:4px 16px;border-radius:4px}
        .note,figcaption,footer{color:#666;font-size:.85rem}footer{margin-top:32px}
        figure{margin:0}svg{width:100%;height:auto;display:block}
        .grid line{stroke:#e1e4e8;stroke-width:1}.frame{fill:none;stroke:#787e85;stroke-width:1}
        .grid text{font-size:11px;fill:#495057}.yl{text-anchor:end;dominant-baseline:middle}.xl{text-anchor:middle}
        .price{fill:none;stroke:#374151;stroke-width:1.2}.equity{fill:none;stroke:#1f77b4;stroke-width:1.6}
        .baseline{stroke:#787e85;stroke-dasharray:4 4}.underwater{fill:rgba(220,38,38,.3);stroke:none}.ddline{fill:none;stroke:#dc2626;stroke-width:1}
        .entry{fill:#16a34a}.exit{fill:#dc2626}.up{color:#16a34a}.down{color:#dc2626}

        """;
}
