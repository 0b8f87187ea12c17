using System.Data.Common;

namespace AiTrader.Storage;

/// <summary>The journal in a local SQLite file, <c>&lt;AITRADER_DATA_DIR&gt;/journal.db</c> by default (no DATABASE_URL).</summary>
public sealed class SqliteJournal : SqlJournal
{
    /// <summary>File name of the journal database inside the data directory.</summary>
    public const string DefaultFileName = "journal.db";

    private readonly SqliteDatabase _database;

    /// <summary>Uses (and creates on the first append) the SQLite file at <paramref name="databasePath"/>.</summary>
    public SqliteJournal(string databasePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        _database = new SqliteDatabase(databasePath);
    }

    /// <summary>The journal at <c>&lt;dataDir&gt;/journal.db</c>.</summary>
    public static SqliteJournal InDataDirectory(string dataDirectory) => new(Path.Combine(dataDirectory, DefaultFileName));

    public string DatabasePath => _database.DatabasePath;

    protected override string Table => "journal";

    protected override bool StoreExists => File.Exists(DatabasePath);

    public override string ToString() => _database.ToString();

    public override async ValueTask DisposeAsync()
    {
        await _database.ClearPoolAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        _database.OpenAsync(cancellationToken);

    protected override Task<MigrationReport> CreateSchemaAsync(DbConnection connection, CancellationToken cancellationToken) =>
        SchemaMigrations.SqliteAsync(connection, "journal", ToString(), Migrations, cancellationToken);

    protected override Task<SchemaStatus> ReadSchemaAsync(DbConnection connection, CancellationToken cancellationToken) =>
        SchemaMigrations.SqliteStatusAsync(connection, "journal", ToString(), Migrations, cancellationToken);

    // AUTOINCREMENT: ids are never reused, so the sequence is monotonic even across a crash mid-write.
    // Decimals are TEXT so they stay exact. The triggers make the store itself refuse UPDATE and DELETE,
    // whoever issues them (the CLI, a sqlite3 shell, a bug).
    public override IReadOnlyList<SchemaStep> Migrations =>
    [
        new(1, "journal table, time index, append-only triggers", TableSql(JournalKindsSql.Version1, "journal") + Triggers),
        // SQLite cannot change a CHECK constraint in place: the table is rebuilt (https://sqlite.org/lang_altertable.html),
        // keeping every row and id; the sequence row moves with the rename, so ids stay monotonic.
        new(2, "journal kind 'webhook'", TableSql(JournalKindsSql.Version2, "journal_v2") + """
            INSERT INTO journal_v2 SELECT * FROM journal;
            UPDATE sqlite_sequence SET seq = max(seq, COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'journal'), 0))
                WHERE name = 'journal_v2';
            DROP TABLE journal;
            ALTER TABLE journal_v2 RENAME TO journal;
            """ + Triggers),
        // Views over the journal, the one source of truth (a session's run id is its event keys' first part). SQLite
        // has no exact decimal sum, so positions are summed by PostgreSQL only; here they come from the fills view.
        new(3, "views: orders, fills, guardrail_state", """
            CREATE VIEW IF NOT EXISTS orders AS
                SELECT id, "timestamp", CASE WHEN instr(event_key, ':') > 1 THEN substr(event_key, 1, instr(event_key, ':') - 1) END AS run_id,
                       symbol, side, quantity, price, order_id, client_order_id, reason, data
                FROM journal WHERE kind = 'order';
            CREATE VIEW IF NOT EXISTS fills AS
                SELECT id, "timestamp", CASE WHEN instr(event_key, ':') > 1 THEN substr(event_key, 1, instr(event_key, ':') - 1) END AS run_id,
                       symbol, side, quantity, price, order_id, client_order_id, reason, data
                FROM journal WHERE kind = 'fill';
            CREATE VIEW IF NOT EXISTS guardrail_state AS
                SELECT run_id, "timestamp", reason, json_extract(data, '$.guardrails') AS state
                FROM (SELECT substr(event_key, 1, instr(event_key, ':') - 1) AS run_id, "timestamp", reason, data,
                             ROW_NUMBER() OVER (PARTITION BY substr(event_key, 1, instr(event_key, ':') - 1) ORDER BY id DESC) AS latest
                      FROM journal WHERE kind = 'decision' AND event_key LIKE '%:guardrails:%')
                WHERE latest = 1;
            """),
    ];

    private static string TableSql(string kinds, string name) => $"""
        CREATE TABLE IF NOT EXISTS {name} (
            id              INTEGER PRIMARY KEY AUTOINCREMENT,
            "timestamp"     TEXT NOT NULL,
            kind            TEXT NOT NULL CHECK (kind IN ({kinds})),
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

        """;

    private const string Triggers = """
        CREATE INDEX IF NOT EXISTS journal_timestamp ON journal ("timestamp");
        CREATE TRIGGER IF NOT EXISTS journal_no_update BEFORE UPDATE ON journal
        BEGIN SELECT RAISE(ABORT, 'journal is append-only: UPDATE is not allowed'); END;
        CREATE TRIGGER IF NOT EXISTS journal_no_delete BEFORE DELETE ON journal
        BEGIN SELECT RAISE(ABORT, 'journal is append-only: DELETE is not allowed'); END;
        """;

    protected override object ToDb(DateTime utc) => SqliteDatabase.ToDb(utc);

    protected override object ToDb(decimal value) => SqliteDatabase.ToDb(value);

    protected override DateTime ReadUtc(DbDataReader reader, int ordinal) => SqliteDatabase.ReadUtc(reader, ordinal);

    protected override decimal ReadDecimal(DbDataReader reader, int ordinal) => SqliteDatabase.ReadDecimal(reader, ordinal);
}
