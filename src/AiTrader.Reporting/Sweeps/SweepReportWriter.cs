using AiTrader.Core.Backtesting.Sweeps;
using AiTrader.Core.IO;
using AiTrader.Core.Reporting.Sweeps;

namespace AiTrader.Reporting.Sweeps;

/// <summary>Paths written by <see cref="SweepReportWriter.Write"/>.</summary>
/// <remarks><see cref="HeatmapPng"/> is null when the PNG was not asked for.</remarks>
public sealed record SweepReportFiles(string Csv, string HeatmapSvg, string HeatmapHtml, string? HeatmapPng);

/// <summary>Writes a sweep's ranked CSV and its heat map (SVG, an HTML wrapper and, when asked for, a PNG), each file atomically.</summary>
public static class SweepReportWriter
{
    public const string CsvFileName = "sweep.csv";
    public const string HeatmapSvgFileName = "heatmap.svg";
    public const string HeatmapHtmlFileName = "heatmap.html";
    public const string HeatmapPngFileName = "heatmap.png";

    /// <summary>Renders everything in memory first, then replaces each file; the CSV goes last so its presence means the set is complete.</summary>
    /// <param name="png">Also write heatmap.png (ScottPlot; costs a few hundred milliseconds).</param>
    public static SweepReportFiles Write(string directory, SweepResult result, string title, bool png = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(result);
        var csv = SweepCsv.Render(result);
        var map = SweepHeatmap.From(result);
        var svg = SweepHeatmapSvg.Render(map, title);
        var html = SweepHeatmapSvg.RenderHtml(map, title);
        var pngBytes = png ? SweepHeatmapPng.Encode(map, title) : null;

        var files = new SweepReportFiles(
            Path.GetFullPath(Path.Combine(directory, CsvFileName)),
            Path.GetFullPath(Path.Combine(directory, HeatmapSvgFileName)),
            Path.GetFullPath(Path.Combine(directory, HeatmapHtmlFileName)),
            png ? Path.GetFullPath(Path.Combine(directory, HeatmapPngFileName)) : null);
        AtomicFile.WriteAllText(files.HeatmapSvg, svg);
        AtomicFile.WriteAllText(files.HeatmapHtml, html);
        if (files.HeatmapPng is { } pngPath)
        {
            AtomicFile.Write(pngPath, s => s.Write(pngBytes));
        }

        AtomicFile.WriteAllText(files.Csv, csv);
        return files;
    }
}
