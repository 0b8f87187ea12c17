using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace AiTrader.Storage;

/// <summary>The snapshot catalog in a local SQLite file (the default when no DATABASE_URL is set).</summary>
public sealed class SqliteSnapshotCatalog : SqlSnapshotCatalog
{
    /// <summary>File name of the database inside the data directory.</summary>
    public const string DefaultFileName = "aitrader.db";

    // Fixed width, so text order is time order and range comparisons work on the stored strings.
    private const string InstantFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    private readonly string _connectionString;

    /// <summary>Uses (and creates if needed) the SQLite file at <paramref name="databasePath"/>.</summary>
    public SqliteSnapshotCatalog(string databasePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        DatabasePath = Path.GetFullPath(databasePath);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        }.ToString();
    }

    /// <summary>The catalog at <c>&lt;dataDir&gt;/aitrader.db</c>.</summary>
    public static SqliteSnapshotCatalog InDataDirectory(string dataDirectory) =>
        new(Path.Combine(dataDirectory, DefaultFileName));

    public string DatabasePath { get; }

    protected override string Table => "price_snapshots";

    public override string ToString() => $"SQLite {DatabasePath}";

    public override async ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; release them so a caller can move or delete the database.
        await using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(DatabasePath)!);
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    protected override async Task CreateSchemaAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        // WAL lets a reader (the CLI listing the cache) run while a fetch writes.
        command.CommandText = """
            PRAGMA journal_mode = WAL;
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
                UNIQUE (vendor, symbol, "interval", adjustment, range_start, range_end),
                CHECK (range_end >= range_start)
            );
            """;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override object ToDb(DateTime utc) => utc.ToString(InstantFormat, CultureInfo.InvariantCulture);

    protected override DateTime ReadUtc(DbDataReader reader, int ordinal) =>
        DateTime.ParseExact(reader.GetString(ordinal), InstantFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
