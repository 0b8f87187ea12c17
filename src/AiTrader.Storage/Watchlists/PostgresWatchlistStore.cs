using System.Data.Common;
using AiTrader.Core.Scanning;
using AiTrader.Core.Watchlists;
using Npgsql;

namespace AiTrader.Storage.Watchlists;

/// <summary>Watchlists and scan refreshes in PostgreSQL (DATABASE_URL): <c>{schema}.watchlists</c> and
/// <c>{schema}.scan_refreshes</c>, indexed by bucket/time and date/window, each row carrying the full JSON document.</summary>
/// <remarks>The schema is versioned: <c>{schema}.schema_migrations</c> records each applied version, and
/// <see cref="Migrations"/> runs the missing ones in order, in one transaction under an advisory lock, so two
/// processes starting together apply each step once. A save inserts with ON CONFLICT DO NOTHING on the unique
/// (bucket, created_at) or window key and, when the key is taken, moves it on by 1 µs.</remarks>
public sealed class PostgresWatchlistStore : IWatchlistStore, IMigratingStore
{
    public const string DefaultSchema = "watchlists";

    private readonly PostgresDatabase _database;
    private readonly SchemaGate _gate = new();

    /// <param name="schema">Where the tables live (tests use their own); a lower-case SQL identifier.</param>
    public PostgresWatchlistStore(string databaseUrl, string schema = DefaultSchema)
    {
        Schema = PostgresDatabase.ValidateSchema(schema);
        _database = new PostgresDatabase(databaseUrl);
    }

    public string Schema { get; }

    public string Location => $"postgresql {_database.Endpoint} ({Schema})";

    /// <summary>The schema steps by version. Append only: an applied step is never edited, a change is a new step.</summary>
    public IReadOnlyList<SchemaStep> Migrations =>
    [
        new(1, "watchlists and scan refreshes", $"""
            CREATE TABLE {Schema}.watchlists (
                id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                bucket      text        NOT NULL,
                created_at  timestamptz NOT NULL,
                source      text        NOT NULL,
                symbols     text[]      NOT NULL,
                document    json        NOT NULL,
                CONSTRAINT watchlists_bucket_time UNIQUE (bucket, created_at)
            );
            CREATE TABLE {Schema}.scan_refreshes (
                id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                session_date  date        NOT NULL,
                "window"      timestamptz NOT NULL,
                started_at    timestamptz NOT NULL,
                elapsed_ms    double precision NOT NULL,
                universe_size integer     NOT NULL,
                ranked        integer     NOT NULL,
                errors        text[]      NOT NULL,
                mode          text        NOT NULL,
                document      json        NOT NULL,
                CONSTRAINT scan_refreshes_window UNIQUE ("window")
            );
            CREATE INDEX scan_refreshes_date ON {Schema}.scan_refreshes (session_date);
            """),
    ];

    public async Task<Watchlist> SaveAsync(Watchlist watchlist, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(watchlist);
        var saved = watchlist with { Bucket = WatchlistBucket.Validate(watchlist.Bucket), CreatedUtc = WatchlistJson.ToKey(watchlist.CreatedUtc) };
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        async Task<bool> TryInsert(DateTime key)
        {
            var row = saved with { CreatedUtc = key };
            await using var insert = connection.CreateCommand();
            insert.CommandText = $"""
                INSERT INTO {Schema}.watchlists (bucket, created_at, source, symbols, document)
                VALUES (@bucket, @created_at, @source, @symbols, CAST(@document AS json))
                ON CONFLICT (bucket, created_at) DO NOTHING
                RETURNING id
                """;
            SqlCommands.Add(insert, "bucket", row.Bucket);
            SqlCommands.Add(insert, "created_at", row.CreatedUtc);
            SqlCommands.Add(insert, "source", row.Source);
            SqlCommands.Add(insert, "symbols", row.Entries.Select(e => e.Symbol.Value).ToArray());
            SqlCommands.Add(insert, "document", WatchlistJson.Serialize(row));
            return await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null and not DBNull;
        }

        var key = await WatchlistJson.TakeFreeKeyAsync(saved.CreatedUtc, TryInsert,
            $"could not find a free timestamp in bucket {saved.Bucket} after {WatchlistJson.MaxKeyAttempts} tries.").ConfigureAwait(false);
        return saved with { CreatedUtc = key };
    }

