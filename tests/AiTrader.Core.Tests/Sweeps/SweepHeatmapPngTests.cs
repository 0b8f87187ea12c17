using AiTrader.Core.Backtesting.Sweeps;
using AiTrader.Core.Reporting;
using AiTrader.Core.Reporting.Sweeps;
using AiTrader.Core.Tests.Reporting;
using AiTrader.Reporting.Sweeps;
using ScottPlot;

namespace AiTrader.Core.Tests.Sweeps;

/// <summary>heatmap.png through ScottPlot, decoded by the tests' own PNG reader; a cell's pixels are found with the plot's
/// own mapping (column c spans x ∈ [c, c + 1], row r spans y ∈ [−r − 1, −r]).</summary>
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

    private static (Plot Plot, DecodedPng Png) Render(SweepHeatmap map)
    {
        var plot = SweepHeatmapPng.Plot(map, Title);
        var (width, height) = SweepHeatmapPng.Size(map);
        var png = PngTestDecoder.Decode(plot.GetImageBytes(width, height, ImageFormat.Png));
        return (plot, png);
    }

    /// <summary>The pixel at a place inside cell (column, row), as fractions of the cell from its top-left corner.</summary>
    private static (byte R, byte G, byte B) At(Plot plot, DecodedPng png, int column, int row, double across, double down)
    {
        var p = plot.GetPixel(new Coordinates(column + across, -row - down));
        var (r, g, b, _) = png.Pixel((int)Math.Round(p.X), (int)Math.Round(p.Y));
        return (r, g, b);
    }

    private static (byte, byte, byte) Rgb(Rgba c) => (c.R, c.G, c.B);

    [Fact]
    public void Png_has_the_size_for_the_grid_and_the_title_with_the_subtitle()
    {
        var (plot, png) = Render(Map);

        Assert.Equal(SweepHeatmapPng.Size(Map), (png.Width, png.Height));
        // Three columns need less than the least width (520); two rows of 48 px under 200 px of title and axes.
        Assert.Equal((520, 296), SweepHeatmapPng.Size(Map));
        Assert.StartsWith(Title + "\n" + Map.Subtitle(), plot.Axes.Title.Label.Text);
        Assert.Contains("worst -0.30, best 1.20", plot.Axes.Title.Label.Text);
    }

    [Fact]
    public void Best_worst_and_middle_cells_take_their_scale_colours()
    {
        var (plot, png) = Render(Map);

        // A quarter in from the top-left corner: inside the outline, away from the centred value text.
        Assert.Equal(Rgb(HeatmapColorScale.Best), At(plot, png, 1, 0, 0.25, 0.25));
        Assert.Equal(Rgb(HeatmapColorScale.Worst), At(plot, png, 0, 1, 0.25, 0.25));
        // 0.5 is 0.8/1.5 of the way from -0.3 to 1.2.
        Assert.Equal(Rgb(HeatmapColorScale.At(0.8 / 1.5)), At(plot, png, 0, 0, 0.25, 0.25));
        Assert.Equal(Rgb(HeatmapColorScale.Undefined), At(plot, png, 2, 0, 0.25, 0.25));
    }

    [Fact]
    public void Undefined_cells_are_hatched_with_rising_diagonal_stripes_and_defined_cells_are_not()
    {
        var (plot, png) = Render(Map);
        var grey = Rgb(HeatmapColorScale.Undefined);
        var hatch = Rgb(SweepHeatmapPng.Hatch);
        // The top-left third of the undefined cell (column 2, row 0), away from its centred "n/a".
        var a = plot.GetPixel(new Coordinates(2 + 0.08, -0.1));
        var b = plot.GetPixel(new Coordinates(2 + 0.33, -0.33));
        var pixels = new Dictionary<(int X, int Y), (byte, byte, byte)>();
        for (var y = (int)Math.Ceiling(a.Y); y <= (int)b.Y; y++)
        {
            for (var x = (int)Math.Ceiling(a.X); x <= (int)b.X; x++)
            {
                var (r, g, bl, _) = png.Pixel(x, y);
                pixels[(x, y)] = (r, g, bl);
            }
        }

        // Grey and stripes only, the stripes a good share of it.
        Assert.All(pixels.Values, p => Assert.True(p == grey || p == hatch, $"{p} is neither the grey nor the stripes"));
        var striped = pixels.Where(p => p.Value == hatch).Select(p => p.Key).ToList();
        Assert.InRange(striped.Count, pixels.Count / 5, pixels.Count * 3 / 5);
        // Rising stripes: up and to the right of a stripe pixel is stripe again; down and to the right mostly is not.
        var inside = striped.Where(p => pixels.ContainsKey((p.X + 1, p.Y - 1)) && pixels.ContainsKey((p.X + 1, p.Y + 1))).ToList();
        Assert.NotEmpty(inside);
        Assert.All(inside, p => Assert.Equal(hatch, pixels[(p.X + 1, p.Y - 1)]));
        var falling = inside.Count(p => pixels[(p.X + 1, p.Y + 1)] == hatch);
        Assert.True(falling < inside.Count * 0.8, $"the stripes rise to the right: {falling} of {inside.Count} also continue down-right");

        // A defined cell has no stripes: its colour only, away from its text.
        var c = plot.GetPixel(new Coordinates(0 + 0.1, -1.15));
        var d = plot.GetPixel(new Coordinates(0 + 0.33, -1.33));
        for (var y = (int)Math.Ceiling(c.Y); y <= (int)d.Y; y++)
        {
            for (var x = (int)Math.Ceiling(c.X); x <= (int)d.X; x++)
            {
                var (r, g, bl, _) = png.Pixel(x, y);
                Assert.Equal(Rgb(HeatmapColorScale.Worst), (r, g, bl));
            }
        }
    }

    [Fact]
    public void Only_the_best_cell_is_outlined()
    {
        var (plot, png) = Render(Map);

        // The outline runs 2% in from the cell's edges.
        foreach (var (across, down) in new[] { (0.02, 0.5), (0.98, 0.5), (0.5, 0.02), (0.5, 0.98) })
        {
            Assert.Equal(((byte)0, (byte)0, (byte)0), At(plot, png, 1, 0, across, down));
            // The worst cell's colour there (within the white cell border's antialiasing), nowhere near the black outline.
            var (r, g, b) = At(plot, png, 0, 1, across, down);
            var worst = HeatmapColorScale.Worst;
            Assert.True(Math.Abs(r - worst.R) + Math.Abs(g - worst.G) + Math.Abs(b - worst.B) <= 60, $"({r}, {g}, {b}) is not the worst cell's colour");
        }
    }

    [Fact]
    public void Equal_values_all_take_the_middle_colour()
    {
        var flat = Map with { Cells = [[0.4, 0.4, 0.4], [0.4, 0.4, 0.4]] };
        var (plot, png) = Render(flat);

        Assert.Equal(Rgb(HeatmapColorScale.Middle), At(plot, png, 2, 1, 0.25, 0.25));
        Assert.Equal(Rgb(HeatmapColorScale.Middle), At(plot, png, 0, 0, 0.75, 0.75));
    }

    [Fact]
    public void Each_cell_has_its_value_and_the_axes_name_the_parameter_values()
    {
        var (plot, _) = Render(Map); // the ticks are laid out by a render

        var texts = plot.GetPlottables().OfType<ScottPlot.Plottables.Text>().Select(t => t.LabelText).ToList();
        Assert.Equal(["0.50", "1.20", "n/a", "-0.30", "0.90", "0.10"], texts);
        Assert.Equal(["10", "20", "30"], plot.Axes.Bottom.TickGenerator.Ticks.Select(t => t.Label));
        Assert.Equal(["2", "3"], plot.Axes.Left.TickGenerator.Ticks.Select(t => t.Label));
        Assert.Equal(("lookback", "atr_multiplier"), (plot.Axes.Bottom.Label.Text, plot.Axes.Left.Label.Text));
    }

    [Fact]
    public void Scale_ends_are_the_documented_svg_colours()
    {
        Assert.Equal("#d73027", HeatmapColorScale.Hex(HeatmapColorScale.At(0)));
        Assert.Equal("#fee08b", HeatmapColorScale.Hex(HeatmapColorScale.At(0.5)));
        Assert.Equal("#1a9850", HeatmapColorScale.Hex(HeatmapColorScale.At(1)));
    }
}
