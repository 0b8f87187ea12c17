using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;
using AiTrader.Core.Domain;
using AiTrader.Core.IO;

namespace AiTrader.Core.MarketData;

/// <summary>How a load through <see cref="BarFileCache"/> went.</summary>
public enum BarCacheOutcome
{
    /// <summary>The columns came from the cache.</summary>
    Hit,

    /// <summary>No usable cache entry: the CSV was parsed and the entry written.</summary>
    Miss,

    /// <summary>The entry was unreadable or did not match its checksum: the CSV was parsed again and the entry rewritten.</summary>
    Corrupt,

    /// <summary>The entry was for an older version of the file (size, time or content changed): parsed and rewritten.</summary>
    Stale,
}

/// <summary>Keeps parsed bar files as columns on disk so a later run loads them at memory speed instead of parsing the
/// CSV again: one binary file per source file, holding the columns of <see cref="BarColumns"/> as they are in memory.</summary>
/// <remarks>
/// <para>An entry is used only when the source file still has the size, modification time and content hash recorded
/// in it, and its own payload matches its checksum; anything else (a changed file, a truncated or damaged entry, an
/// older format) is a miss: the CSV is parsed again, with its usual one-line errors, and the entry rewritten. Entries
/// are written to a temporary file and renamed into place, so a reader sees a whole entry or none; they are not
/// flushed to disk (a cache entry torn by a power cut fails its checksum and is rebuilt).</para>
/// <para>Layout (little-endian): a 64-byte header (magic, version, bar count, source size, time and hash, payload hash,
/// one kind byte per column), then the timestamps (int64 ticks), then open, high, low, close, volume, trade count and
/// VWAP, each either packed int64s (<see cref="DecimalColumn"/>) or 16-byte decimals plus a missing-value byte each.</para>
/// </remarks>
public sealed class BarFileCache
{
    private const int HeaderSize = 64;
    private const int Version = 1;
    private static readonly byte[] Magic = "AITRBARS"u8.ToArray();

    private readonly Dictionary<string, BarCacheOutcome> _outcomes = new(StringComparer.Ordinal);

    // Entries being written in the background, by entry path (all instances: two caches may share a folder).
    private static readonly ConcurrentDictionary<string, Task> Pending = new(StringComparer.Ordinal);

    /// <param name="directory">Folder for the entries (created on first write).</param>
    /// <param name="writeBehind">Write a new entry on another core while the caller goes on with the bars; whoever
    /// asks for this calls <see cref="WaitForPendingWrites"/> before the process ends or the folder is removed.</param>
    public BarFileCache(string directory, bool writeBehind = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        WriteBehind = writeBehind;
    }

    /// <summary>Whether new entries are written on another core (see the constructor).</summary>
    public bool WriteBehind { get; }

    public string Directory { get; }

    /// <summary>What the last load of each file did, by the file's full path.</summary>
    public IReadOnlyDictionary<string, BarCacheOutcome> Outcomes()
    {
        lock (_outcomes)
        {
            return new Dictionary<string, BarCacheOutcome>(_outcomes, StringComparer.Ordinal);
        }
    }

    /// <summary>What the last load of <paramref name="path"/> did (null before any).</summary>
    public BarCacheOutcome? OutcomeOf(string path)
    {
        lock (_outcomes)
        {
            return _outcomes.TryGetValue(Path.GetFullPath(path), out var o) ? o : null;
        }
    }

