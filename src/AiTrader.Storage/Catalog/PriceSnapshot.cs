namespace AiTrader.Storage;

/// <summary>One row of <c>price_snapshots</c>: a Parquet file of bars for a key and an inclusive UTC range.</summary>
/// <param name="Id">Catalog id; 0 for a snapshot not stored yet.</param>
/// <param name="Key">Vendor, symbol, interval and adjustment.</param>
/// <param name="Range">The range the snapshot covers, inclusive; it may hold no bars (a holiday, say).</param>
/// <param name="Rows">Number of bars in the file.</param>
/// <param name="Checksum">Lower-case hex SHA-256 of the file's bytes.</param>
/// <param name="Path">File path relative to the cache directory, with '/' separators.</param>
/// <param name="FetchedAtUtc">When the snapshot was written.</param>
/// <param name="ExpiresAtUtc">Null for a final snapshot; for a provisional one (a vendor's short answer for a range the
/// calendar says had sessions) the instant after which it no longer covers its range and is fetched again.</param>
public sealed record PriceSnapshot(
    long Id,
    CacheKey Key,
    UtcRange Range,
    long Rows,
    string Checksum,
    string Path,
    DateTime FetchedAtUtc,
    DateTime? ExpiresAtUtc = null)
{
    /// <summary>True for a provisional snapshot (see <see cref="ExpiresAtUtc"/>).</summary>
    public bool IsProvisional => ExpiresAtUtc is not null;
}
