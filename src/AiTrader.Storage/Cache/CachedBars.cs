using AiTrader.Core.Domain;

namespace AiTrader.Storage;

/// <summary>How much of a request the cache could answer without calling the vendor.</summary>
public enum CacheHit
{
    /// <summary>Nothing usable was cached; the whole range was fetched.</summary>
    Miss,

    /// <summary>Part of the range was cached; only the missing sub-ranges were fetched.</summary>
    Partial,

    /// <summary>The whole range was served from snapshots; no fetch was made.</summary>
    Full,
}

/// <summary>The answer of <see cref="BarCache.GetOrFetchAsync"/>: bars in the requested range and how they were obtained.</summary>
/// <param name="Bars">Bars with timestamps inside the requested range, sorted, one per timestamp.</param>
/// <param name="CacheHit">Whether the cache answered fully, partly or not at all.</param>
/// <param name="Range">The requested range as the cache used it (rounded inward to whole microseconds).</param>
/// <param name="FetchedRanges">The ranges passed to the fetch function, in order; empty on a full hit.</param>
/// <param name="Snapshot">The snapshot now holding the range: the new one after a fetch, null on a full hit
/// served from several snapshots.</param>
/// <param name="Notes">Things the caller may want to log, such as a corrupt snapshot that was discarded and re-fetched.</param>
public sealed record CachedBars(
    IReadOnlyList<Bar> Bars,
    CacheHit CacheHit,
    UtcRange Range,
    IReadOnlyList<UtcRange> FetchedRanges,
    PriceSnapshot? Snapshot,
    IReadOnlyList<string> Notes);
