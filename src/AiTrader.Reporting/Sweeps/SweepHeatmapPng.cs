using AiTrader.Core.Reporting;
using AiTrader.Core.Reporting.Sweeps;
using ScottPlot;

namespace AiTrader.Reporting.Sweeps;

/// <summary>Draws a <see cref="SweepHeatmap"/> as a PNG with ScottPlot, for terminals, CI artifacts and chat where an SVG
/// does not preview.</summary>
/// <remarks>Same content as <see cref="SweepHeatmapSvg"/>: cells on <see cref="HeatmapColorScale"/> with their value,
/// undefined cells grey, hatched with diagonal stripes, with "n/a", the best cell outlined in black, parameter values along both axes, and the range of
/// values under the title. Column c spans x ∈ [c, c + 1], row r spans y ∈ [−r − 1, −r] (the first row on top).</remarks>
public static class SweepHeatmapPng
{
    /// <summary>Colour of the diagonal stripes over undefined cells (on <see cref="HeatmapColorScale.Undefined"/>).</summary>
    public static Rgba Hatch { get; } = new(0xa8, 0xa8, 0xa8);

    /// <summary>Colour of the best cell's outline.</summary>
    public static Color Outline { get; } = Colors.Black;

    /// <summary>Width of a column in pixels.</summary>
    public const int CellWidth = 110;

    /// <summary>Height of a row in pixels.</summary>
    public const int CellHeight = 48;

    /// <summary>The heat map as a plot (cells as rectangles, values as text, parameter values as axis ticks).</summary>
    public static Plot Plot(SweepHeatmap map, string title)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(title);
        ReportFont.Use();
        var plot = new Plot();
        var (min, max) = map.ValueRange();
        var defined = map.Cells.SelectMany(r => r).Any(v => v is not null);
        plot.Title($"{title}\n{map.Subtitle()}; worst {(defined ? map.FormatValue(min) : "n/a")}, best {(defined ? map.FormatValue(max) : "n/a")}");
        for (var r = 0; r < map.YValues.Count; r++)
        {
            for (var c = 0; c < map.XValues.Count; c++)
            {
                var value = map.Cells[r][c];
                var cell = plot.Add.Rectangle(c, c + 1, -r - 1, -r);
                cell.FillColor = ToColor(map.CellColor(value));
                if (value is null)
                {
                    // Diagonal stripes over the grey: an undefined cell is not a low value of a washed-out colour.
                    cell.FillHatch = new ScottPlot.Hatches.Striped(ScottPlot.Hatches.StripeDirection.DiagonalUp);
                    cell.FillHatchColor = ToColor(Hatch);
                }

                cell.LineColor = Colors.White;
                cell.LineWidth = 1;
                var text = plot.Add.Text(map.FormatValue(value), c + 0.5, -r - 0.5);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = 15;
                text.LabelFontColor = IsDark(map.CellColor(value)) ? Colors.White : Colors.Black;
            }
        }

        if (map.BestCell() is var (bestColumn, bestRow))
        {
            var best = plot.Add.Rectangle(bestColumn + 0.02, bestColumn + 0.98, -bestRow - 0.98, -bestRow - 0.02);
            best.FillStyle.Color = Colors.Transparent;
            best.LineColor = Outline;
            best.LineWidth = 3;
        }

        plot.Axes.Bottom.SetTicks(map.XValues.Select((_, c) => c + 0.5).ToArray(), [.. map.XValues]);
        plot.Axes.Left.SetTicks(map.YValues.Select((_, r) => -r - 0.5).ToArray(), [.. map.YValues]);
        plot.Axes.Bottom.Label.Text = map.XName;
        plot.Axes.Left.Label.Text = map.YName ?? "";
        plot.Axes.SetLimits(0, map.XValues.Count, -map.YValues.Count, 0);
        plot.Grid.IsVisible = false;
        return plot;
    }

    /// <summary>The image size for <paramref name="map"/>: room for every cell, the title and the axes.</summary>
    public static (int Width, int Height) Size(SweepHeatmap map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return (Math.Max(520, 160 + map.XValues.Count * CellWidth), 200 + map.YValues.Count * CellHeight);
    }

    /// <summary>The PNG file's bytes.</summary>
    public static byte[] Encode(SweepHeatmap map, string title)
    {
        var (width, height) = Size(map);
        return Plot(map, title).GetImageBytes(width, height, ImageFormat.Png);
    }

    private static Color ToColor(Rgba c) => new(c.R, c.G, c.B, c.A);

    // Relative luminance (Rec. 709 weights) below the midpoint: white text reads better than dark.
    private static bool IsDark(Rgba c) => 0.2126 * c.R + 0.7152 * c.G + 0.0722 * c.B < 110;
}
