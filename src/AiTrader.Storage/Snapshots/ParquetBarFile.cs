using System.Security.Cryptography;
using AiTrader.Core.Domain;
using AiTrader.Core.IO;
using Parquet;
using Parquet.Schema;

namespace AiTrader.Storage;

/// <summary>Reads and writes bars as a Parquet file with an exact, deterministic encoding (see docs/reference/cache.md).</summary>
public static class ParquetBarFile
{
    /// <summary>Decimal places kept for prices (open, high, low, close, vwap) and volume.</summary>
    public const int Scale = 8;

    /// <summary>Digits of a price column: decimal(18,8), up to 9,999,999,999.99999999, stored as INT64.</summary>
    public const int PricePrecision = 18;

    /// <summary>Digits of the volume column: decimal(28,8), so split-adjusted share counts of old bars still fit.</summary>
    public const int VolumePrecision = 28;

    /// <summary>Bump when the column layout changes; readers reject files of another version.</summary>
    public const string FormatVersion = "1";

    private const string FormatVersionKey = "aitrader.bars.version";
    /// <summary>Largest price a price column holds.</summary>
    public const decimal MaxPrice = 9_999_999_999.99999999m;

    /// <summary>Largest volume the volume column holds.</summary>
    public const decimal MaxVolume = 99_999_999_999_999_999_999.99999999m;

    private static readonly DateTimeDataField TimestampField =
        new("timestamp", DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Micros, isNullable: false);

    private static readonly DecimalDataField OpenField = Price("open", nullable: false);
    private static readonly DecimalDataField HighField = Price("high", nullable: false);
    private static readonly DecimalDataField LowField = Price("low", nullable: false);
    private static readonly DecimalDataField CloseField = Price("close", nullable: false);
    private static readonly DecimalDataField VolumeField = new("volume", VolumePrecision, Scale, isNullable: false);
    private static readonly DataField<long?> TradeCountField = new("trade_count", true);
    private static readonly DecimalDataField VwapField = Price("vwap", nullable: true);

    private static readonly ParquetSchema Schema = new(
        TimestampField, OpenField, HighField, LowField, CloseField, VolumeField, TradeCountField, VwapField);

    /// <summary>Encodes bars (in the given order) as Parquet bytes. Throws <see cref="ArgumentException"/> for a
    /// value the columns cannot hold exactly: a non-UTC or sub-microsecond timestamp, more than 8 decimals, or a
    /// number too large — rounding silently would break the exact round trip.</summary>
    public static async Task<byte[]> SerializeAsync(IReadOnlyList<Bar> bars, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bars);
        var n = bars.Count;
        var timestamps = new DateTime[n];
        var open = new decimal[n];
        var high = new decimal[n];
        var low = new decimal[n];
        var close = new decimal[n];
        var volume = new decimal[n];
        var tradeCount = new long?[n];
        var vwap = new decimal?[n];
        for (var i = 0; i < n; i++)
        {
            var b = bars[i];
            timestamps[i] = CheckTimestamp(b.Timestamp, i);
            open[i] = CheckDecimal(b.Open, MaxPrice, "open", i);
            high[i] = CheckDecimal(b.High, MaxPrice, "high", i);
            low[i] = CheckDecimal(b.Low, MaxPrice, "low", i);
            close[i] = CheckDecimal(b.Close, MaxPrice, "close", i);
            volume[i] = CheckDecimal(b.Volume, MaxVolume, "volume", i);
            tradeCount[i] = b.TradeCount;
            vwap[i] = b.Vwap is { } v ? CheckDecimal(v, MaxPrice, "vwap", i) : null;
        }

