using AiTrader.Core.Backtesting.Sweeps;
using AiTrader.Core.IO;

namespace AiTrader.Core.Reporting.Sweeps;

/// <summary>Paths written by <see cref="SweepReportWriter.Write"/>.</summary>
public sealed record SweepReportFiles(string Csv, string HeatmapSvg, string HeatmapHtml, string HeatmapPng);

/// <summary>Writes a sweep's ranked CSV and its heat map (SVG, an HTML wrapper and a PNG), each file atomically.</summary>
public static class SweepReportWriter
{
    public const string CsvFileName = "sweep.csv";
    public const string HeatmapSvgFileName = "heatmap.svg";
    public const string HeatmapHtmlFileName = "heatmap.html";
    public const string HeatmapPngFileName = "heatmap.png";

    /// <summary>Renders everything in memory first, then replaces each file; the CSV goes last so its presence means the set is complete.</summary>
    public static SweepReportFiles Write(string directory, SweepResult result, string title)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(result);
        var csv = SweepCsv.Render(result);
        var map = SweepHeatmap.From(result);
        var svg = SweepHeatmapSvg.Render(map, title);
        var html = SweepHeatmapSvg.RenderHtml(map, title);
        var png = SweepHeatmapPng.Encode(map, title);

        var files = new SweepReportFiles(
            Path.GetFullPath(Path.Combine(directory, CsvFileName)),
            Path.GetFullPath(Path.Combine(directory, HeatmapSvgFileName)),
            Path.GetFullPath(Path.Combine(directory, HeatmapHtmlFileName)),
            Path.GetFullPath(Path.Combine(directory, HeatmapPngFileName)));
        AtomicFile.WriteAllText(files.HeatmapSvg, svg);
        AtomicFile.WriteAllText(files.HeatmapHtml, html);
        AtomicFile.Write(files.HeatmapPng, s => s.Write(png));
        AtomicFile.WriteAllText(files.Csv, csv);
        return files;
    }
}
