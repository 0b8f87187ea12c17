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
/// <param name="Provisional">Provisional snapshots (short answers, see <see cref="PriceSnapshot.ExpiresAtUtc"/>) that
/// overlap the range, whether written now or read from the cache; empty when every bar served is final.</param>
/// <param name="Unanswered">Parts of the range the fetch function did not answer (cut short, e.g. by a quota); they are
/// not cached and are fetched again next time.</param>
public sealed record CachedBars(
    IReadOnlyList<Bar> Bars,
    CacheHit CacheHit,
    UtcRange Range,
    IReadOnlyList<UtcRange> FetchedRanges,
    PriceSnapshot? Snapshot,
    IReadOnlyList<string> Notes)
{
    public IReadOnlyList<PriceSnapshot> Provisional { get; init; } = [];

    public IReadOnlyList<UtcRange> Unanswered { get; init; } = [];
}

/// <summary>What a fetch function answered for one uncovered sub-range.</summary>
/// <param name="Bars">The bars it got.</param>
public sealed record FetchedBars(IReadOnlyList<Bar> Bars)
{
    /// <summary>When set, only [start, this] was answered; the rest of the sub-range is neither cached nor served.</summary>
    public DateTime? AnsweredThroughUtc { get; init; }

    /// <summary>When set, the answer is provisional (e.g. empty although the calendar has sessions): it is cached for this
    /// long only, then the range counts as uncovered again. Null means final.</summary>
    public TimeSpan? ProvisionalFor { get; init; }

    /// <summary>A final answer of <paramref name="bars"/> for the whole sub-range.</summary>
    public static FetchedBars Final(IReadOnlyList<Bar> bars) => new(bars);
}
