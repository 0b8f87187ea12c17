namespace AiTrader.Core.Reporting;

/// <summary>An sRGB colour with alpha (255 = opaque).</summary>
public readonly record struct Rgba(byte R, byte G, byte B, byte A = 255)
{
    /// <summary>The same colour with alpha <paramref name="alpha"/>.</summary>
    public Rgba WithAlpha(byte alpha) => this with { A = alpha };
}

/// <summary>A width × height RGBA pixel buffer with the few drawing primitives the PNG charts need.</summary>
/// <remarks>Drawing blends source-over onto an opaque background; coordinates outside the canvas are clipped.
/// Lines use Xiaolin Wu's anti-aliasing so diagonal equity curves do not look jagged.</remarks>
public sealed class RgbaCanvas
{
    /// <summary>Creates a canvas filled with <paramref name="background"/>.</summary>
    public RgbaCanvas(int width, int height, Rgba background)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        Width = width;
        Height = height;
        Pixels = new byte[width * height * 4];
        for (var i = 0; i < Pixels.Length; i += 4)
        {
            Pixels[i] = background.R;
            Pixels[i + 1] = background.G;
            Pixels[i + 2] = background.B;
            Pixels[i + 3] = background.A;
        }
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Row-major RGBA bytes, four per pixel, top row first.</summary>
    public byte[] Pixels { get; }

    /// <summary>The colour at (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public Rgba GetPixel(int x, int y)
    {
        var i = Index(x, y);
        return new Rgba(Pixels[i], Pixels[i + 1], Pixels[i + 2], Pixels[i + 3]);
    }

