using System.Globalization;
using AiTrader.Core.Backtesting.Sweeps;
using AiTrader.Core.Reporting;

namespace AiTrader.Core.Reporting.Sweeps;

/// <summary>The heat maps' diverging colour scale, red (worst) through yellow to green (best), shared by the SVG and PNG.</summary>
public static class HeatmapColorScale
{
    /// <summary>Colour at position 0: the worst defined cell.</summary>
    public static Rgba Worst { get; } = new(0xd7, 0x30, 0x27);

    /// <summary>Colour at position 0.5, and of every cell when all defined cells are equal.</summary>
    public static Rgba Middle { get; } = new(0xfe, 0xe0, 0x8b);

    /// <summary>Colour at position 1: the best defined cell.</summary>
    public static Rgba Best { get; } = new(0x1a, 0x98, 0x50);

    /// <summary>Fill of a cell whose metric is undefined.</summary>
    public static Rgba Undefined { get; } = new(0xdd, 0xdd, 0xdd);

    /// <summary>The colour at <paramref name="t"/> in [0, 1] (clamped), mixed linearly between the three stops.</summary>
    public static Rgba At(double t)
    {
        t = double.IsFinite(t) ? Math.Clamp(t, 0, 1) : 0.5;
        var (a, b, u) = t < 0.5 ? (Worst, Middle, t * 2) : (Middle, Best, (t - 0.5) * 2);
        byte Mix(byte p, byte q) => (byte)Math.Round(p + (q - p) * u);
        return new Rgba(Mix(a.R, b.R), Mix(a.G, b.G), Mix(a.B, b.B));
    }

    /// <summary><c>#rrggbb</c> in lower case.</summary>
    public static string Hex(Rgba color) =>
        string.Create(CultureInfo.InvariantCulture, $"#{color.R:x2}{color.G:x2}{color.B:x2}");
}
