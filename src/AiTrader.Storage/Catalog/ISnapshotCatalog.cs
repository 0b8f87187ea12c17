namespace AiTrader.Storage;

/// <summary>The metadata store of cached snapshots (<c>price_snapshots</c> in SQLite or <c>market.price_snapshots</c> in PostgreSQL).</summary>
public interface ISnapshotCatalog : IAsyncDisposable
{
    /// <summary>Inserts the snapshot, or updates rows, checksum, path and fetched_at of the one with the same key
    /// and range. Returns it with its id.</summary>
    Task<PriceSnapshot> UpsertAsync(PriceSnapshot snapshot, CancellationToken cancellationToken = default);

    /// <summary>Snapshots of <paramref name="key"/> whose range overlaps <paramref name="range"/>, by range start.</summary>
    Task<IReadOnlyList<PriceSnapshot>> FindOverlappingAsync(CacheKey key, UtcRange range, CancellationToken cancellationToken = default);

    /// <summary>All snapshots, or those of one vendor, ordered by vendor, symbol, interval, adjustment and range start.</summary>
    Task<IReadOnlyList<PriceSnapshot>> ListAsync(string? vendor = null, CancellationToken cancellationToken = default);

    /// <summary>Removes a snapshot row (not its file). Returns false when no row had that id.</summary>
    Task<bool> DeleteAsync(long id, CancellationToken cancellationToken = default);
}
