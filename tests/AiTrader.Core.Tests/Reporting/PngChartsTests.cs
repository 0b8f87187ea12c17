using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Reporting;
using AiTrader.Reporting;
using ScottPlot;

namespace AiTrader.Core.Tests.Reporting;

/// <summary>equity.png and price.png through ScottPlot: each file is decoded by the tests' own PNG reader and the pixels are
/// looked up where the plot puts a data point (the plot's own coordinate mapping after the render).</summary>
public sealed class PngChartsTests
{
    private static (ReportSeries Series, IReadOnlyList<EquityPoint> Equity, IReadOnlyList<TradeRecord> Trades, int Bars) Fixture(int bars = 300)
    {
        var (barList, equity, trades) = ReportFixtures.Run(bars: bars);
        return (ReportSeries.From(ReportFixtures.InitialCapital, equity, barList), equity, trades, barList.Count);
    }

    /// <summary>Whether a pixel within <paramref name="radius"/> of <paramref name="at"/> is close to <paramref name="colour"/>
    /// (the lines are anti-aliased, so the exact pixel may be a blend).</summary>
    private static bool ColourNear(DecodedPng png, Pixel at, Color colour, int radius, int tolerance = 60)
    {
        for (var dy = -radius; dy <= radius; dy++)
        {
            for (var dx = -radius; dx <= radius; dx++)
            {
                var (x, y) = ((int)Math.Round(at.X) + dx, (int)Math.Round(at.Y) + dy);
                if (x < 0 || y < 0 || x >= png.Width || y >= png.Height)
                {
                    continue;
                }

                var (r, g, b, _) = png.Pixel(x, y);
                if (Math.Abs(r - colour.R) + Math.Abs(g - colour.G) + Math.Abs(b - colour.B) <= tolerance)
                {
                    return true;
                }
            }
        }

        return false;
    }

    [Fact]
    public void Equity_png_has_its_size_and_title_and_the_line_where_the_curve_is_and_nowhere_else()
    {
        var (series, equity, _, _) = Fixture();
        var plot = PngCharts.EquityPlot("SPY · breakout - equity", ReportFixtures.InitialCapital, series);

        var png = PngTestDecoder.Decode(PngCharts.Png(plot));

        Assert.Equal((1200, 600), (png.Width, png.Height));
        Assert.Equal("SPY · breakout - equity", plot.Axes.Title.Label.Text);
        var range = (double)(equity.Max(e => e.Equity) - equity.Min(e => e.Equity));
        foreach (var i in new[] { 5, 60, 150, 240, 295 })
        {
            var x = PngCharts.Axis(equity[i].Timestamp);
            var value = (double)equity[i].Equity;
            Assert.True(ColourNear(png, plot.GetPixel(new Coordinates(x, value)), PngCharts.EquityColor, 2), $"no equity line at point {i}");
            // Far above or below the point (40% of the curve's range) at the same time: background, not the line.
            var away = value + (value - (double)equity.Average(e => e.Equity) > 0 ? -0.4 : 0.4) * range;
            Assert.False(ColourNear(png, plot.GetPixel(new Coordinates(x, away)), PngCharts.EquityColor, 2), $"equity colour away from point {i}");
        }
    }

    [Fact]
    public void Price_png_draws_the_close_and_an_entry_and_exit_marker_at_each_trade()
    {
        var (series, _, trades, bars) = Fixture();
        var plot = PngCharts.PricePlot("SPY - price", series, bars, trades);

        var png = PngTestDecoder.Decode(PngCharts.Png(plot));

        Assert.Equal((1200, 600), (png.Width, png.Height));
        Assert.Equal("SPY - price", plot.Axes.Title.Label.Text);
        Assert.Equal(3, trades.Count);
        foreach (var t in trades)
        {
            // The triangles are 9 px: their colour lies within a few pixels of the trade's time and price.
            Assert.True(ColourNear(png, plot.GetPixel(new Coordinates(PngCharts.Axis(t.EntryTime), (double)t.EntryPrice)), PngCharts.EntryColor, 4),
                $"no entry marker at {t.EntryTime:u}");
            Assert.True(ColourNear(png, plot.GetPixel(new Coordinates(PngCharts.Axis(t.ExitTime), (double)t.ExitPrice)), PngCharts.ExitColor, 4),
                $"no exit marker at {t.ExitTime:u}");
        }

        Assert.True(ColourNear(png, plot.GetPixel(new Coordinates(PngCharts.Axis(series.BarTime(200)), series.Close[200])), PngCharts.PriceColor, 2));
        Assert.False(ColourNear(png, plot.GetPixel(new Coordinates(PngCharts.Axis(trades[0].EntryTime), (double)trades[0].EntryPrice)), PngCharts.ExitColor, 1),
            "an exit colour on an entry that is not an exit");
    }

    [Fact]
    public void A_long_series_is_drawn_from_its_downsampled_points_not_every_bar()
    {
        var (series, _, trades, bars) = Fixture(bars: 20_000);

        var price = PngCharts.PricePlot("long", series, bars, trades, width: 1200);
        var equity = PngCharts.EquityPlot("long", ReportFixtures.InitialCapital, series, width: 1200);

        // Two points per pixel column at most (each bucket's lowest and highest), plus the first and the last.
        foreach (var plot in new[] { price, equity })
        {
            var points = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().Single().Data.GetScatterPoints().Count;
            Assert.InRange(points, 1200, 2402);
        }
    }

    [Fact]
    public void Empty_inputs_still_render_a_titled_png()
    {
        var empty = ReportSeries.From(ReportFixtures.InitialCapital, [], []);

        var equity = PngCharts.EquityPlot("nothing", ReportFixtures.InitialCapital, empty);
        var price = PngCharts.PricePlot("nothing", empty, 0, []);

        Assert.Equal((1200, 600), (PngTestDecoder.Decode(PngCharts.Png(equity)).Width, PngTestDecoder.Decode(PngCharts.Png(price)).Height));
        Assert.Empty(equity.GetPlottables().OfType<ScottPlot.Plottables.Scatter>());
        Assert.Contains(price.GetPlottables().OfType<ScottPlot.Plottables.Annotation>(), a => a.Text == "No bars.");
    }
}
