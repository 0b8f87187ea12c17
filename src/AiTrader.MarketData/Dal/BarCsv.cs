using System.Globalization;
using System.Text;
using AiTrader.Core.Domain;
using AiTrader.Core.IO;

namespace AiTrader.MarketData.Dal;

/// <summary>The <c>timestamp,open,high,low,close,volume</c> CSV of <c>aitrader fetch --out</c>: the same bars give the same bytes.</summary>
public static class BarCsv
{
    public const string Header = "timestamp,open,high,low,close,volume";

    /// <summary>Header plus one line per bar, <c>\n</c> line ends, UTC <c>yyyy-MM-ddTHH:mm:ssZ</c> timestamps.</summary>
    public static string Format(IEnumerable<Bar> bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        var sb = new StringBuilder(Header).Append('\n');
        foreach (var bar in bars)
        {
            sb.Append(bar.Timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append(',')
                .Append(Number(bar.Open)).Append(',')
                .Append(Number(bar.High)).Append(',')
                .Append(Number(bar.Low)).Append(',')
                .Append(Number(bar.Close)).Append(',')
                .Append(Number(bar.Volume)).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Writes <see cref="Format"/> to <paramref name="path"/> atomically (temp file, then rename).</summary>
    public static Task WriteAsync(string path, IEnumerable<Bar> bars, CancellationToken cancellationToken = default)
    {
        var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(Format(bars));
        return AtomicFile.WriteAsync(path, (stream, ct) => stream.WriteAsync(bytes, ct).AsTask(), cancellationToken);
    }

    // Decimals read back from a Parquet snapshot carry scale 8 (167.65000000); trailing zeros are dropped so a
    // cached replay prints exactly what the first fetch printed.
    private static string Number(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);
}
