using System.Data.Common;

namespace AiTrader.Storage;

/// <summary>The journal in PostgreSQL as <c>trading.journal</c> (used when DATABASE_URL is set).</summary>
public sealed class PostgresJournal : SqlJournal
{
    /// <summary>The schema the journal lives in unless told otherwise.</summary>
    public const string DefaultSchema = "trading";

    private readonly PostgresDatabase _database;

    /// <summary>Connects with a <c>postgres://user:pass@host:port/db</c> URL or a key=value connection string.
    /// <paramref name="schema"/> exists so tests can isolate themselves; production uses <c>trading</c>.</summary>
    public PostgresJournal(string databaseUrl, string schema = DefaultSchema)
    {
        Schema = PostgresDatabase.ValidateSchema(schema);
        _database = new PostgresDatabase(databaseUrl);
    }

    public string Schema { get; }

    protected override string Table => $"{Schema}.journal";

    protected override string DataParameter => "CAST(@data AS json)";

    /// <summary>Host, port, database and table; never the user or password.</summary>
    public override string ToString() => $"PostgreSQL {_database.Endpoint} ({Schema}.journal)";

    public override async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        _database.OpenAsync(cancellationToken);

    protected override Task<MigrationReport> CreateSchemaAsync(DbConnection connection, CancellationToken cancellationToken) =>
        SchemaMigrations.PostgresAsync(connection, Schema, "journal", ToString(), Migrations, cancellationToken);

    protected override Task<SchemaStatus> ReadSchemaAsync(DbConnection connection, CancellationToken cancellationToken) =>
        SchemaMigrations.PostgresStatusAsync(connection, Schema, "journal", ToString(), Migrations, cancellationToken);

    // json (not jsonb) keeps the payload's text as written, so an entry reads back exactly as appended.
    // The trigger makes the server refuse UPDATE, DELETE and TRUNCATE whoever sends them.
    public override IReadOnlyList<SchemaStep> Migrations =>
    [
        new(1, "journal table, time index, append-only triggers", $$"""
            CREATE TABLE IF NOT EXISTS {{Schema}}.journal (
                id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                "timestamp"     timestamptz NOT NULL,
                kind            text        NOT NULL CHECK (kind IN ({{JournalKindsSql.Version1}})),
                symbol          text,
                side            text        CHECK (side IN ('buy','sell')),
                quantity        numeric,
                price           numeric,
                order_id        text,
                client_order_id text,
                reason          text        NOT NULL,
                data            json,
                event_key       text,
                CONSTRAINT journal_event_key UNIQUE (event_key)
            );
            CREATE INDEX IF NOT EXISTS journal_timestamp ON {{Schema}}.journal ("timestamp");
            CREATE OR REPLACE FUNCTION {{Schema}}.journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
            BEGIN
                RAISE EXCEPTION '%.journal is append-only: % is not allowed', TG_TABLE_SCHEMA, TG_OP;
            END
            $fn$;
            CREATE OR REPLACE TRIGGER journal_append_only BEFORE UPDATE OR DELETE ON {{Schema}}.journal
                FOR EACH ROW EXECUTE FUNCTION {{Schema}}.journal_append_only();
            CREATE OR REPLACE TRIGGER journal_no_truncate BEFORE TRUNCATE ON {{Schema}}.journal
                FOR EACH STATEMENT EXECUTE FUNCTION {{Schema}}.journal_append_only();
            """),
        new(2, "journal kind 'webhook'", $"""
            ALTER TABLE {Schema}.journal DROP CONSTRAINT IF EXISTS journal_kind_check;
            ALTER TABLE {Schema}.journal ADD CONSTRAINT journal_kind_check CHECK (kind IN ({JournalKindsSql.Version2}));
            """),
        // The journal stays the one source of truth: orders, fills, positions and guardrail state are views over it,
        // never copies that could drift. A session's entries carry its run id before the first ':' of their event key.
        new(3, "views: orders, fills, positions, guardrail_state", $$"""
            CREATE OR REPLACE VIEW {{Schema}}.orders AS
                SELECT id, "timestamp", NULLIF(split_part(event_key, ':', 1), '') AS run_id, symbol, side, quantity, price,
                       order_id, client_order_id, reason, data
                FROM {{Schema}}.journal WHERE kind = 'order';
            CREATE OR REPLACE VIEW {{Schema}}.fills AS
                SELECT id, "timestamp", NULLIF(split_part(event_key, ':', 1), '') AS run_id, symbol, side, quantity, price,
                       order_id, client_order_id, reason, data
                FROM {{Schema}}.journal WHERE kind = 'fill';
            CREATE OR REPLACE VIEW {{Schema}}.positions AS
                SELECT run_id, symbol, SUM(CASE side WHEN 'buy' THEN quantity ELSE -quantity END) AS quantity,
                       COUNT(*) AS fills, MAX("timestamp") AS as_of
                FROM {{Schema}}.fills GROUP BY run_id, symbol;
            CREATE OR REPLACE VIEW {{Schema}}.guardrail_state AS
                SELECT DISTINCT ON (split_part(event_key, ':', 1))
                       split_part(event_key, ':', 1) AS run_id, "timestamp", reason, data -> 'guardrails' AS state
                FROM {{Schema}}.journal
                WHERE kind = 'decision' AND event_key LIKE '%:guardrails:%'
                ORDER BY split_part(event_key, ':', 1), id DESC;
            """),
    ];

    protected override object ToDb(DateTime utc) => utc;

    protected override object ToDb(decimal value) => value;

    protected override DateTime ReadUtc(DbDataReader reader, int ordinal) => PostgresDatabase.ReadUtc(reader, ordinal);

    protected override decimal ReadDecimal(DbDataReader reader, int ordinal) => reader.GetDecimal(ordinal);
}