    /// <summary>Blends <paramref name="color"/> at coverage <paramref name="coverage"/> (0..1) over the pixel.</summary>
    public void Blend(int x, int y, Rgba color, double coverage = 1)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height || coverage <= 0)
        {
            return;
        }

        var a = Math.Min(1, coverage) * color.A / 255.0;
        var i = Index(x, y);
        Pixels[i] = Mix(Pixels[i], color.R, a);
        Pixels[i + 1] = Mix(Pixels[i + 1], color.G, a);
        Pixels[i + 2] = Mix(Pixels[i + 2], color.B, a);
        Pixels[i + 3] = (byte)Math.Round(Pixels[i + 3] + (255 - Pixels[i + 3]) * a);
    }

    /// <summary>Fills the rectangle [x, x + w) × [y, y + h).</summary>
    public void FillRect(int x, int y, int w, int h, Rgba color)
    {
        var x0 = Math.Max(0, x);
        var y0 = Math.Max(0, y);
        var x1 = Math.Min(Width, x + w);
        var y1 = Math.Min(Height, y + h);
        for (var yy = y0; yy < y1; yy++)
        {
            for (var xx = x0; xx < x1; xx++)
            {
                Blend(xx, yy, color);
            }
        }
    }

    /// <summary>Outlines the rectangle [x, x + w) × [y, y + h) with a border <paramref name="thickness"/> pixels wide, drawn inside it.</summary>
    public void StrokeRect(int x, int y, int w, int h, int thickness, Rgba color)
    {
        var t = Math.Min(thickness, Math.Min(w, h) / 2);
        FillRect(x, y, w, t, color);
        FillRect(x, y + h - t, w, t, color);
        FillRect(x, y + t, t, h - 2 * t, color);
        FillRect(x + w - t, y + t, t, h - 2 * t, color);
    }

    /// <summary>Fills pixel column <paramref name="x"/> between two y positions (inclusive, in either order).</summary>
    public void FillColumn(int x, double yFrom, double yTo, Rgba color)
    {
        var top = (int)Math.Round(Math.Min(yFrom, yTo));
        var bottom = (int)Math.Round(Math.Max(yFrom, yTo));
        FillRect(x, top, 1, bottom - top + 1, color);
    }

    /// <summary>An anti-aliased one-pixel line (Xiaolin Wu); a horizontal line at integer y covers exactly row y.</summary>
    public void DrawLine(double x0, double y0, double x1, double y1, Rgba color)
    {
        if (!double.IsFinite(x0) || !double.IsFinite(y0) || !double.IsFinite(x1) || !double.IsFinite(y1))
        {
            return;
        }

        var steep = Math.Abs(y1 - y0) > Math.Abs(x1 - x0);
        if (steep)
        {
            (x0, y0) = (y0, x0);
            (x1, y1) = (y1, x1);
        }

        if (x0 > x1)
        {
            (x0, x1) = (x1, x0);
            (y0, y1) = (y1, y0);
        }

        var dx = x1 - x0;
        var gradient = dx == 0 ? 1 : (y1 - y0) / dx;

        // First endpoint.
        var xEnd = Math.Round(x0);
        var yEnd = y0 + gradient * (xEnd - x0);
        var xGap = 1 - Frac(x0 + 0.5);
        var xStart = (int)xEnd;
        Plot(steep, xStart, (int)Math.Floor(yEnd), color, (1 - Frac(yEnd)) * xGap);
        Plot(steep, xStart, (int)Math.Floor(yEnd) + 1, color, Frac(yEnd) * xGap);
        var intery = yEnd + gradient;

        // Second endpoint.
        xEnd = Math.Round(x1);
        yEnd = y1 + gradient * (xEnd - x1);
        xGap = Frac(x1 + 0.5);
        var xStop = (int)xEnd;
        if (xStop != xStart)
        {
            Plot(steep, xStop, (int)Math.Floor(yEnd), color, (1 - Frac(yEnd)) * xGap);
            Plot(steep, xStop, (int)Math.Floor(yEnd) + 1, color, Frac(yEnd) * xGap);
        }

        for (var x = xStart + 1; x < xStop; x++)
        {
            var yi = (int)Math.Floor(intery);
            Plot(steep, x, yi, color, 1 - Frac(intery));
            Plot(steep, x, yi + 1, color, Frac(intery));
            intery += gradient;
        }
    }

    /// <summary>A line <paramref name="width"/> pixels wide, drawn as parallel anti-aliased strokes.</summary>
    public void DrawThickLine(double x0, double y0, double x1, double y1, Rgba color, double width)
    {
        var length = Math.Sqrt((x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0));
        if (width <= 1 || length == 0)
        {
            DrawLine(x0, y0, x1, y1, color);
            return;
        }

        // Offsets along the normal, half a pixel apart, so the strokes overlap into a solid band.
        var nx = -(y1 - y0) / length;
        var ny = (x1 - x0) / length;
        for (var o = -(width - 1) / 2; o <= (width - 1) / 2 + 1e-9; o += 0.5)
        {
            DrawLine(x0 + nx * o, y0 + ny * o, x1 + nx * o, y1 + ny * o, color);
        }
    }

    /// <summary>A dashed horizontal line on row <paramref name="y"/> from <paramref name="x0"/> to <paramref name="x1"/>.</summary>
    public void DrawDashedHorizontal(int x0, int x1, int y, Rgba color, int dash = 4)
    {
        for (var x = x0; x <= x1; x++)
        {
            if ((x - x0) / dash % 2 == 0)
            {
                Blend(x, y, color);
            }
        }
    }

    /// <summary>Fills the triangle (a, b, c), testing pixel centres against its three edges.</summary>
    public void FillTriangle(double ax, double ay, double bx, double by, double cx, double cy, Rgba color)
    {
        var minX = (int)Math.Floor(Math.Min(ax, Math.Min(bx, cx)));
        var maxX = (int)Math.Ceiling(Math.Max(ax, Math.Max(bx, cx)));
        var minY = (int)Math.Floor(Math.Min(ay, Math.Min(by, cy)));
        var maxY = (int)Math.Ceiling(Math.Max(ay, Math.Max(by, cy)));
        var area = Edge(ax, ay, bx, by, cx, cy);
        if (area == 0)
        {
            return;
        }

        for (var y = minY; y <= maxY; y++)
        {
            for (var x = minX; x <= maxX; x++)
            {
                double px = x + 0.5, py = y + 0.5;
                var w0 = Edge(bx, by, cx, cy, px, py) / area;
                var w1 = Edge(cx, cy, ax, ay, px, py) / area;
                var w2 = Edge(ax, ay, bx, by, px, py) / area;
                if (w0 >= 0 && w1 >= 0 && w2 >= 0)
                {
                    Blend(x, y, color);
                }
            }
        }
    }

    /// <summary>Draws <paramref name="text"/> with <see cref="BitmapFont"/>; (x, y) is the top-left of the first glyph.</summary>
    public void DrawText(int x, int y, string text, Rgba color, int scale = 1)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var c in text)
        {
            var glyph = BitmapFont.Glyph(c);
            for (var row = 0; row < BitmapFont.GlyphHeight; row++)
            {
                for (var col = 0; col < BitmapFont.GlyphWidth; col++)
                {
                    if ((glyph[row] & (0x10 >> col)) != 0)
                    {
                        FillRect(x + col * scale, y + row * scale, scale, scale, color);
                    }
                }
            }

            x += BitmapFont.Advance * scale;
        }
    }

    private int Index(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
        {
            throw new ArgumentOutOfRangeException(nameof(x), $"({x}, {y}) is outside the {Width}x{Height} canvas.");
        }

        return (y * Width + x) * 4;
    }

    private void Plot(bool steep, int x, int y, Rgba color, double coverage)
    {
        if (steep)
        {
            Blend(y, x, color, coverage);
        }
        else
        {
            Blend(x, y, color, coverage);
        }
    }

    private static double Frac(double v) => v - Math.Floor(v);

    private static double Edge(double ax, double ay, double bx, double by, double px, double py) =>
        (bx - ax) * (py - ay) - (by - ay) * (px - ax);

    private static byte Mix(byte under, byte over, double alpha) => (byte)Math.Round(under + (over - under) * alpha);
}
