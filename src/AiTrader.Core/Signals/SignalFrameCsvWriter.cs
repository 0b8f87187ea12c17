using System.Globalization;
using System.Text;
using AiTrader.Core.IO;

namespace AiTrader.Core.Signals;

/// <summary>Writes <see cref="SignalFrame"/>s as CSV: invariant culture, UTC ISO timestamps, empty cells during warm-up.</summary>
public static class SignalFrameCsvWriter
{
    /// <summary>The header; the first twenty columns are a fixed contract (docs/reference/signals.md), extras follow.</summary>
    public const string Header =
        "timestamp,close,filtered_price,velocity,price_variance,prob_up,regime,open,high,low,volume," +
        "sma_20,ema_20,atr_14,rsi_14,donchian_high_20,donchian_low_20,zscore_20,bb_upper_20,bb_lower_20," +
        "vol_20,vwap,gap_pct,rvol,velocity_std,kalman_warmup,regime_reason";

    /// <summary>Writes the header and one line per frame.</summary>
    public static void Write(TextWriter writer, IEnumerable<SignalFrame> frames)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(frames);
        writer.Write(Header);
        writer.Write('\n');
        var line = new StringBuilder(256);
        foreach (var frame in frames)
        {
            line.Clear();
            AppendLine(line, frame);
            writer.Write(line);
        }
    }

    /// <summary>Writes the frames to <paramref name="path"/> atomically (temp file, then rename), UTF-8 without BOM.</summary>
    public static void WriteFile(string path, IEnumerable<SignalFrame> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16, leaveOpen: true);
            Write(writer, frames);
        });
    }

    /// <summary>Formats one frame as a CSV line (with the trailing newline) in header order.</summary>
    public static string FormatLine(SignalFrame frame)
    {
        var line = new StringBuilder(256);
        AppendLine(line, frame);
        return line.ToString();
    }

    private static void AppendLine(StringBuilder b, SignalFrame f)
    {
        ArgumentNullException.ThrowIfNull(f);
        b.Append(f.Timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append(',');
        b.Append(f.Close.ToString(CultureInfo.InvariantCulture)).Append(',');
        Number(b, f.FilteredPrice).Append(',');
        Number(b, f.Velocity).Append(',');
        Number(b, f.PriceVariance).Append(',');
        Number(b, f.ProbabilityUp).Append(',');
        b.Append(f.Regime.ToString()).Append(',');
        b.Append(f.Open.ToString(CultureInfo.InvariantCulture)).Append(',');
        b.Append(f.High.ToString(CultureInfo.InvariantCulture)).Append(',');
        b.Append(f.Low.ToString(CultureInfo.InvariantCulture)).Append(',');
        b.Append(f.Volume.ToString(CultureInfo.InvariantCulture)).Append(',');
        Number(b, f.Sma).Append(',');
        Number(b, f.Ema).Append(',');
        Number(b, f.Atr).Append(',');
        Number(b, f.Rsi).Append(',');
        Number(b, f.DonchianHigh).Append(',');
        Number(b, f.DonchianLow).Append(',');
        Number(b, f.ZScore).Append(',');
        Number(b, f.BollingerUpper).Append(',');
        Number(b, f.BollingerLower).Append(',');
        Number(b, f.Volatility).Append(',');
        Number(b, f.Vwap).Append(',');
        Number(b, f.GapPercent).Append(',');
        Number(b, f.RelativeVolume).Append(',');
        Number(b, f.VelocityStdDev).Append(',');
        b.Append(f.IsWarmup ? "true" : "false").Append(',');
        Text(b, f.RegimeLabel.Reason);
        b.Append('\n');
    }

    // Shortest round-trip formatting (the .NET default), so a reader parses back the exact double.
    private static StringBuilder Number(StringBuilder b, double? value) =>
        value is { } v && double.IsFinite(v) ? b.Append(v.ToString(CultureInfo.InvariantCulture)) : b;

    // RFC 4180: quote when the text holds a separator, a quote or a line break; double the quotes inside.
    private static void Text(StringBuilder b, string value)
    {
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            b.Append(value);
            return;
        }

        b.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