    /// <summary>The columns of the CSV file at <paramref name="path"/>: from the cache when its entry is current and
    /// intact, else from <paramref name="parse"/> (whose errors propagate), written back for the next run.</summary>
    public BarColumns Load(string path, Func<string, BarColumns> parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var full = Path.GetFullPath(path);
        var entry = EntryPath(full);
        var outcome = BarCacheOutcome.Miss;
        SourceStamp? source;
        if (Pending.TryGetValue(entry, out var writing))
        {
            writing.GetAwaiter().GetResult(); // this process is still writing the entry: read it once it is whole
        }

        if (File.Exists(entry))
        {
            // The source file is hashed on another core while the entry is read; the two meet before the entry is used.
            var stamping = Task.Run(() => SourceStamp.Of(full));
            outcome = TryRead(entry, stamping, out var cached);
            source = stamping.GetAwaiter().GetResult();
            if (cached is not null)
            {
                Record(full, BarCacheOutcome.Hit);
                return cached;
            }
        }
        else
        {
            source = SourceStamp.Of(full);
        }

        var columns = parse(path);
        Record(full, outcome);
        // Written only when the file's size and time did not change while it was parsed. Its content needs no second
        // hash: the entry keeps the hash taken before the parse, and every later load compares it with the file's
        // content then, so bars parsed from a file that changed underneath are never used.
        if (source is { } before && SourceStamp.SizeAndTimeUnchanged(full, before))
        {
            if (!WriteBehind)
            {
                TryWrite(entry, before, columns);
                return columns;
            }

            // Written on another core while the caller goes on with the bars (the columns are immutable); a later load
            // of the same entry, and the owner of the cache (WaitForPendingWrites), wait for it.
            Task write = null!;
            write = new Task(() =>
            {
                try
                {
                    TryWrite(entry, before, columns);
                }
                finally
                {
                    Pending.TryRemove(new KeyValuePair<string, Task>(entry, write));
                }
            });
            Pending[entry] = write;
            write.Start(TaskScheduler.Default);
        }

        return columns;
    }

    /// <summary>Waits until every cache entry this process started writing is on disk (or given up): a command calls it
    /// before it exits, so no entry is left half-written as a temporary file.</summary>
    public static void WaitForPendingWrites()
    {
        foreach (var write in Pending.Values)
        {
            write.GetAwaiter().GetResult();
        }
    }

    private void Record(string path, BarCacheOutcome outcome)
    {
        lock (_outcomes)
        {
            _outcomes[path] = outcome;
        }
    }

    /// <summary>The entry's file name: a hash of the source's full path, so two folders' SPY.csv do not collide.</summary>
    private string EntryPath(string fullSourcePath)
    {
        var key = ContentHash.Of(Encoding.UTF8.GetBytes(fullSourcePath));
        return Path.Combine(Directory, $"{Path.GetFileNameWithoutExtension(fullSourcePath)}-{key:x16}.bars");
    }