        using var buffer = new MemoryStream();
        // Parquet.Net writes no clock time or random id; its created_by string is constant per library version,
        // so the same bars give the same bytes. One row group keeps the layout independent of option defaults.
        var options = new ParquetOptions { RowGroupSize = Math.Max(n, 1) };
        await using (var writer = await ParquetWriter.CreateAsync(Schema, buffer, options, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            writer.CustomMetadata = new Dictionary<string, string> { [FormatVersionKey] = FormatVersion };
            using var rowGroup = writer.CreateRowGroup();
            await rowGroup.WriteAsync<DateTime>(TimestampField, timestamps, cancellationToken: cancellationToken).ConfigureAwait(false);
            await rowGroup.WriteAsync<decimal>(OpenField, open, cancellationToken: cancellationToken).ConfigureAwait(false);
            await rowGroup.WriteAsync<decimal>(HighField, high, cancellationToken: cancellationToken).ConfigureAwait(false);
            await rowGroup.WriteAsync<decimal>(LowField, low, cancellationToken: cancellationToken).ConfigureAwait(false);
            await rowGroup.WriteAsync<decimal>(CloseField, close, cancellationToken: cancellationToken).ConfigureAwait(false);
            await rowGroup.WriteAsync<decimal>(VolumeField, volume, cancellationToken: cancellationToken).ConfigureAwait(false);
            await rowGroup.WriteAsync<long>(TradeCountField, tradeCount, cancellationToken: cancellationToken).ConfigureAwait(false);
            await rowGroup.WriteAsync<decimal>(VwapField, vwap, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        return buffer.ToArray();
    }

    /// <summary>Decodes bytes written by <see cref="SerializeAsync"/>. Throws <see cref="InvalidDataException"/> when
    /// they are not a bar file of this format version.</summary>
    public static async Task<IReadOnlyList<Bar>> DeserializeAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        try
        {
            using var stream = new MemoryStream(bytes.ToArray(), writable: false);
            await using var reader = await ParquetReader.CreateAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!reader.CustomMetadata.TryGetValue(FormatVersionKey, out var version) || version != FormatVersion)
            {
                throw new InvalidDataException($"Not an AI Trader bar file of format version {FormatVersion}.");
            }

            var bars = new List<Bar>();
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var rowGroup = reader.OpenRowGroupReader(g);
                var n = checked((int)rowGroup.RowCount);
                var timestamps = new DateTime[n];
                var open = new decimal[n];
                var high = new decimal[n];
                var low = new decimal[n];
                var close = new decimal[n];
                var volume = new decimal[n];
                var tradeCount = new long?[n];
                var vwap = new decimal?[n];
                await rowGroup.ReadAsync<DateTime>(TimestampField, timestamps, cancellationToken: cancellationToken).ConfigureAwait(false);
                await rowGroup.ReadAsync<decimal>(OpenField, open, cancellationToken: cancellationToken).ConfigureAwait(false);
                await rowGroup.ReadAsync<decimal>(HighField, high, cancellationToken: cancellationToken).ConfigureAwait(false);
                await rowGroup.ReadAsync<decimal>(LowField, low, cancellationToken: cancellationToken).ConfigureAwait(false);
                await rowGroup.ReadAsync<decimal>(CloseField, close, cancellationToken: cancellationToken).ConfigureAwait(false);
                await rowGroup.ReadAsync<decimal>(VolumeField, volume, cancellationToken: cancellationToken).ConfigureAwait(false);
                await rowGroup.ReadAsync<long>(TradeCountField, tradeCount, cancellationToken: cancellationToken).ConfigureAwait(false);
                await rowGroup.ReadAsync<decimal>(VwapField, vwap, cancellationToken: cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < n; i++)
                {
                    // The column is UTC-adjusted; pin Kind so Bar's UTC check holds whatever Kind the reader chose.
                    var ts = timestamps[i].Kind switch
                    {
                        DateTimeKind.Utc => timestamps[i],
                        DateTimeKind.Local => timestamps[i].ToUniversalTime(),
                        _ => DateTime.SpecifyKind(timestamps[i], DateTimeKind.Utc),
                    };
                    bars.Add(new Bar(ts, open[i], high[i], low[i], close[i], volume[i], tradeCount[i], vwap[i]));
                }
            }

            return bars;
        }
        catch (Exception ex) when (ex is not InvalidDataException and not OperationCanceledException)
        {
            throw new InvalidDataException($"Not a readable Parquet bar file: {ex.Message}", ex);
        }
    }

    /// <summary>Writes bars to <paramref name="path"/> atomically (temp file, then rename) and returns the SHA-256 of the bytes.</summary>
    public static async Task<string> WriteAsync(string path, IReadOnlyList<Bar> bars, CancellationToken cancellationToken = default)
    {
        var bytes = await SerializeAsync(bars, cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAsync(path, (stream, ct) => stream.WriteAsync(bytes, ct).AsTask(), cancellationToken)
            .ConfigureAwait(false);
        return Checksum(bytes);
    }

    /// <summary>Reads a bar file; with <paramref name="expectedChecksum"/> set, throws <see cref="InvalidDataException"/>
    /// when the bytes on disk are not the ones recorded.</summary>
    public static async Task<IReadOnlyList<Bar>> ReadAsync(string path, string? expectedChecksum = null, CancellationToken cancellationToken = default)
    {
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        if (expectedChecksum is not null && !string.Equals(Checksum(bytes), expectedChecksum, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException("Checksum mismatch: the file was changed or truncated after it was written.");
        }

        return await DeserializeAsync(bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lower-case hex SHA-256, the checksum recorded in the snapshot catalog.</summary>
    public static string Checksum(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static DecimalDataField Price(string name, bool nullable) =>
        new(name, PricePrecision, Scale, isNullable: nullable);

    private static DateTime CheckTimestamp(DateTime ts, int index)
    {
        if (ts.Kind != DateTimeKind.Utc || ts.Ticks % TimeSpan.TicksPerMicrosecond != 0)
        {
            throw new ArgumentException($"Bar {index} timestamp {ts:O} must be UTC and a whole number of microseconds.", "bars");
        }

        return ts;
    }

    private static decimal CheckDecimal(decimal value, decimal max, string column, int index)
    {
        if (Math.Abs(value) > max || decimal.Round(value, Scale) != value)
        {
            throw new ArgumentException(
                $"Bar {index} {column} {value} does not fit decimal({(max == MaxPrice ? PricePrecision : VolumePrecision)},{Scale}); round it to {Scale} decimals first.",
                "bars");
        }

        return value;
    }
}
