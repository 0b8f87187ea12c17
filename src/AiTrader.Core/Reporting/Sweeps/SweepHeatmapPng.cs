using AiTrader.Core.Backtesting.Sweeps;
using AiTrader.Core.Reporting;

namespace AiTrader.Core.Reporting.Sweeps;

/// <summary>Where <see cref="SweepHeatmapPng"/> puts things: the image size and the cell grid.</summary>
/// <param name="Width">Image width in pixels.</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="GridLeft">x of the first column's left edge.</param>
/// <param name="GridTop">y of the first row's top edge.</param>
/// <param name="CellWidth">Width of one cell, its one-pixel white separator included.</param>
/// <param name="CellHeight">Height of one cell, its one-pixel white separator included.</param>
public sealed record SweepHeatmapPngLayout(int Width, int Height, int GridLeft, int GridTop, int CellWidth, int CellHeight)
{
    /// <summary>The coloured area of cell (<paramref name="column"/>, <paramref name="row"/>), without its separator.</summary>
    public (int X, int Y, int Width, int Height) Cell(int column, int row) =>
        (GridLeft + column * CellWidth, GridTop + row * CellHeight, CellWidth - 1, CellHeight - 1);
}

/// <summary>Draws a <see cref="SweepHeatmap"/> as a PNG on the report's own <see cref="RgbaCanvas"/> and <see cref="BitmapFont"/>,
/// for terminals, CI artifacts and chat where an SVG does not preview.</summary>
/// <remarks>Same content as <see cref="SweepHeatmapSvg"/>: cells on <see cref="HeatmapColorScale"/> with their value, undefined
/// cells grey with diagonal hatching, the best cell outlined in black, parameter values along both axes, and a legend
/// strip from the worst to the best value.</remarks>
public static class SweepHeatmapPng
{
    /// <summary>Colour of the diagonal hatching over undefined cells.</summary>
    public static Rgba Hatch { get; } = new(0xa8, 0xa8, 0xa8);

    /// <summary>Colour of the best cell's outline.</summary>
    public static Rgba Outline { get; } = new(0, 0, 0);

    /// <summary>Width of the best cell's outline in pixels, drawn inside the cell.</summary>
    public const int OutlineWidth = 3;

    private const int Scale = 2;
    private const int TextHeight = BitmapFont.GlyphHeight * Scale;
    private const int Margin = 16;
    private const int CellWidth = 100;
    private const int CellHeight = 40;
    private const int TitleTop = 12;
    private const int SubtitleTop = TitleTop + TextHeight + 8;
    private const int YNameTop = SubtitleTop + TextHeight + 14;
    private const int GridTop = YNameTop + TextHeight + 8;
    private const int LegendWidth = 360;
    private const int LegendHeight = 14;
    private const int HatchSpacing = 6;

    private static readonly Rgba Paper = new(255, 255, 255);
    private static readonly Rgba Ink = new(33, 37, 41);
    private static readonly Rgba Muted = new(68, 68, 68);

