using AiTrader.Core.Domain;
using Microsoft.Win32.SafeHandles;

namespace AiTrader.Core.MarketData;

public static partial class CsvBarParser
{
    /// <summary>Files at least this large are parsed in chunks side by side (about 170,000 minute rows).</summary>
    internal const long MinChunkBytes = 8L << 20;

    /// <summary>A large file parsed in chunks, one per core, cut after a line end: each chunk is decoded and parsed on
    /// its own with the header's columns, and the columns are joined in file order. Returns null (the caller parses
    /// the whole file in one pass) for a small file, a single core, a file that is not UTF-8, no line end to cut at, or
    /// any problem in a chunk or between two: the one-pass parser then gives the exact error with its line number.</summary>
    /// <param name="minChunkBytes">Smallest chunk (tests cut small files).</param>
    /// <param name="maxChunks">Most chunks: the cores, at most 8, by default.</param>
    internal static BarColumns? ParseInChunks(string path, long minChunkBytes = MinChunkBytes, int? maxChunks = null)
    {
        var most = maxChunks ?? Math.Min(Environment.ProcessorCount, 8);
        if (most < 2)
        {
            return null;
        }

        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        var length = RandomAccess.GetLength(handle);
        var chunks = (int)Math.Min(most, length / minChunkBytes);
        if (chunks < 2)
        {
            return null;
        }

        Span<byte> head = stackalloc byte[2];
        if (RandomAccess.Read(handle, head, 0) == 2 && (head[0] == 0xFE || head[0] == 0xFF || head[0] == 0 || head[1] == 0))
        {
            return null; // UTF-16 or UTF-32: the one-pass reader detects the encoding
        }

        var bounds = new long[chunks + 1];
        bounds[chunks] = length;
        var window = new byte[1 << 16];
        for (var k = 1; k < chunks; k++)
        {
            var at = length * k / chunks;
            var read = RandomAccess.Read(handle, window, at);
            var newline = window.AsSpan(0, read).IndexOf((byte)'\n');
            if (newline < 0 || at + newline + 1 <= bounds[k - 1])
            {
                return null;
            }

            bounds[k] = at + newline + 1;
        }

        var parts = new BarColumns[chunks];
        try
        {
            var first = new LineReader(Reader(handle, 0, bounds[1], detectBom: true));
            var (columns, headerLine) = ReadHeader(first, path);
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = chunks }, k =>
            {
                var capacity = (int)Math.Clamp((bounds[k + 1] - bounds[k]) / 44, 16, Array.MaxLength / 2);
                // Line numbers in later chunks count from the chunk's start; any error is reported by the one-pass parse.
                parts[k] = k == 0
                    ? ParseRows(first, columns, path, headerLine, capacity)
                    : ParseRows(new LineReader(Reader(handle, bounds[k], bounds[k + 1], detectBom: false)), columns, path, 0, capacity);
            });
        }
        catch (Exception e) when (e is AggregateException or MarketDataException)
        {
            return null;
        }

        for (var k = 1; k < chunks; k++)
        {
            if (parts[k].Ticks[0] <= parts[k - 1].Ticks[^1])
            {
                return null; // out of order or duplicated across the cut
            }
        }

        return Join(parts);
    }

    private static StreamReader Reader(SafeFileHandle handle, long start, long end, bool detectBom) =>
        new(new FileRangeStream(handle, start, end), System.Text.Encoding.UTF8, detectBom, 1 << 16);

    /// <summary>The rows of <paramref name="parts"/> in order as one set of columns, each column packed when every part's
    /// is, else plain decimals (as the one-pass parser widens a column at its first value that does not pack).</summary>
    private static BarColumns Join(BarColumns[] parts)
    {
        var count = parts.Sum(p => p.Count);
        var ticks = GC.AllocateUninitializedArray<long>(count);
        var at = 0;
        foreach (var part in parts)
        {
            part.Ticks.CopyTo(ticks.AsSpan(at));
            at += part.Count;
        }

        long[]? tradeCounts = null;
        if (parts[0].TradeCounts is not null)
        {
            tradeCounts = GC.AllocateUninitializedArray<long>(count);
            at = 0;
            foreach (var part in parts)
            {
                part.TradeCounts.AsSpan(0, part.Count).CopyTo(tradeCounts.AsSpan(at));
                at += part.Count;
            }
        }

        return new BarColumns(ticks,
            Join(parts, count, p => p.OpenColumn)!, Join(parts, count, p => p.HighColumn)!, Join(parts, count, p => p.LowColumn)!,
            Join(parts, count, p => p.CloseColumn)!, Join(parts, count, p => p.VolumeColumn)!, tradeCounts,
            Join(parts, count, p => p.VwapColumn), 0, count);
    }

    private static DecimalColumn? Join(BarColumns[] parts, int count, Func<BarColumns, DecimalColumn?> select)
    {
        var columns = parts.Select(select).ToArray();
        if (columns.All(c => c is null))
        {
            return null;
        }

        if (columns.All(c => c?.Packed is not null))
        {
            var packed = GC.AllocateUninitializedArray<long>(count);
            var at = 0;
            for (var k = 0; k < parts.Length; k++)
            {
                columns[k]!.Packed.AsSpan(0, parts[k].Count).CopyTo(packed.AsSpan(at));
                at += parts[k].Count;
            }

            return DecimalColumn.FromPacked(packed);
        }

        var wide = new decimal[count];
        bool[]? missing = null;
        var row = 0;
        for (var k = 0; k < parts.Length; k++)
        {
            var column = columns[k];
            for (var i = 0; i < parts[k].Count; i++, row++)
            {
                if (column is null || column.IsMissing(i))
                {
                    missing ??= new bool[count];
                    missing[row] = true;
                }
                else
                {
                    wide[row] = column[i];
                }
            }
        }

        return DecimalColumn.FromWide(wide, missing);
    }

    /// <summary>Bytes <c>[start, end)</c> of an open file as a forward-only stream (positional reads: the chunks share
    /// one handle).</summary>
    private sealed class FileRangeStream(SafeFileHandle handle, long start, long end) : Stream
    {
        private long _position = start;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var wanted = (int)Math.Min(buffer.Length, end - _position);
            if (wanted <= 0)
            {
                return 0;
            }

            var read = RandomAccess.Read(handle, buffer[..wanted], _position);
            _position += read;
            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
