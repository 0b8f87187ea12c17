namespace AiTrader.Core.Reporting;

/// <summary>An sRGB colour with alpha (255 = opaque).</summary>
public readonly record struct Rgba(byte R, byte G, byte B, byte A = 255)
{
    /// <summary>The same colour with alpha <paramref name="alpha"/>.</summary>
    public Rgba WithAlpha(byte alpha) => this with { A = alpha };
}
