using ScottPlot;
using SkiaSharp;

namespace AiTrader.Reporting;

/// <summary>The one font every PNG chart draws its text with: DejaVu Sans, embedded in this assembly (Fonts/, with its
/// licence). SkiaSharp's Linux natives look for fonts only under /usr/share/fonts; where there are none (the slim .NET
/// container images) every title, tick and label rendered blank. With the font embedded, text renders everywhere and
/// the same on every machine.</summary>
public static class ReportFont
{
    /// <summary>The family name plots ask for.</summary>
    public const string Name = "DejaVu Sans";

    private const string Resource = "AiTrader.Reporting.Fonts.DejaVuSans.ttf";

    private static readonly Lazy<SKData> FontData = new(Load);

    private static readonly Lazy<bool> Registered = new(Register);

    /// <summary>Makes ScottPlot draw all text in the embedded font; call before a plot is made (a plot's labels take the
    /// default font when they are created). Idempotent.</summary>
    public static void Use() => _ = Registered.Value;

    /// <summary>A typeface of the embedded font (a new instance: ScottPlot may dispose what a resolver returns).</summary>
    public static SKTypeface Typeface() =>
        SKTypeface.FromData(FontData.Value) ?? throw new InvalidOperationException($"The embedded font {Resource} cannot be read; the build is damaged.");

    private static bool Register()
    {
        using (Typeface())
        {
            // Fails here, once, if the resource is missing or unreadable, rather than as blank text later.
        }

        Fonts.FontResolvers.Insert(0, new EmbeddedResolver());
        Fonts.Default = Name;
        return true;
    }

    private static SKData Load()
    {
        using var stream = typeof(ReportFont).Assembly.GetManifestResourceStream(Resource)
            ?? throw new InvalidOperationException($"The embedded font {Resource} is missing from {typeof(ReportFont).Assembly.GetName().Name}; the build is damaged.");
        return SKData.Create(stream);
    }

    /// <summary>Answers every font name with the embedded font: no PNG text depends on what the machine has installed.</summary>
    private sealed class EmbeddedResolver : IFontResolver
    {
        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) => Typeface();

        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) => Typeface();
    }
}