    /// <summary>Size, modification time and content hash of a source file.</summary>
    private readonly record struct SourceStamp(long Size, long WriteTicks, ulong Hash)
    {
        public static SourceStamp? Of(string path)
        {
            try
            {
                var info = new FileInfo(path);
                if (!info.Exists)
                {
                    return null;
                }

                var hash = new ContentHash();
                var buffer = new byte[1 << 20];
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                int read;
                while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                {
                    hash.Append(buffer.AsSpan(0, read));
                }

                return new SourceStamp(info.Length, info.LastWriteTimeUtc.Ticks, hash.Finish());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        public static bool SizeAndTimeUnchanged(string path, SourceStamp before)
        {
            var info = new FileInfo(path);
            return info.Exists && info.Length == before.Size && info.LastWriteTimeUtc.Ticks == before.WriteTicks;
        }
    }

    /// <summary>Reads the entry and checks it against its own checksum and against the source's stamp (awaited only
    /// once the payload is in, so the two overlap); a missing source gives no columns.</summary>
    private static BarCacheOutcome TryRead(string entry, Task<SourceStamp?> source, out BarColumns? columns)
    {
        columns = null;
        try
        {
            using var handle = File.OpenHandle(entry, FileMode.Open, FileAccess.Read, FileShare.Read);
            var length = RandomAccess.GetLength(handle);
            Span<byte> header = stackalloc byte[HeaderSize];
            if (length < HeaderSize || RandomAccess.Read(handle, header, 0) != HeaderSize || !header[..8].SequenceEqual(Magic)
                || BinaryPrimitives.ReadInt32LittleEndian(header[8..]) != Version)
            {
                return Discard(entry, BarCacheOutcome.Corrupt);
            }

            var count = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
            var size = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
            var ticksStamp = BinaryPrimitives.ReadInt64LittleEndian(header[24..]);
            var hash = BinaryPrimitives.ReadUInt64LittleEndian(header[32..]);
            var payloadHash = BinaryPrimitives.ReadUInt64LittleEndian(header[40..]);
            var kinds = header.Slice(48, 7).ToArray();
            if (count < 0 || !ValidKinds(kinds) || length != HeaderSize + PayloadLength(count, kinds))
            {
                return Discard(entry, BarCacheOutcome.Corrupt);
            }

            var reader = new PayloadReader(handle, HeaderSize);
            var read = ReadColumns(reader, count, kinds);
            if (reader.Hash.Finish() != payloadHash)
            {
                return Discard(entry, BarCacheOutcome.Corrupt);
            }

            if (source.GetAwaiter().GetResult() is not { } stamp)
            {
                return BarCacheOutcome.Miss;
            }

            if (size != stamp.Size || ticksStamp != stamp.WriteTicks || hash != stamp.Hash)
            {
                return BarCacheOutcome.Stale;
            }

            columns = read;
            return BarCacheOutcome.Hit;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OutOfMemoryException or ArgumentException)
        {
            return Discard(entry, BarCacheOutcome.Corrupt);
        }
    }

    private static BarCacheOutcome Discard(string entry, BarCacheOutcome outcome)
    {
        try
        {
            File.Delete(entry);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Rewritten (or left) by the next successful write; the CSV is read either way.
        }

        return outcome;
    }

    /// <summary>Bytes of the columns of <paramref name="count"/> bars stored as <paramref name="kinds"/> (shared with
    /// <see cref="BarSeriesSnapshot"/>).</summary>
    internal static long PayloadLength(int count, byte[] kinds)
    {
        long length = 8L * count;
        foreach (var (kind, i) in kinds.Select((k, i) => (k, i)))
        {
            length += i == 5 ? (kind == 1 ? 8L * count : 0) : kind switch { 1 => 8L * count, 2 => 17L * count, _ => 0 };
        }

        return length;
    }

    private static byte Kind(DecimalColumn? column) => column is null ? (byte)0 : column.Packed is not null ? (byte)1 : (byte)2;

    /// <summary>How each of the seven columns of <paramref name="columns"/> is stored: 0 absent, 1 packed, 2 wide.</summary>
    internal static byte[] Kinds(BarColumns columns) =>
    [
        Kind(columns.OpenColumn), Kind(columns.HighColumn), Kind(columns.LowColumn), Kind(columns.CloseColumn),
        Kind(columns.VolumeColumn), columns.TradeCounts is null ? (byte)0 : (byte)1, Kind(columns.VwapColumn),
    ];

    /// <summary>Puts the columns of <paramref name="columns"/> (its view alone) in the entry's order.</summary>
    internal static void PutColumns(BarColumns columns, SpanSink put)
    {
        var (offset, count) = (columns.Offset, columns.Count);
        put(MemoryMarshal.AsBytes(columns.AllTicks.AsSpan(offset, count)));
        foreach (var column in new[] { columns.OpenColumn, columns.HighColumn, columns.LowColumn, columns.CloseColumn, columns.VolumeColumn })
        {
            PutColumn(column, offset, count, put);
        }

        if (columns.TradeCounts is { } trades)
        {
            put(MemoryMarshal.AsBytes(trades.AsSpan(offset, count)));
        }

        if (columns.VwapColumn is { } vwap)
        {
            PutColumn(vwap, offset, count, put);
        }
    }

    /// <summary>Reads <paramref name="count"/> bars' columns stored as <paramref name="kinds"/> (see <see cref="PutColumns"/>).</summary>
    internal static BarColumns ReadColumns(PayloadReader reader, int count, byte[] kinds)
    {
        var ticks = reader.Longs(count);
        var open = reader.Column(kinds[0], count)!;
        var high = reader.Column(kinds[1], count)!;
        var low = reader.Column(kinds[2], count)!;
        var close = reader.Column(kinds[3], count)!;
        var volume = reader.Column(kinds[4], count)!;
        var trades = kinds[5] == 1 ? reader.Longs(count) : null;
        var vwap = reader.Column(kinds[6], count);
        return new BarColumns(ticks, open, high, low, close, volume, trades, vwap, 0, count);
    }

    /// <summary>Whether <paramref name="kinds"/> is a layout an entry can have.</summary>
    internal static bool ValidKinds(byte[] kinds) => !(kinds.Any(k => k > 2) || kinds[..5].Any(k => k == 0) || kinds[5] == 2);

    private static void TryWrite(string entry, SourceStamp stamp, BarColumns columns)
    {
        if (columns.Offset != 0 || columns.Count != columns.AllTicks.Length)
        {
            return;
        }

        try
        {
            var count = columns.Count;
            var kinds = Kinds(columns);
            // Not flushed to disk: an entry torn by a power cut fails its checksum and is rebuilt.
            AtomicFile.Write(entry, stream =>
            {
                stream.SetLength(HeaderSize + PayloadLength(count, kinds));
                stream.Position = HeaderSize;
                var hash = new ContentHash();
                void Put(ReadOnlySpan<byte> bytes)
                {
                    hash.Append(bytes);
                    stream.Write(bytes);
                }

                PutColumns(columns, Put);

                Span<byte> header = stackalloc byte[HeaderSize];
                header.Clear();
                Magic.CopyTo(header);
                BinaryPrimitives.WriteInt32LittleEndian(header[8..], Version);
                BinaryPrimitives.WriteInt32LittleEndian(header[12..], count);
                BinaryPrimitives.WriteInt64LittleEndian(header[16..], stamp.Size);
                BinaryPrimitives.WriteInt64LittleEndian(header[24..], stamp.WriteTicks);
                BinaryPrimitives.WriteUInt64LittleEndian(header[32..], stamp.Hash);
                BinaryPrimitives.WriteUInt64LittleEndian(header[40..], hash.Finish());
                kinds.CopyTo(header[48..]);
                stream.Position = 0;
                stream.Write(header);
            }, flushToDisk: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A cache that cannot be written (read-only folder, full disk) only costs the next run a parse; AtomicFile
            // has deleted its temporary file.
        }
    }

    internal delegate void SpanSink(ReadOnlySpan<byte> bytes);

    private static void PutColumn(DecimalColumn column, int offset, int count, SpanSink put)
    {
        if (column.Packed is { } packed)
        {
            put(MemoryMarshal.AsBytes(packed.AsSpan(offset, count)));
            return;
        }

        put(MemoryMarshal.AsBytes(column.Wide.AsSpan(offset, count)));
        var missing = new byte[count];
        if (column.MissingWide is { } m)
        {
            for (var i = 0; i < count; i++)
            {
                missing[i] = m[offset + i] ? (byte)1 : (byte)0;
            }
        }

        put(missing);
    }

    /// <summary>Reads the payload's arrays straight into managed arrays and hashes them on the way.</summary>
    internal sealed class PayloadReader(Microsoft.Win32.SafeHandles.SafeFileHandle handle, long offset)
    {
        private long _offset = offset;

        public ContentHash Hash = new();

        public long[] Longs(int count)
        {
            var values = GC.AllocateUninitializedArray<long>(count);
            Fill(MemoryMarshal.AsBytes(values.AsSpan()));
            return values;
        }

        public DecimalColumn? Column(byte kind, int count)
        {
            switch (kind)
            {
                case 0:
                    return null;
                case 1:
                    return DecimalColumn.FromPacked(Longs(count));
                default:
                    var wide = new decimal[count];
                    Fill(MemoryMarshal.AsBytes(wide.AsSpan()));
                    var flags = new byte[count];
                    Fill(flags);
                    var missing = flags.Any(f => f != 0) ? flags.Select(f => f != 0).ToArray() : null;
                    return DecimalColumn.FromWide(wide, missing);
            }
        }

        public void Fill(Span<byte> target)
        {
            var done = 0;
            while (done < target.Length)
            {
                var read = RandomAccess.Read(handle, target[done..], _offset + done);
                if (read <= 0)
                {
                    throw new IOException("The cache entry ended early.");
                }

                done += read;
            }

            Hash.Append(target);
            _offset += target.Length;
        }
    }
}
