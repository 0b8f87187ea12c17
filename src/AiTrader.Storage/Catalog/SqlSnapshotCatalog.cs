using System.Data.Common;
using AiTrader.Core.Domain;

namespace AiTrader.Storage;

/// <summary>The catalog queries shared by SQLite and PostgreSQL; subclasses supply the connection, schema and timestamp mapping.</summary>
public abstract class SqlSnapshotCatalog : SqlStore, ISnapshotCatalog
{
    private const string Columns =
        "id, vendor, symbol, \"interval\", adjustment, range_start, range_end, \"rows\", checksum, path, fetched_at, expires_at";

    /// <summary>The table, schema-qualified where the backend has schemas.</summary>
    protected abstract string Table { get; }

    public async Task<PriceSnapshot> UpsertAsync(PriceSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.FetchedAtUtc.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException("FetchedAtUtc must have Kind=Utc.", nameof(snapshot));
        }

        // Both backends keep microseconds (PostgreSQL would round the 7th digit); truncate so the returned record equals the row.
        var fetchedAt = UtcRange.Floor(snapshot.FetchedAtUtc); // Kind=Utc checked above
        var expiresAt = snapshot.ExpiresAtUtc is { } e ? e.AddTicks(-(e.Ticks % TimeSpan.TicksPerMicrosecond)) : (DateTime?)null;
        snapshot = snapshot with { FetchedAtUtc = fetchedAt, ExpiresAtUtc = expiresAt };

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO {Table} (vendor, symbol, "interval", adjustment, range_start, range_end, "rows", checksum, path, fetched_at, expires_at)
            VALUES (@vendor, @symbol, @interval, @adjustment, @range_start, @range_end, @rows, @checksum, @path, @fetched_at, @expires_at)
            ON CONFLICT (vendor, symbol, "interval", adjustment, range_start, range_end) DO UPDATE SET
                "rows" = excluded."rows", checksum = excluded.checksum, path = excluded.path, fetched_at = excluded.fetched_at,
                expires_at = excluded.expires_at
            RETURNING id
            """;
        AddKey(command, snapshot.Key);
        SqlCommands.Add(command, "range_start", ToDb(snapshot.Range.Start));
        SqlCommands.Add(command, "range_end", ToDb(snapshot.Range.End));
        SqlCommands.Add(command, "rows", snapshot.Rows);
        SqlCommands.Add(command, "checksum", snapshot.Checksum);
        SqlCommands.Add(command, "path", snapshot.Path);
        SqlCommands.Add(command, "fetched_at", ToDb(snapshot.FetchedAtUtc));
        SqlCommands.Add(command, "expires_at", snapshot.ExpiresAtUtc is { } expires ? ToDb(expires) : DBNull.Value);
        var id = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        return snapshot with { Id = id };
    }

    public async Task<IReadOnlyList<PriceSnapshot>> FindOverlappingAsync(CacheKey key, UtcRange range, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {Columns} FROM {Table}
            WHERE vendor = @vendor AND symbol = @symbol AND "interval" = @interval AND adjustment = @adjustment
              AND range_start <= @end AND range_end >= @start
            ORDER BY range_start, range_end, id
            """;
        AddKey(command, key);
        SqlCommands.Add(command, "start", ToDb(range.Start));
        SqlCommands.Add(command, "end", ToDb(range.End));
        return await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<PriceSnapshot>> ListAsync(string? vendor = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        var filter = vendor is null ? "" : "WHERE vendor = @vendor";
        command.CommandText = $"""
            SELECT {Columns} FROM {Table} {filter}
            ORDER BY vendor, symbol, "interval", adjustment, range_start, range_end, id
            """;
        if (vendor is not null)
        {
            SqlCommands.Add(command, "vendor", CachePaths.ValidateVendor(vendor));
        }

        return await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> DeleteAsync(long id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"DELETE FROM {Table} WHERE id = @id";
        SqlCommands.Add(command, "id", id);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    private async Task<IReadOnlyList<PriceSnapshot>> ReadAllAsync(DbCommand command, CancellationToken cancellationToken) =>
        await SqlCommands.ReadAllAsync(command, ReadSnapshot, cancellationToken).ConfigureAwait(false);

    private PriceSnapshot ReadSnapshot(DbDataReader reader)
    {
        var key = new CacheKey(
            reader.GetString(1),
            new Symbol(reader.GetString(2)),
            Timeframe.Parse(reader.GetString(3)),
            CachePaths.ParseAdjustment(reader.GetString(4)));
        return new PriceSnapshot(
            reader.GetInt64(0),
            key,
            new UtcRange(ReadUtc(reader, 5), ReadUtc(reader, 6)),
            reader.GetInt64(7),
            reader.GetString(8),
            reader.GetString(9),
            ReadUtc(reader, 10),
            reader.IsDBNull(11) ? null : ReadUtc(reader, 11));
    }

    private static void AddKey(DbCommand command, CacheKey key)
    {
        SqlCommands.Add(command, "vendor", key.Vendor);
        SqlCommands.Add(command, "symbol", key.Symbol.Value);
        SqlCommands.Add(command, "interval", key.Interval);
        SqlCommands.Add(command, "adjustment", key.AdjustmentName);
    }
}
