using System.Collections.Concurrent;
using AiTrader.Core.Domain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiTrader.Storage;

/// <summary>A read-through cache of vendor bars: Parquet snapshots on disk, indexed by an <see cref="ISnapshotCatalog"/>.</summary>
/// <remarks>Every range is taken as final. Vendors revise the current session until it closes, so the caller (the
/// DAL) must clip a request's end to a time whose bars are final before asking the cache.</remarks>
public sealed class BarCache
{
    private readonly ISnapshotCatalog _catalog;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<CacheKey, SemaphoreSlim> _keyLocks = new();

    /// <param name="catalog">Where snapshot metadata is kept.</param>
    /// <param name="cacheDirectory">Root of the snapshot files; see <see cref="CachePaths.ResolveCacheDirectory"/>.</param>
    /// <param name="timeProvider">Clock for <c>fetched_at</c>; the system clock by default.</param>
    /// <param name="logger">Receives one line per fetch, write and discarded snapshot.</param>
    public BarCache(ISnapshotCatalog catalog, string cacheDirectory, TimeProvider? timeProvider = null, ILogger<BarCache>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(cacheDirectory);
        _catalog = catalog;
        CacheDirectory = Path.GetFullPath(cacheDirectory);
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    public string CacheDirectory { get; }

    /// <summary>
    /// Returns the bars of <paramref name="key"/> in the inclusive range [<paramref name="startUtc"/>, <paramref name="endUtc"/>].
    /// Snapshots covering the whole range answer it without calling <paramref name="fetchMissing"/>; otherwise
    /// <paramref name="fetchMissing"/> is called once per uncovered sub-range (inclusive bounds, whole microseconds),
    /// and the cached and fetched bars are merged into one new snapshot that replaces the ones it absorbed.
    /// A snapshot whose file is missing or fails its checksum is dropped and its range fetched again.
    /// </summary>
    public async Task<CachedBars> GetOrFetchAsync(
        CacheKey key,
        DateTime startUtc,
        DateTime endUtc,
        Func<DateTime, DateTime, CancellationToken, Task<IReadOnlyList<Bar>>> fetchMissing,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(fetchMissing);
        var range = UtcRange.Normalize(startUtc, endUtc);

        // One request per key at a time in this process, so two callers don't both fetch and write the same range.
        var keyLock = _keyLocks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await keyLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await GetOrFetchLockedAsync(key, range, fetchMissing, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            keyLock.Release();
        }
    }

    /// <summary>The full path of a snapshot file.</summary>
    public string FullPath(PriceSnapshot snapshot) => FullPath(snapshot.Path);

    private async Task<CachedBars> GetOrFetchLockedAsync(
        CacheKey key,
        UtcRange range,
        Func<DateTime, DateTime, CancellationToken, Task<IReadOnlyList<Bar>>> fetchMissing,
        CancellationToken cancellationToken)
    {
        var notes = new List<string>();
        var loaded = new List<(PriceSnapshot Snapshot, IReadOnlyList<Bar> Bars)>();
        foreach (var snapshot in await _catalog.FindOverlappingAsync(key, range, cancellationToken).ConfigureAwait(false))
        {
            var bars = await TryLoadAsync(snapshot, notes, cancellationToken).ConfigureAwait(false);
            if (bars is not null)
            {
                loaded.Add((snapshot, bars));
            }
        }

        var gaps = Gaps(range, loaded.Select(l => l.Snapshot.Range));
        if (gaps.Count == 0)
        {
            _logger.LogDebug("Cache hit for {Key} {Range} from {Snapshots} snapshot(s)", key, range, loaded.Count);
            var cached = Merge(loaded.Select(l => l.Bars), range);
            return new CachedBars(cached, CacheHit.Full, range, [], loaded.Count == 1 ? loaded[0].Snapshot : null, notes);
        }

        var fetched = new List<IReadOnlyList<Bar>>();
        foreach (var gap in gaps)
        {
            _logger.LogInformation("Fetching {Key} {Range} (not cached)", key, gap);
            var bars = await fetchMissing(gap.Start, gap.End, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The fetch function returned null instead of a list of bars.");

            // Keep the snapshot's content equal to its declared range even if a vendor returns extra bars.
            fetched.Add(bars.Where(b => gap.Contains(b.Timestamp)).ToList());
        }

        var union = loaded.Aggregate(range, (r, l) => new UtcRange(
            l.Snapshot.Range.Start < r.Start ? l.Snapshot.Range.Start : r.Start,
            l.Snapshot.Range.End > r.End ? l.Snapshot.Range.End : r.End));

        // Fetched bars come last so they win a timestamp tie (only possible if a vendor repeats a bar).
        var all = Merge(loaded.Select(l => l.Bars).Concat(fetched), union);
        var written = await WriteSnapshotAsync(key, union, all, cancellationToken).ConfigureAwait(false);

        foreach (var (old, _) in loaded)
        {
            if (old.Id != written.Id)
            {
                await DiscardAsync(old, keepFile: old.Path == written.Path, cancellationToken).ConfigureAwait(false);
            }
        }

        var result = all.Where(b => range.Contains(b.Timestamp)).ToList();
        return new CachedBars(result, loaded.Count == 0 ? CacheHit.Miss : CacheHit.Partial, range, gaps, written, notes);
    }

    private async Task<IReadOnlyList<Bar>?> TryLoadAsync(PriceSnapshot snapshot, List<string> notes, CancellationToken cancellationToken)
    {
        string? problem;
        try
        {
            var bars = await ParquetBarFile.ReadAsync(FullPath(snapshot.Path), snapshot.Checksum, cancellationToken).ConfigureAwait(false);
            if (bars.Count == snapshot.Rows)
            {
                return bars;
            }

            problem = $"holds {bars.Count} rows, the catalog says {snapshot.Rows}";
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            problem = "is missing";
        }
        catch (InvalidDataException ex)
        {
            problem = $"is corrupt ({ex.Message})";
        }

        var note = $"Snapshot {snapshot.Path} {problem}; discarded it and re-fetching {snapshot.Range}.";
        notes.Add(note);
        _logger.LogWarning("Snapshot {Path} {Problem}; discarded it and re-fetching {Range}", snapshot.Path, problem, snapshot.Range);
        await DiscardAsync(snapshot, keepFile: false, cancellationToken).ConfigureAwait(false);
        return null;
    }

    private async Task<PriceSnapshot> WriteSnapshotAsync(CacheKey key, UtcRange range, IReadOnlyList<Bar> bars, CancellationToken cancellationToken)
    {
        var relative = CachePaths.SnapshotPath(key, range);
        var checksum = await ParquetBarFile.WriteAsync(FullPath(relative), bars, cancellationToken).ConfigureAwait(false);
        var fetchedAt = _time.GetUtcNow().UtcDateTime;
        var snapshot = await _catalog.UpsertAsync(
            new PriceSnapshot(0, key, range, bars.Count, checksum, relative, fetchedAt), cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Cached {Rows} bars of {Key} {Range} in {Path}", bars.Count, key, range, relative);
        return snapshot;
    }

    private async Task DiscardAsync(PriceSnapshot snapshot, bool keepFile, CancellationToken cancellationToken)
    {
        // Catalog row first: a row without a file is detected and re-fetched, a file without a row is just unused.
        await _catalog.DeleteAsync(snapshot.Id, cancellationToken).ConfigureAwait(false);
        if (!keepFile)
        {
            try
            {
                File.Delete(FullPath(snapshot.Path));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _logger.LogWarning("Could not delete superseded snapshot {Path}: {Reason}", snapshot.Path, ex.Message);
            }
        }
    }

    private string FullPath(string relative) => Path.Combine(CacheDirectory, relative.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>Parts of <paramref name="range"/> that no covered range reaches, in order.</summary>
    internal static IReadOnlyList<UtcRange> Gaps(UtcRange range, IEnumerable<UtcRange> covered)
    {
        var gaps = new List<UtcRange>();
        var cursor = range.Start; // first instant not yet known to be covered
        foreach (var c in covered.Where(c => c.Overlaps(range)).OrderBy(c => c.Start))
        {
            if (c.Start > cursor)
            {
                gaps.Add(new UtcRange(cursor, c.Start - UtcRange.Resolution));
            }

            if (c.End >= range.End)
            {
                return gaps;
            }

            if (c.End >= cursor)
            {
                cursor = c.End + UtcRange.Resolution;
            }
        }

        gaps.Add(new UtcRange(cursor, range.End));
        return gaps;
    }

    /// <summary>Bars inside <paramref name="range"/>, sorted by time; on a repeated timestamp the later list wins.</summary>
    private static List<Bar> Merge(IEnumerable<IReadOnlyList<Bar>> lists, UtcRange range)
    {
        var byTime = new SortedDictionary<DateTime, Bar>();
        foreach (var list in lists)
        {
            foreach (var bar in list)
            {
                if (range.Contains(bar.Timestamp))
                {
                    byTime[bar.Timestamp] = bar;
                }
            }
        }

        return byTime.Values.ToList();
    }
}
