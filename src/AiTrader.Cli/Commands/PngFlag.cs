namespace AiTrader.Cli.Commands;

/// <summary>The one spelling of "also draw the PNG charts" (<c>--png</c>): off by default, because report.html (or the
/// heat map's SVG and HTML) already draws the charts and a PNG costs ScottPlot's start-up, a few hundred milliseconds
/// of a run; on for a CI artifact, a chat or a terminal's image preview.</summary>
internal static class PngFlag
{
    /// <summary>The <c>--png</c> switch; <paramref name="files"/> names the images it adds.</summary>
    public static System.CommandLine.Option<bool> Create(string files) =>
        new("--png") { Description = $"Also write {files} (static images for a CI artifact or a chat; the HTML draws the same charts interactively)." };
}
