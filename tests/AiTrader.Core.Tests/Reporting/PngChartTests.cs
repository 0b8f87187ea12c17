using System.Text;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Reporting;

namespace AiTrader.Core.Tests.Reporting;

public sealed class PngChartTests
{
    private static readonly Rgba White = new(255, 255, 255);
    private static readonly Rgba Red = new(200, 10, 20);

    [Fact]
    public void Crc32_matches_the_standard_check_value()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0u, Crc32.Compute([]));
    }

    [Fact]
    public void Crc32_append_equals_one_pass_and_the_bitwise_definition()
    {
        var data = Encoding.ASCII.GetBytes("IEND and some chart bytes \u0001\u00ff");
        var whole = Crc32.Compute(data);
        Assert.Equal(whole, Crc32.Append(Crc32.Compute(data.AsSpan(0, 7)), data.AsSpan(7)));
        Assert.Equal(PngTestDecoder.BitwiseCrc32(data), whole);
    }

    [Fact]
    public void Encoded_png_has_signature_valid_chunk_crcs_and_one_filter_byte_per_row()
    {
        var canvas = new RgbaCanvas(37, 23, White);
        canvas.FillRect(3, 4, 10, 5, Red);

        var png = PngTestDecoder.Decode(PngEncoder.Encode(canvas));

        Assert.Equal(["IHDR", "IDAT", "IEND"], png.ChunkTypes);
        Assert.Equal((37, 23, (byte)8, (byte)6), (png.Width, png.Height, png.BitDepth, png.ColorType));
        Assert.Equal(23, png.FilterBytes.Length);
        Assert.All(png.FilterBytes, f => Assert.InRange(f, (byte)0, (byte)4));
        Assert.Equal(canvas.Pixels, png.Rgba);
    }

    [Fact]
    public void Horizontal_line_colours_exactly_its_row_after_a_png_round_trip()
    {
        var canvas = new RgbaCanvas(40, 30, White);
        canvas.DrawLine(5, 12, 35, 12, Red);

        var png = PngTestDecoder.Decode(PngEncoder.Encode(canvas));

        for (var x = 6; x <= 34; x++)
        {
            Assert.Equal((Red.R, Red.G, Red.B, (byte)255), png.Pixel(x, 12));
            Assert.Equal((White.R, White.G, White.B, (byte)255), png.Pixel(x, 11));
            Assert.Equal((White.R, White.G, White.B, (byte)255), png.Pixel(x, 13));
        }

        Assert.Equal((White.R, White.G, White.B, (byte)255), png.Pixel(2, 12));
        Assert.Equal((White.R, White.G, White.B, (byte)255), png.Pixel(38, 12));
    }

    [Fact]
    public void Diagonal_line_is_anti_aliased_and_stays_near_the_ideal_line()
    {
        var canvas = new RgbaCanvas(50, 50, White);
        canvas.DrawLine(0, 0, 49, 20, Red);

        var partial = 0;
        for (var x = 1; x < 49; x++)
        {
            var idealY = x * 20.0 / 49;
            for (var y = 0; y < 50; y++)
            {
                var p = canvas.GetPixel(x, y);
                if (p != White)
                {
                    Assert.InRange(y, Math.Floor(idealY) - 1, Math.Ceiling(idealY) + 1);
                    partial += p != Red ? 1 : 0;
                }
            }
        }

        Assert.True(partial > 10, "a sloped Wu line blends its edge pixels");
    }

    [Fact]
    public void Text_draws_the_glyph_bitmap_and_unknown_characters_fall_back()
    {
        var canvas = new RgbaCanvas(20, 10, White);
        canvas.DrawText(1, 1, "-", Red);

        // '-' is row 3 of the glyph, five pixels wide.
        for (var x = 1; x <= 5; x++)
        {
            Assert.Equal(Red, canvas.GetPixel(x, 4));
            Assert.Equal(White, canvas.GetPixel(x, 3));
        }

        Assert.Equal(BitmapFont.Glyph('?').ToArray(), BitmapFont.Glyph('\u263A').ToArray());
        Assert.Equal(BitmapFont.Glyph('A').ToArray(), BitmapFont.Glyph('a').ToArray());
        Assert.Equal(11, BitmapFont.MeasureWidth("AB"));
    }

    [Fact]
    public void Filled_triangle_covers_its_centre_and_not_outside()
    {
        var canvas = new RgbaCanvas(30, 30, White);
        canvas.FillTriangle(15, 5, 5, 25, 25, 25, Red);
        Assert.Equal(Red, canvas.GetPixel(15, 18));
        Assert.Equal(White, canvas.GetPixel(5, 6));
        Assert.Equal(White, canvas.GetPixel(15, 27));
    }

    [Fact]
    public void Equity_and_price_charts_are_valid_default_size_pngs_with_markers()
    {
        var (bars, equity, trades) = ReportFixtures.Run();

        var equityPng = PngTestDecoder.Decode(PngEncoder.Encode(PngChart.RenderEquity("SPY · test", 100_000m, equity)));
        var priceCanvas = PngChart.RenderPrice("SPY · test", bars, trades);
        var pricePng = PngTestDecoder.Decode(PngEncoder.Encode(priceCanvas));

        Assert.Equal((1200, 600), (equityPng.Width, equityPng.Height));
        Assert.Equal((1200, 600), (pricePng.Width, pricePng.Height));
        var green = CountPixels(priceCanvas, new Rgba(22, 163, 74));
        var red = CountPixels(priceCanvas, new Rgba(220, 38, 38));
        Assert.True(green > 40 * 2, $"expected entry triangles, found {green} green pixels");
        Assert.True(red > 40 * 2, $"expected exit triangles, found {red} red pixels");
    }

    [Fact]
    public void Empty_inputs_still_render_a_chart()
    {
        var equity = PngChart.RenderEquity("empty", 100m, []);
        var price = PngChart.RenderPrice("empty", [], []);
        Assert.Equal(1200, PngTestDecoder.Decode(PngEncoder.Encode(equity)).Width);
        Assert.Equal(600, PngTestDecoder.Decode(PngEncoder.Encode(price)).Height);
    }

    private static int CountPixels(RgbaCanvas canvas, Rgba color)
    {
        var n = 0;
        for (var y = 0; y < canvas.Height; y++)
        {
            for (var x = 0; x < canvas.Width; x++)
            {
                n += canvas.GetPixel(x, y) == color ? 1 : 0;
            }
        }

        return n;
    }
}
