using System.Buffers.Binary;
using System.Text;
using AiTrader.Core.Domain;
using AiTrader.Core.IO;

namespace AiTrader.Core.MarketData;

/// <summary>A loaded <see cref="BarSeries"/> (its bars, in range, adjusted and resampled, and its data-quality flags) as
/// one file named by its content, so other machines can use exactly these bars without the CSV they came from: the
/// shared bar cache of a cluster's sweeps.</summary>
/// <remarks>
/// <para>The name is <c>{symbol}-{interval}-{hash}.bars</c>, the hash taken over the whole file but its own field: a
/// name stands for one content, so a file (or a blob) of that name is written once and never replaced, and a reader checks
/// the content against the name before it uses it. Files are written to a temporary name and renamed into place.</para>
/// <para>Layout (little-endian): a 64-byte header (magic, version, bar count, flag count and bytes, content hash, one kind
/// byte per column), the bars' columns as <see cref="BarFileCache"/> stores them, then each flag (int64 ticks, int32
/// length, UTF-8 reason).</para>
/// </remarks>
public static class BarSeriesSnapshot
{
    private const int HeaderSize = 64;
    private const int Version = 1;
    private const int HashAt = 40;
    private static readonly byte[] Magic = "AITRSNAP"u8.ToArray();

    /// <summary>The file name of <paramref name="series"/>' snapshot (its content's name).</summary>
    public static string NameOf(BarSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var (header, _) = Prepare(series, BarColumns.From(series.Bars));
        return NameIn(series, header);
    }

    /// <summary>Writes <paramref name="series"/>' snapshot into <paramref name="directory"/> unless a valid one is there,
    /// and returns its file name.</summary>
    public static string Write(string directory, BarSeries series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var columns = BarColumns.From(series.Bars);
        var (header, flags) = Prepare(series, columns);
        var name = NameIn(series, header);
        var path = Path.Combine(directory, name);
        if (TryRead(path, series.Symbol, series.Timeframe) is null)
        {
            // Not flushed to disk: a file torn by a power cut fails its hash and is fetched or written again.
            AtomicFile.Write(path, stream =>
            {
                stream.Write(header);
                BarFileCache.PutColumns(columns, bytes => stream.Write(bytes));
                stream.Write(flags);
            }, flushToDisk: false);
        }

        return name;
    }

    /// <summary>The series in the snapshot at <paramref name="path"/> when the file is whole and its content is what its
    /// name says; null otherwise (missing, torn, damaged, another format, or not <paramref name="symbol"/>'s
    /// <paramref name="timeframe"/> bars).</summary>
    /// <param name="readFrom">The file to read when it is not yet at <paramref name="path"/> (a download's temporary
    /// file, checked against the name it is to take).</param>
    public static BarSeries? TryRead(string path, Symbol symbol, Timeframe timeframe, string? readFrom = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var name = Path.GetFileName(path);
        var prefix = $"{symbol}-{timeframe}-";
        if (!name.StartsWith(prefix, StringComparison.Ordinal) || !name.EndsWith(".bars", StringComparison.Ordinal)
            || !ulong.TryParse(name.AsSpan(prefix.Length, name.Length - prefix.Length - ".bars".Length), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var named))
        {
            return null;
        }

        try
        {
            using var handle = File.OpenHandle(readFrom ?? path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var length = RandomAccess.GetLength(handle);
            var header = new byte[HeaderSize];
            if (length < HeaderSize || RandomAccess.Read(handle, header, 0) != HeaderSize || !header.AsSpan(0, 8).SequenceEqual(Magic)
                || BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8)) != Version)
            {
                return null;
            }

            var count = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12));
            var flagCount = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(16));
            var flagBytes = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(24));
            var hash = BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(HashAt));
            var kinds = header.AsSpan(48, 7).ToArray();
            if (hash != named || count < 0 || flagCount < 0 || flagBytes < 0 || !BarFileCache.ValidKinds(kinds)
                || length != HeaderSize + BarFileCache.PayloadLength(count, kinds) + flagBytes || flagBytes > int.MaxValue)
            {
                return null;
            }

            var reader = new BarFileCache.PayloadReader(handle, HeaderSize);
            reader.Hash.Append(HeaderForHash(header));
            var columns = BarFileCache.ReadColumns(reader, count, kinds);
            var flagData = new byte[flagBytes];
            reader.Fill(flagData);
            if (reader.Hash.Finish() != hash)
            {
                return null;
            }

            var flags = ReadFlags(flagData, flagCount);
            return flags is null ? null : new BarSeries(symbol, timeframe, columns, flags);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OutOfMemoryException or ArgumentException)
        {
            return null;
        }
    }

    private static string Name(Symbol symbol, Timeframe timeframe, ulong hash) => $"{symbol}-{timeframe}-{hash:x16}.bars";

    private static string NameIn(BarSeries series, byte[] header) =>
        Name(series.Symbol, series.Timeframe, BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(HashAt)));

    /// <summary>The header, with the content hash (taken over everything in the file but its own field), and the flags'
    /// bytes.</summary>
    private static (byte[] Header, byte[] Flags) Prepare(BarSeries series, BarColumns columns)
    {
        var flags = FlagBytes(series.Flags);
        var header = new byte[HeaderSize];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), Version);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), columns.Count);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), series.Flags.Count);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(24), flags.Length);
        BarFileCache.Kinds(columns).CopyTo(header, 48);
        var hash = new ContentHash();
        hash.Append(header);
        BarFileCache.PutColumns(columns, bytes => hash.Append(bytes));
        hash.Append(flags);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(HashAt), hash.Finish());
        return (header, flags);
    }

    /// <summary>The header with its hash field zeroed: what the content hash covers of it.</summary>
    private static byte[] HeaderForHash(byte[] header)
    {
        var copy = (byte[])header.Clone();
        copy.AsSpan(HashAt, 8).Clear();
        return copy;
    }

    private static byte[] FlagBytes(IReadOnlyList<BarFlag> flags)
    {
        using var buffer = new MemoryStream();
        Span<byte> fixedPart = stackalloc byte[12];
        foreach (var flag in flags)
        {
            var reason = Encoding.UTF8.GetBytes(flag.Reason);
            BinaryPrimitives.WriteInt64LittleEndian(fixedPart, flag.Timestamp.Ticks);
            BinaryPrimitives.WriteInt32LittleEndian(fixedPart[8..], reason.Length);
            buffer.Write(fixedPart);
            buffer.Write(reason);
        }

        return buffer.ToArray();
    }

    private static List<BarFlag>? ReadFlags(byte[] data, int count)
    {
        var flags = new List<BarFlag>(count);
        var at = 0;
        for (var i = 0; i < count; i++)
        {
            if (data.Length - at < 12)
            {
                return null;
            }

            var ticks = BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(at));
            var length = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(at + 8));
            at += 12;
            if (length < 0 || data.Length - at < length || ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
            {
                return null;
            }

            flags.Add(new BarFlag(new DateTime(ticks, DateTimeKind.Utc), Encoding.UTF8.GetString(data, at, length)));
            at += length;
        }

        return at == data.Length ? flags : null;
    }
}
