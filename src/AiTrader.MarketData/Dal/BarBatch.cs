using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Storage;

namespace AiTrader.MarketData.Dal;

/// <summary>How the cache took part in a fetch.</summary>
public enum CacheOutcome
{
    /// <summary>The source was not cached (the bundled sample data is local already).</summary>
    NotCached,

    /// <summary>Nothing was cached; the whole range was fetched from the vendor.</summary>
    Miss,

    /// <summary>Part of the range was cached; only the missing sub-ranges were fetched.</summary>
    Partial,

    /// <summary>The whole range came from the cache; no vendor request was made.</summary>
    Full,
}

/// <summary>Bars of one symbol and interval from the DAL, with where they came from and what was removed or retried.</summary>
public sealed record BarBatch
{
    public required Symbol Symbol { get; init; }

    public required Timeframe Interval { get; init; }

    public required PriceAdjustment Adjustment { get; init; }

    /// <summary>The source that actually served the bars: <c>sample</c>, <c>alphavantage</c>, <c>yahoo</c>, ….</summary>
    public required string Vendor { get; init; }

    /// <summary>The inclusive UTC range that was served (the end may be clipped to the last final bar).</summary>
    public required DateTime StartUtc { get; init; }

    public required DateTime EndUtc { get; init; }

    /// <summary>UTC bar-open timestamps, sorted, one bar per timestamp.</summary>
    public required IReadOnlyList<Bar> Bars { get; init; }

    public required CacheOutcome Cache { get; init; }

    /// <summary>Ranges requested from the vendor in this call (empty for a full cache hit and for sample data).</summary>
    public IReadOnlyList<UtcRange> FetchedRanges { get; init; } = [];

    /// <summary>Bars the vendor sent that failed the OHLC sanity checks in this call (not cached).</summary>
    public int DroppedBars { get; init; }

    /// <summary>Repeated timestamps the vendor sent in this call (the last one was kept).</summary>
    public int Duplicates { get; init; }

    /// <summary>All-null rows the vendor sent in this call (Yahoo).</summary>
    public int EmptyBars { get; init; }

    /// <summary>Bars a data-quality check flagged (possible bad prints); they are kept in <see cref="Bars"/>.</summary>
    public IReadOnlyList<BarFlag> Flags { get; init; } = [];

    /// <summary>Every vendor tried, in order, with the failure that moved the fetch on (empty for sample data).</summary>
    public IReadOnlyList<VendorAttempt> Attempts { get; init; } = [];

    /// <summary>Things the user should know, e.g. that the bundled sample data was used for lack of a key.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>A <see cref="BarBatch"/> plus what an enricher (the signals pipeline) computed from its bars.</summary>
public sealed record EnrichedBarBatch<TSignals>(BarBatch Batch, TSignals Signals);