    public async Task<IReadOnlyList<string>> ListBucketsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT DISTINCT bucket FROM {Schema}.watchlists ORDER BY bucket";
        return await SqlCommands.ReadAllAsync(command, reader => reader.GetString(0), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DateTime>> ListAsync(string bucket, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT created_at FROM {Schema}.watchlists WHERE bucket = @bucket ORDER BY created_at";
        SqlCommands.Add(command, "bucket", WatchlistBucket.Validate(bucket));
        return await SqlCommands.ReadAllAsync(command, reader => PostgresDatabase.ReadUtc(reader, 0), cancellationToken).ConfigureAwait(false);
    }

    public async Task<Watchlist?> LoadAsync(string bucket, DateTime? atOrBeforeUtc = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT document::text FROM {Schema}.watchlists
            WHERE bucket = @bucket AND (@at::timestamptz IS NULL OR created_at <= @at::timestamptz)
            ORDER BY created_at DESC LIMIT 1
            """;
        SqlCommands.Add(command, "bucket", WatchlistBucket.Validate(bucket));
        SqlCommands.Add(command, "at", atOrBeforeUtc);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is string json
            ? WatchlistJson.DeserializeWatchlist(json, $"{Schema}.watchlists ({bucket})")
            : null;
    }

    public async Task<ScanRefresh> SaveRefreshAsync(ScanRefresh refresh, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(refresh);
        var saved = refresh with { Window = WatchlistJson.ToKey(refresh.Window) };
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        async Task<bool> TryInsert(DateTime key)
        {
            var row = saved with { Window = key };
            await using var insert = connection.CreateCommand();
            insert.CommandText = $"""
                INSERT INTO {Schema}.scan_refreshes (session_date, "window", started_at, elapsed_ms, universe_size, ranked, errors, mode, document)
                VALUES (@session_date, @window, @started_at, @elapsed_ms, @universe_size, @ranked, @errors, @mode, CAST(@document AS json))
                ON CONFLICT ("window") DO NOTHING
                RETURNING id
                """;
            SqlCommands.Add(insert, "session_date", row.SessionDate);
            SqlCommands.Add(insert, "window", row.Window);
            SqlCommands.Add(insert, "started_at", DateTime.SpecifyKind(row.StartedUtc, DateTimeKind.Utc));
            SqlCommands.Add(insert, "elapsed_ms", row.Elapsed.TotalMilliseconds);
            SqlCommands.Add(insert, "universe_size", row.UniverseSize);
            SqlCommands.Add(insert, "ranked", row.Ranked.Count());
            SqlCommands.Add(insert, "errors", row.Errors.ToArray());
            SqlCommands.Add(insert, "mode", row.Mode);
            SqlCommands.Add(insert, "document", WatchlistJson.Serialize(row));
            return await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null and not DBNull;
        }

        var key = await WatchlistJson.TakeFreeKeyAsync(saved.Window, TryInsert,
            $"could not find a free window key for {refresh.SessionDate:yyyy-MM-dd} after {WatchlistJson.MaxKeyAttempts} tries.").ConfigureAwait(false);
        return saved with { Window = key };
    }

    public async Task<IReadOnlyList<ScanRefresh>> LoadRefreshesAsync(DateOnly sessionDate, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT document::text FROM {Schema}.scan_refreshes WHERE session_date = @date ORDER BY \"window\"";
        SqlCommands.Add(command, "date", sessionDate);
        return await SqlCommands.ReadAllAsync(command, reader => WatchlistJson.DeserializeRefresh(reader.GetString(0), $"{Schema}.scan_refreshes"), cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<DateOnly>> ListRefreshDatesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT DISTINCT session_date FROM {Schema}.scan_refreshes ORDER BY session_date";
        return await SqlCommands.ReadAllAsync(command, reader => reader.GetFieldValue<DateOnly>(0), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Applies the missing schema steps (creating the tables when they do not exist yet).</summary>
    public async Task<MigrationReport> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        return _gate.Report!;
    }

    /// <summary>Reads the versions applied on a connection of its own, outside the schema gate: nothing is applied.</summary>
    public async Task<SchemaStatus> InspectAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await SchemaMigrations.PostgresStatusAsync(connection, Schema, "watchlists", Location, Migrations, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The versions applied so far, ascending (runs the migrations first).</summary>
    public async Task<IReadOnlyList<int>> AppliedVersionsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT version FROM {Schema}.schema_migrations WHERE store = 'watchlists' ORDER BY version";
        return await SqlCommands.ReadAllAsync(command, reader => reader.GetInt32(0), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _gate.Dispose();
        await _database.DisposeAsync().ConfigureAwait(false);
    }

    private Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        _gate.OpenAsync(_database.OpenAsync, MigrateAsync, cancellationToken);

    private Task<MigrationReport> MigrateAsync(DbConnection connection, CancellationToken cancellationToken) =>
        SchemaMigrations.PostgresAsync(connection, Schema, "watchlists", Location, Migrations, cancellationToken);
}
