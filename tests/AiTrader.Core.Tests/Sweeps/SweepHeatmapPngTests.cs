using AiTrader.Core.Backtesting.Sweeps;
using AiTrader.Core.Reporting;
using AiTrader.Core.Reporting.Sweeps;
using AiTrader.Core.Tests.Reporting;

namespace AiTrader.Core.Tests.Sweeps;

public sealed class SweepHeatmapPngTests
{
    private const string Title = "SPY · breakout · sharpe";

    // 3 lookbacks × 2 multipliers; best 1.2 at (lookback 20, k 2), worst -0.3 at (10, 3), (30, 2) undefined.
    private static readonly SweepHeatmap Map = new(
        RankMetric.Sharpe,
        "lookback", ["10", "20", "30"],
        "atr_multiplier", ["2", "3"],
        [[0.5, 1.2, null], [-0.3, 0.9, 0.1]],
        [new("risk", "0.01")],
        new ParameterCombination(4, ["lookback", "atr_multiplier", "risk"], ["20", "2", "0.01"]));

    private static (byte R, byte G, byte B, byte A) Opaque(Rgba c) => (c.R, c.G, c.B, 255);

    [Fact]
    public void Png_has_the_layout_dimensions_valid_chunks_and_the_rendered_pixels()
    {
        var layout = SweepHeatmapPng.Measure(Map, Title);

        // The decoder checks the signature, every chunk CRC (with its own bitwise CRC), IHDR first and IEND last.
        var png = PngTestDecoder.Decode(SweepHeatmapPng.Encode(Map, Title));

        Assert.Equal(["IHDR", "IDAT", "IEND"], png.ChunkTypes);
        Assert.Equal((layout.Width, layout.Height, (byte)8, (byte)6), (png.Width, png.Height, png.BitDepth, png.ColorType));
        Assert.Equal(SweepHeatmapPng.Render(Map, Title).Pixels, png.Rgba);
    }

    [Fact]
    public void Best_and_worst_cells_take_the_scale_end_colours()
    {
        var layout = SweepHeatmapPng.Measure(Map, Title);
        var png = PngTestDecoder.Decode(SweepHeatmapPng.Encode(Map, Title));

        // Just inside the outline, above the centred value text.
        var inset = SweepHeatmapPng.OutlineWidth + 2;
        var (bx, by, _, _) = layout.Cell(1, 0);
        var (wx, wy, _, _) = layout.Cell(0, 1);
        var best = png.Pixel(bx + inset, by + inset);
        var worst = png.Pixel(wx + inset, wy + inset);

        Assert.NotEqual(best, worst);
        Assert.Equal(Opaque(HeatmapColorScale.Best), best);
        Assert.Equal(Opaque(HeatmapColorScale.Worst), worst);
        // A middle value sits between the ends: 0.5 is 0.8/1.5 of the way from -0.3 to 1.2.
        var (mx, my, _, _) = layout.Cell(0, 0);
        Assert.Equal(Opaque(HeatmapColorScale.At(0.8 / 1.5)), png.Pixel(mx + inset, my + inset));
    }

    [Fact]
    public void Only_the_best_cell_is_outlined()
    {
        var layout = SweepHeatmapPng.Measure(Map, Title);
        var png = PngTestDecoder.Decode(SweepHeatmapPng.Encode(Map, Title));

        var (bx, by, bw, bh) = layout.Cell(1, 0);
        var (wx, wy, ww, wh) = layout.Cell(0, 1);
        foreach (var (x, y) in new[] { (bx, by), (bx + bw - 1, by + bh - 1), (bx + bw / 2, by + 1), (bx + 1, by + bh / 2) })
        {
            Assert.Equal(Opaque(SweepHeatmapPng.Outline), png.Pixel(x, y));
        }

        Assert.Equal(Opaque(HeatmapColorScale.Worst), png.Pixel(wx, wy));
        Assert.Equal(Opaque(HeatmapColorScale.Worst), png.Pixel(wx + ww - 1, wy + wh - 1));
    }

    [Fact]
    public void Undefined_cell_is_grey_with_hatching_and_no_scale_colour()
    {
        var layout = SweepHeatmapPng.Measure(Map, Title);
        var png = PngTestDecoder.Decode(SweepHeatmapPng.Encode(Map, Title));

        var (x, y, w, h) = layout.Cell(2, 0);
        var colours = new HashSet<(byte, byte, byte, byte)>();
        for (var yy = y; yy < y + h; yy++)
        {
            for (var xx = x; xx < x + w; xx++)
            {
                colours.Add(png.Pixel(xx, yy));
            }
        }

        Assert.Contains(Opaque(HeatmapColorScale.Undefined), colours);
        Assert.Contains(Opaque(SweepHeatmapPng.Hatch), colours);
        Assert.DoesNotContain(Opaque(HeatmapColorScale.Best), colours);
        Assert.DoesNotContain(Opaque(HeatmapColorScale.Worst), colours);
        Assert.DoesNotContain(Opaque(SweepHeatmapPng.Outline), colours);
    }

    [Fact]
    public void Equal_values_all_take_the_middle_colour()
    {
        var flat = Map with { Cells = [[0.4, 0.4, 0.4], [0.4, 0.4, 0.4]] };
        var layout = SweepHeatmapPng.Measure(flat, Title);
        var png = PngTestDecoder.Decode(SweepHeatmapPng.Encode(flat, Title));

        var (x, y, _, _) = layout.Cell(2, 1);
        Assert.Equal(Opaque(HeatmapColorScale.Middle), png.Pixel(x + 5, y + 5));
    }

    [Fact]
    public void Axis_labels_are_drawn_under_each_column_and_beside_each_row()
    {
        var layout = SweepHeatmapPng.Measure(Map, Title);
        var canvas = SweepHeatmapPng.Render(Map, Title);
        var paper = new Rgba(255, 255, 255);

        // Some ink in the band under each column and left of each row, where only the labels go.
        for (var c = 0; c < Map.XValues.Count; c++)
        {
            var (x, _, w, _) = layout.Cell(c, 0);
            var below = layout.GridTop + Map.YValues.Count * layout.CellHeight;
            Assert.True(HasInk(canvas, x, below + 4, w, 20, paper), $"no label under column {c}");
        }

        for (var r = 0; r < Map.YValues.Count; r++)
        {
            var (_, y, _, h) = layout.Cell(0, r);
            Assert.True(HasInk(canvas, 0, y, layout.GridLeft - 2, h, paper), $"no label beside row {r}");
        }
    }

    [Fact]
    public void Scale_ends_are_the_documented_svg_colours()
    {
        Assert.Equal("#d73027", HeatmapColorScale.Hex(HeatmapColorScale.At(0)));
        Assert.Equal("#fee08b", HeatmapColorScale.Hex(HeatmapColorScale.At(0.5)));
        Assert.Equal("#1a9850", HeatmapColorScale.Hex(HeatmapColorScale.At(1)));
    }

    private static bool HasInk(RgbaCanvas canvas, int x, int y, int w, int h, Rgba paper)
    {
        for (var yy = y; yy < y + h; yy++)
        {
            for (var xx = x; xx < x + w; xx++)
            {
                if (canvas.GetPixel(xx, yy) != paper)
                {
                    return true;
                }
            }
        }

        return false;
    }
}
