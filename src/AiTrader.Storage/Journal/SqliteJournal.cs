using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace AiTrader.Storage;

/// <summary>The journal in a local SQLite file, <c>&lt;AITRADER_DATA_DIR&gt;/journal.db</c> by default (no DATABASE_URL).</summary>
public sealed class SqliteJournal : SqlJournal
{
    /// <summary>File name of the journal database inside the data directory.</summary>
    public const string DefaultFileName = "journal.db";

    // Fixed width, so text order is time order and the date range compares the stored strings.
    private const string InstantFormat = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";

    private readonly string _connectionString;

    /// <summary>Uses (and creates on the first append) the SQLite file at <paramref name="databasePath"/>.</summary>
    public SqliteJournal(string databasePath)
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

    /// <summary>The journal at <c>&lt;dataDir&gt;/journal.db</c>.</summary>
    public static SqliteJournal InDataDirectory(string dataDirectory) => new(Path.Combine(dataDirectory, DefaultFileName));

    public string DatabasePath { get; }

    protected override string Table => "journal";

    protected override bool StoreExists => File.Exists(DatabasePath);

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
        // AUTOINCREMENT: ids are never reused, so the sequence is monotonic even across a crash mid-write.
        // Decimals are TEXT so they stay exact. The triggers make the store itself refuse UPDATE and DELETE,
        // whoever issues them (the CLI, a sqlite3 shell, a bug).
        command.CommandText = """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS journal (
                id              INTEGER PRIMARY KEY AUTOINCREMENT,
                "timestamp"     TEXT NOT NULL,
                kind            TEXT NOT NULL CHECK (kind IN ('decision','block','order','fill','cancel','reject','position','summary')),
                symbol          TEXT,
                side            TEXT CHECK (side IN ('buy','sell')),
                quantity        TEXT,
                price           TEXT,
                order_id        TEXT,
                client_order_id TEXT,
                reason          TEXT NOT NULL,
                data            TEXT CHECK (data IS NULL OR json_valid(data)),
                event_key       TEXT UNIQUE
            );
            CREATE INDEX IF NOT EXISTS journal_timestamp ON journal ("timestamp");
            CREATE TRIGGER IF NOT EXISTS journal_no_update BEFORE UPDATE ON journal
            BEGIN SELECT RAISE(ABORT, 'journal is append-only: UPDATE is not allowed'); END;
            CREATE TRIGGER IF NOT EXISTS journal_no_delete BEFORE DELETE ON journal
            BEGIN SELECT RAISE(ABORT, 'journal is append-only: DELETE is not allowed'); END;
            """;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override object ToDb(DateTime utc) => utc.ToString(InstantFormat, CultureInfo.InvariantCulture);

    protected override object ToDb(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    protected override DateTime ReadUtc(DbDataReader reader, int ordinal) =>
        DateTime.ParseExact(reader.GetString(ordinal), InstantFormat, CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    protected override decimal ReadDecimal(DbDataReader reader, int ordinal) =>
        decimal.Parse(reader.GetString(ordinal), NumberStyles.Number, CultureInfo.InvariantCulture);
}
