using System.Data.Common;

namespace AiTrader.Storage;

/// <summary>The snapshot catalog in a local SQLite file (the default when no DATABASE_URL is set).</summary>
public sealed class SqliteSnapshotCatalog : SqlSnapshotCatalog
{
    /// <summary>File name of the database inside the data directory.</summary>
    public const string DefaultFileName = "aitrader.db";

    private readonly SqliteDatabase _database;

    /// <summary>Uses (and creates if needed) the SQLite file at <paramref name="databasePath"/>.</summary>
    public SqliteSnapshotCatalog(string databasePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        _database = new SqliteDatabase(databasePath);
    }

    /// <summary>The catalog at <c>&lt;dataDir&gt;/aitrader.db</c>.</summary>
    public static SqliteSnapshotCatalog InDataDirectory(string dataDirectory) =>
        new(Path.Combine(dataDirectory, DefaultFileName));

    public string DatabasePath => _database.DatabasePath;

    protected override string Table => "price_snapshots";

    public override string ToString() => _database.ToString();

    public override async ValueTask DisposeAsync()
    {
        await _database.ClearPoolAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        _database.OpenAsync(cancellationToken);

    protected override Task<SchemaStatus> ReadSchemaAsync(DbConnection connection, CancellationToken cancellationToken) =>
        SchemaMigrations.SqliteStatusAsync(connection, "price_snapshots", ToString(), Migrations, cancellationToken);

    protected override async Task<MigrationReport> CreateSchemaAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var report = await SchemaMigrations.SqliteAsync(connection, "price_snapshots", ToString(), Migrations, cancellationToken).ConfigureAwait(false);

        // Catalogs created before provisional snapshots (and before versioned steps) existed lack the column, and step 1
        // leaves an existing table alone; SQLite has no ADD COLUMN IF NOT EXISTS.
        await using var probe = connection.CreateCommand();
        probe.CommandText = "SELECT COUNT(*) FROM pragma_table_info('price_snapshots') WHERE name = 'expires_at'";
        if (Convert.ToInt64(await probe.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            await using var alter = connection.CreateCommand();
            alter.CommandText = "ALTER TABLE price_snapshots ADD COLUMN expires_at TEXT NULL";
            await alter.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return report;
    }

    public override IReadOnlyList<SchemaStep> Migrations =>
    [
        new(1, "price_snapshots table", """
            CREATE TABLE IF NOT EXISTS price_snapshots (
                id          INTEGER PRIMARY KEY,
                vendor      TEXT    NOT NULL,
                symbol      TEXT    NOT NULL,
                "interval"  TEXT    NOT NULL,
                adjustment  TEXT    NOT NULL,
                range_start TEXT    NOT NULL,
                range_end   TEXT    NOT NULL,
                "rows"      INTEGER NOT NULL,
                checksum    TEXT    NOT NULL,
                path        TEXT    NOT NULL,
                fetched_at  TEXT    NOT NULL,
                expires_at  TEXT    NULL,
                UNIQUE (vendor, symbol, "interval", adjustment, range_start, range_end),
                CHECK (range_end >= range_start)
            );
            """),
    ];

    protected override object ToDb(DateTime utc) => SqliteDatabase.ToDb(utc);

    protected override DateTime ReadUtc(DbDataReader reader, int ordinal) => SqliteDatabase.ReadUtc(reader, ordinal);
}