    /// <summary>The layout <see cref="Render"/> uses for <paramref name="map"/> and <paramref name="title"/>.</summary>
    public static SweepHeatmapPngLayout Measure(SweepHeatmap map, string title)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(title);
        var yLabelWidth = map.YValues.Max(v => BitmapFont.MeasureWidth(v, Scale));
        var gridLeft = Margin + Math.Max(yLabelWidth + 12, 40);
        var gridWidth = map.XValues.Count * CellWidth;
        var widest = new[] { title, map.Subtitle(), map.YName ?? "" }.Max(t => BitmapFont.MeasureWidth(t, Scale));
        var width = Math.Max(Math.Max(gridLeft + gridWidth, gridLeft + LegendWidth), Margin + widest) + Margin;
        // Below the grid: x values, x name, legend strip, legend labels.
        var height = GridTop + map.YValues.Count * CellHeight + 8 + TextHeight + 12 + TextHeight + 16 + LegendHeight + 6 + TextHeight + Margin;
        return new SweepHeatmapPngLayout(width, height, gridLeft, GridTop, CellWidth, CellHeight);
    }

    /// <summary>The heat map as pixels.</summary>
    public static RgbaCanvas Render(SweepHeatmap map, string title)
    {
        var layout = Measure(map, title);
        var canvas = new RgbaCanvas(layout.Width, layout.Height, Paper);
        canvas.DrawText(Margin, TitleTop, title, Ink, Scale);
        canvas.DrawText(Margin, SubtitleTop, map.Subtitle(), Muted, Scale);
        if (map.YName is not null)
        {
            canvas.DrawText(Margin, YNameTop, map.YName, Ink, Scale);
        }

        for (var r = 0; r < map.YValues.Count; r++)
        {
            var (_, y, _, h) = layout.Cell(0, r);
            var label = map.YValues[r];
            canvas.DrawText(layout.GridLeft - 12 - BitmapFont.MeasureWidth(label, Scale), y + (h - TextHeight) / 2, label, Ink, Scale);
            for (var c = 0; c < map.XValues.Count; c++)
            {
                DrawCell(canvas, layout, map, c, r);
            }
        }

        if (map.BestCell() is var (bestColumn, bestRow))
        {
            var (x, y, w, h) = layout.Cell(bestColumn, bestRow);
            canvas.StrokeRect(x, y, w, h, OutlineWidth, Outline);
        }

        var axisY = layout.GridTop + map.YValues.Count * CellHeight + 8;
        for (var c = 0; c < map.XValues.Count; c++)
        {
            var (x, _, w, _) = layout.Cell(c, 0);
            DrawCentred(canvas, x + w / 2, axisY, map.XValues[c], Ink);
        }

        var xNameY = axisY + TextHeight + 12;
        DrawCentred(canvas, layout.GridLeft + map.XValues.Count * CellWidth / 2, xNameY, map.XName, Ink);
        DrawLegend(canvas, map, layout.GridLeft, xNameY + TextHeight + 16);
        return canvas;
    }

    /// <summary>The PNG file's bytes.</summary>
    public static byte[] Encode(SweepHeatmap map, string title) => PngEncoder.Encode(Render(map, title));

    private static void DrawCell(RgbaCanvas canvas, SweepHeatmapPngLayout layout, SweepHeatmap map, int column, int row)
    {
        var (x, y, w, h) = layout.Cell(column, row);
        var value = map.Cells[row][column];
        var fill = map.CellColor(value);
        canvas.FillRect(x, y, w, h, fill);
        if (value is null)
        {
            // Diagonals anchored to the image, so neighbouring undefined cells hatch as one pattern.
            for (var yy = y; yy < y + h; yy++)
            {
                for (var xx = x; xx < x + w; xx++)
                {
                    if ((xx + yy) % HatchSpacing == 0)
                    {
                        canvas.Blend(xx, yy, Hatch);
                    }
                }
            }
        }

        var text = map.FormatValue(value);
        var textWidth = BitmapFont.MeasureWidth(text, Scale);
        var tx = x + (w - textWidth) / 2;
        var ty = y + (h - TextHeight) / 2;
        if (value is null)
        {
            // A paper-coloured plate keeps "n/a" legible over the hatching.
            canvas.FillRect(tx - 3, ty - 3, textWidth + 6, TextHeight + 6, HeatmapColorScale.Undefined);
        }

        canvas.DrawText(tx, ty, text, IsDark(fill) ? Paper : Ink, Scale);
    }

    private static void DrawLegend(RgbaCanvas canvas, SweepHeatmap map, int left, int top)
    {
        for (var i = 0; i < LegendWidth; i++)
        {
            canvas.FillRect(left + i, top, 1, LegendHeight, HeatmapColorScale.At(i / (double)(LegendWidth - 1)));
        }

        var (min, max) = map.ValueRange();
        var defined = map.Cells.SelectMany(r => r).Any(v => v is not null);
        var low = defined ? map.FormatValue(min) : "n/a";
        var high = defined ? map.FormatValue(max) : "n/a";
        var labelY = top + LegendHeight + 6;
        canvas.DrawText(left, labelY, "WORST " + low, Ink, Scale);
        var highText = high + " BEST";
        canvas.DrawText(left + LegendWidth - BitmapFont.MeasureWidth(highText, Scale), labelY, highText, Ink, Scale);
    }

    private static void DrawCentred(RgbaCanvas canvas, int centreX, int top, string text, Rgba color) =>
        canvas.DrawText(centreX - BitmapFont.MeasureWidth(text, Scale) / 2, top, text, color, Scale);

    // Relative luminance (Rec. 709 weights) below the midpoint: white text reads better than dark.
    private static bool IsDark(Rgba c) => 0.2126 * c.R + 0.7152 * c.G + 0.0722 * c.B < 110;
}
