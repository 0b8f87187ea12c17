using AiTrader.Core.Scanning;

namespace AiTrader.Core.Watchlists;

/// <summary>Where watchlists and scan refreshes are kept: local JSON files (default), Azure Blob or PostgreSQL.</summary>
/// <remarks>A save never overwrites: two saves with the same timestamp (in one bucket, or the same refresh window)
/// keep both, the later one moved forward by 1 µs (timestamps are kept to the microsecond, PostgreSQL's resolution), so concurrent saves lose nothing. Timestamps are UTC.</remarks>
public interface IWatchlistStore : IAsyncDisposable
{
    /// <summary>Where the store is, without secrets (a folder, an account/container, host/db).</summary>
    string Location { get; }

    /// <summary>Saves <paramref name="watchlist"/>; returns it with the timestamp it was stored under.</summary>
    Task<Watchlist> SaveAsync(Watchlist watchlist, CancellationToken cancellationToken = default);

    /// <summary>Bucket names that hold at least one watchlist, sorted.</summary>
    Task<IReadOnlyList<string>> ListBucketsAsync(CancellationToken cancellationToken = default);

    /// <summary>The timestamps saved in <paramref name="bucket"/>, oldest first.</summary>
    Task<IReadOnlyList<DateTime>> ListAsync(string bucket, CancellationToken cancellationToken = default);

    /// <summary>The latest watchlist of <paramref name="bucket"/> saved at or before <paramref name="atOrBeforeUtc"/>
    /// (the latest of all when null), or null when there is none.</summary>
    Task<Watchlist?> LoadAsync(string bucket, DateTime? atOrBeforeUtc = null, CancellationToken cancellationToken = default);

    /// <summary>Saves one scan refresh; returns it with the window it was stored under.</summary>
    Task<ScanRefresh> SaveRefreshAsync(ScanRefresh refresh, CancellationToken cancellationToken = default);

    /// <summary>The refreshes stored for New York trading date <paramref name="sessionDate"/>, by window.</summary>
    Task<IReadOnlyList<ScanRefresh>> LoadRefreshesAsync(DateOnly sessionDate, CancellationToken cancellationToken = default);

    /// <summary>The New York trading dates that hold at least one stored refresh, oldest first.</summary>
    Task<IReadOnlyList<DateOnly>> ListRefreshDatesAsync(CancellationToken cancellationToken = default);
}
