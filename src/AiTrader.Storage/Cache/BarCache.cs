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
    public Task<CachedBars> GetOrFetchAsync(
        CacheKey key,
        DateTime startUtc,
        DateTime endUtc,
        Func<DateTime, DateTime, CancellationToken, Task<IReadOnlyList<Bar>>> fetchMissing,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fetchMissing);
        return GetOrFetchAnsweredAsync(key, startUtc, endUtc,
            async (from, to, ct) => FetchedBars.Final(await fetchMissing(from, to, ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The fetch function returned null instead of a list of bars.")),
            cancellationToken);
    }

    /// <summary>
    /// Like <see cref="GetOrFetchAsync(CacheKey, DateTime, DateTime, Func{DateTime, DateTime, CancellationToken, Task{IReadOnlyList{Bar}}}, CancellationToken)"/>,
    /// but the fetch function says how final its answer is: a provisional answer is cached with an expiry (after which its
    /// range is uncovered again), and a part it did not answer is not cached at all. Final pieces that touch are merged into
    /// one snapshot; a provisional piece is always a snapshot of its own, so its expiry never drags final bars with it.
    /// </summary>
    public async Task<CachedBars> GetOrFetchAnsweredAsync(
        CacheKey key,
        DateTime startUtc,
        DateTime endUtc,
        Func<DateTime, DateTime, CancellationToken, Task<FetchedBars>> fetchMissing,
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
        Func<DateTime, DateTime, CancellationToken, Task<FetchedBars>> fetchMissing,
        CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var notes = new List<string>();
        var loaded = new List<(PriceSnapshot Snapshot, IReadOnlyList<Bar> Bars)>();
        var expired = new List<PriceSnapshot>();
        foreach (var snapshot in await _catalog.FindOverlappingAsync(key, range, cancellationToken).ConfigureAwait(false))
        {
            if (snapshot.ExpiresAtUtc is { } expires && expires <= now)
            {
                // A provisional answer past its time: the range is uncovered again and asked anew.
                expired.Add(snapshot);
                continue;
            }

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
            return new CachedBars(cached, CacheHit.Full, range, [], loaded.Count == 1 ? loaded[0].Snapshot : null, notes)
            {
                Provisional = loaded.Where(l => l.Snapshot.IsProvisional).Select(l => l.Snapshot).ToList(),
            };
        }

        // Pieces of the timeline after the fetch: loaded snapshots as they are, fetched gaps as answered.
        var finals = loaded.Where(l => !l.Snapshot.IsProvisional).Select(l => new Piece(l.Snapshot.Range, l.Bars, l.Snapshot)).ToList();
        var provisional = new List<(UtcRange Range, IReadOnlyList<Bar> Bars, TimeSpan For)>();
        var unanswered = new List<UtcRange>();
        var fetchedBars = new List<IReadOnlyList<Bar>>();
        foreach (var gap in gaps)
        {
            _logger.LogInformation("Fetching {Key} {Range} (not cached)", key, gap);
            var answer = await fetchMissing(gap.Start, gap.End, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The fetch function returned null instead of an answer.");
            var answered = Answered(gap, answer.AnsweredThroughUtc);
            if (answered is null || answered.Value.End < gap.End)
            {
                unanswered.Add(answered is null ? gap : new UtcRange(answered.Value.End + UtcRange.Resolution, gap.End));
            }

            if (answered is not { } part)
            {
                continue;
            }

            // Keep the snapshot's content equal to its declared range even if a vendor returns extra bars.
            var bars = answer.Bars.Where(b => part.Contains(b.Timestamp)).ToList();
            fetchedBars.Add(bars);
            if (answer.ProvisionalFor is { } ttl)
            {
                provisional.Add((part, bars, ttl));
            }
            else
            {
                finals.Add(new Piece(part, bars, null));
            }
        }

        var writes = new List<PriceSnapshot>();
        var absorbed = new List<PriceSnapshot>();
        foreach (var group in Contiguous(finals))
        {
            if (group.Count == 1 && group[0].Snapshot is not null)
            {
                continue; // an untouched cached snapshot
            }

            var groupRange = new UtcRange(group.Min(p => p.Range.Start), group.Max(p => p.Range.End));
            // Fetched bars come last so they win a timestamp tie (only possible if a vendor repeats a bar).
            var bars = Merge(group.OrderBy(p => p.Snapshot is null ? 1 : 0).Select(p => p.Bars), groupRange);
            var snapshot = await WriteSnapshotAsync(key, groupRange, bars, null, cancellationToken).ConfigureAwait(false);
            writes.Add(snapshot);
            absorbed.AddRange(group.Where(p => p.Snapshot is not null && p.Snapshot.Id != snapshot.Id).Select(p => p.Snapshot!));
        }

        var newProvisional = new List<PriceSnapshot>();
        foreach (var (part, bars, ttl) in provisional)
        {
            var snapshot = await WriteSnapshotAsync(key, part, bars, now + ttl, cancellationToken).ConfigureAwait(false);
            writes.Add(snapshot);
            newProvisional.Add(snapshot);
        }

        // A write over the same key and range updates the same row (and file): never discard what was just written.
        foreach (var old in absorbed.Concat(expired).DistinctBy(o => o.Id).Where(o => writes.All(w => w.Id != o.Id)))
        {
            await DiscardAsync(old, keepFile: writes.Any(w => w.Path == old.Path), cancellationToken).ConfigureAwait(false);
        }

        var written = writes.Count > 0 ? writes[0] : null;

        // Cached bars first, fetched last: a fetched bar wins a timestamp tie.
        var result = Merge(loaded.Select(l => l.Bars).Concat(fetchedBars), range);
        return new CachedBars(result, loaded.Count == 0 ? CacheHit.Miss : CacheHit.Partial, range, gaps, written, notes)
        {
            Provisional = [.. loaded.Where(l => l.Snapshot.IsProvisional).Select(l => l.Snapshot), .. newProvisional],
            Unanswered = unanswered,
        };
    }

    /// <summary>The answered part of <paramref name="gap"/>, or null when nothing of it was answered.</summary>
    private static UtcRange? Answered(UtcRange gap, DateTime? answeredThrough)
    {
        if (answeredThrough is not { } through)
        {
            return gap;
        }

        var end = UtcRange.Floor(through);
        return end < gap.Start ? null : new UtcRange(gap.Start, end < gap.End ? end : gap.End);
    }

    /// <summary>Final pieces grouped into runs that touch or overlap, in time order.</summary>
    private static List<List<Piece>> Contiguous(List<Piece> pieces)
    {
        var groups = new List<List<Piece>>();
        DateTime? groupEnd = null;
        foreach (var piece in pieces.OrderBy(p => p.Range.Start))
        {
            if (groupEnd is { } e && piece.Range.Start <= e + UtcRange.Resolution)
            {
                groups[^1].Add(piece);
                groupEnd = piece.Range.End > e ? piece.Range.End : e;
            }
            else
            {
                groups.Add([piece]);
                groupEnd = piece.Range.End;
            }
        }

        return groups;
    }

    /// <summary>A stretch of the timeline with its bars: a cached snapshot (Snapshot set) or a fetched answer.</summary>
    private sealed record Piece(UtcRange Range, IReadOnlyList<Bar> Bars, PriceSnapshot? Snapshot);

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

    private async Task<PriceSnapshot> WriteSnapshotAsync(CacheKey key, UtcRange range, IReadOnlyList<Bar> bars, DateTime? expiresAt,
        CancellationToken cancellationToken)
    {
        var relative = CachePaths.SnapshotPath(key, range);
        var checksum = await ParquetBarFile.WriteAsync(FullPath(relative), bars, cancellationToken).ConfigureAwait(false);
        var fetchedAt = _time.GetUtcNow().UtcDateTime;
        var snapshot = await _catalog.UpsertAsync(
            new PriceSnapshot(0, key, range, bars.Count, checksum, relative, fetchedAt, expiresAt), cancellationToken).ConfigureAwait(false);
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
