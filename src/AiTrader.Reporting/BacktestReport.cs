using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.IO;
using AiTrader.Core.Reporting;

namespace AiTrader.Reporting;

/// <summary>Paths of the visual report files written by <see cref="BacktestReport.WriteAll"/>; the PNGs are null when
/// they were not asked for.</summary>
public sealed record BacktestReportVisuals(string ReportHtml, string? EquityPng, string? PricePng);

/// <summary>Writes a run's report.html and, when asked for, equity.png and price.png into its output folder, each atomically.</summary>
/// <remarks>Everything is rendered in memory first so a failure leaves the previous files untouched; report.html is
/// replaced last, so a present report.html means the PNGs beside it belong to the same run.</remarks>
public static class BacktestReport
{
    /// <summary>Renders and writes the files into <paramref name="directory"/> (created if missing).</summary>
    /// <param name="bars">The bars the run saw, in time order (drawn as the price chart).</param>
    /// <param name="extraTables">Tables report.html shows after the metrics; null for none.</param>
    /// <param name="priceTitle">price.png's title when its line is not the run's own symbol (a portfolio draws its
    /// benchmark); null for "<run title> - price".</param>
    /// <param name="daily">The curve's daily returns when the caller has them from <see cref="PerformanceCalculator.Compute(decimal, IReadOnlyList{EquityPoint}, IReadOnlyList{TradeRecord}, MetricsOptions?, out IReadOnlyList{DailyReturn})"/>; null to compute them.</param>
    /// <param name="png">Also write equity.png and price.png (ScottPlot; costs a few hundred milliseconds of a run).</param>
    public static BacktestReportVisuals WriteAll(string directory, BacktestRunInfo info, IReadOnlyList<Bar> bars,
        BacktestResult result, PerformanceMetrics metrics, HtmlReportOptions? options = null,
        IReadOnlyList<ReportTable>? extraTables = null, IReadOnlyList<DailyReturn>? daily = null, string? priceTitle = null, bool png = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(bars);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(metrics);
        options ??= new HtmlReportOptions();

        var title = HtmlReport.Title(info, bars);
        // The curve and the closes are read once for every chart.
        var series = ReportSeries.From(result.Options.InitialCapital, result.EquityCurve, bars, daily);
        var html = HtmlReport.Render(info, bars, result, metrics, options, extraTables, series);
        var reportHtml = Path.GetFullPath(Path.Combine(directory, HtmlReport.FileName));
        if (!png)
        {
            AtomicFile.WriteAllText(reportHtml, html);
            return new BacktestReportVisuals(reportHtml, null, null);
        }

        var equityPng = PngCharts.Png(PngCharts.EquityPlot(title + " - equity", result.Options.InitialCapital, series));
        var pricePng = PngCharts.Png(PngCharts.PricePlot(priceTitle ?? title + " - price", series, bars.Count,
            result.Trades.Take(options.MaxTradeMarkers).ToList()));
        var files = new BacktestReportVisuals(reportHtml,
            Path.GetFullPath(Path.Combine(directory, PngCharts.EquityFileName)),
            Path.GetFullPath(Path.Combine(directory, PngCharts.PriceFileName)));
        AtomicFile.Write(files.EquityPng!, s => s.Write(equityPng));
        AtomicFile.Write(files.PricePng!, s => s.Write(pricePng));
        AtomicFile.WriteAllText(files.ReportHtml, html);
        return files;
    }
}
