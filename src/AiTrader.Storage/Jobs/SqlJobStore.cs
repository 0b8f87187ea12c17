using System.Data.Common;
using System.Text;

namespace AiTrader.Storage.Jobs;

/// <summary>The job statements shared by SQLite and PostgreSQL; subclasses supply the connection, schema and value mapping.</summary>
public abstract class SqlJobStore : SqlStore, IJobStore
{
    /// <summary>The error of a job a stopped process left queued or running (see <see cref="RecoverAsync"/>).</summary>
    public const string InterruptedError = "interrupted: the service stopped before the job finished; submit it again";

    private const string Columns =
        "id, kind, state, progress, phase, request_json, created_at, started_at, finished_at, error, output_dir, result_json";
    private readonly TimeProvider _time;

    protected SqlJobStore(TimeProvider? time) => _time = time ?? TimeProvider.System;

    /// <summary>The table, schema-qualified where the backend has schemas.</summary>
    protected abstract string Table { get; }

    public async Task<JobRecord> CreateAsync(string kind, string requestJson, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentNullException.ThrowIfNull(requestJson);
        var (id, created) = JobIds.Next(_time.GetUtcNow().UtcDateTime);
        var record = new JobRecord(id, kind.Trim(), JobState.Queued, 0, null, requestJson, created, null, null, null, null, null);
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var insert = connection.CreateCommand();
        insert.CommandText = $"INSERT INTO {Table} (id, kind, state, progress, request_json, created_at) VALUES (@id, @kind, @state, 0, @request, @created)";
        SqlCommands.Add(insert, "id", id);
        SqlCommands.Add(insert, "kind", record.Kind);
        SqlCommands.Add(insert, "state", JobState.Queued.ToText());
        SqlCommands.Add(insert, "request", requestJson);
        SqlCommands.Add(insert, "created", ToDb(created));
        await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        return record;
    }

    public async Task<JobRecord?> GetAsync(string id, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(id) || !StoreExists)
        {
            return null;
        }

        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM {Table} WHERE id = @id";
        SqlCommands.Add(command, "id", id.Trim());
        var rows = await SqlCommands.ReadAllAsync(command, Read, ct).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<IReadOnlyList<JobRecord>> ListAsync(JobQuery query, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1, nameof(query));
        // A page of MaxLimit asks for one more job, to learn whether another page follows.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, JobQuery.MaxLimit + 1, nameof(query));
        if (!StoreExists)
        {
            return [];
        }

        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        // Conditions are added only when given: PostgreSQL cannot type a NULL parameter in "@x IS NULL".
        var sql = new StringBuilder($"SELECT {Columns} FROM {Table} WHERE 1 = 1");
        if (!string.IsNullOrWhiteSpace(query.Kind))
        {
            sql.Append(" AND kind = @kind");
            SqlCommands.Add(command, "kind", query.Kind.Trim());
        }

        if (query.State is { } state)
        {
            sql.Append(" AND state = @state");
            SqlCommands.Add(command, "state", state.ToText());
        }

        if (!string.IsNullOrWhiteSpace(query.Before))
        {
            sql.Append(" AND id < @before");
            SqlCommands.Add(command, "before", query.Before.Trim());
        }

        // Ids start with the creation time, so id order is creation order (and a stable cursor).
        sql.Append(" ORDER BY id DESC LIMIT @limit");
        SqlCommands.Add(command, "limit", query.Limit);
        command.CommandText = sql.ToString();
        return await SqlCommands.ReadAllAsync(command, Read, ct).ConfigureAwait(false);
    }

    public Task<bool> StartAsync(string id, CancellationToken ct = default) =>
        TransitionAsync(id, "state = 'running', started_at = @now", "'queued'", null, ct);

    public async Task ReportAsync(string id, double progress, string? phase, CancellationToken ct = default)
    {
        var clamped = double.IsNaN(progress) ? 0 : Math.Clamp(progress, 0, 1);
        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = phase is null
            ? $"UPDATE {Table} SET progress = CASE WHEN progress > @progress THEN progress ELSE @progress END WHERE id = @id AND state = 'running'"
            : $"UPDATE {Table} SET progress = CASE WHEN progress > @progress THEN progress ELSE @progress END, phase = @phase WHERE id = @id AND state = 'running'";
        SqlCommands.Add(command, "progress", clamped);
        if (phase is not null)
        {
            SqlCommands.Add(command, "phase", phase);
        }

        SqlCommands.Add(command, "id", id);
        await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    public Task<bool> CompleteAsync(string id, string outputDirectory, string resultJson, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(outputDirectory);
        ArgumentNullException.ThrowIfNull(resultJson);
        return TransitionAsync(id, "state = 'succeeded', progress = 1, finished_at = @now, output_dir = @output, result_json = @result", "'running'",
            c =>
            {
                SqlCommands.Add(c, "output", outputDirectory);
                SqlCommands.Add(c, "result", resultJson);
            }, ct);
    }

    public Task<bool> FailAsync(string id, string error, CancellationToken ct = default) =>
        TransitionAsync(id, "state = 'failed', finished_at = @now, error = @error", "'queued', 'running'",
            c => SqlCommands.Add(c, "error", error ?? string.Empty), ct);

    public Task<bool> CancelAsync(string id, string reason, CancellationToken ct = default) =>
        TransitionAsync(id, "state = 'cancelled', finished_at = @now, error = @error", "'queued', 'running'",
            c => SqlCommands.Add(c, "error", reason ?? string.Empty), ct);

    public async Task<int> RecoverAsync(CancellationToken ct = default)
    {
        if (!StoreExists)
        {
            return 0;
        }

        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"UPDATE {Table} SET state = 'failed', finished_at = @now, error = @error WHERE state IN ('queued', 'running')";
        SqlCommands.Add(command, "now", ToDb(Now()));
        SqlCommands.Add(command, "error", InterruptedError);
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Now, to the microsecond (what both backends keep).</summary>
    private DateTime Now()
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - now.Ticks % 10, DateTimeKind.Utc);
    }

    /// <summary>One conditional UPDATE: applies <paramref name="set"/> only while the job is in one of <paramref name="fromStates"/>.</summary>
    private async Task<bool> TransitionAsync(string id, string set, string fromStates, Action<DbCommand>? parameters, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(id) || !StoreExists)
        {
            return false;
        }

        await using var connection = await OpenAsync(ct).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"UPDATE {Table} SET {set} WHERE id = @id AND state IN ({fromStates})";
        SqlCommands.Add(command, "id", id.Trim());
        SqlCommands.Add(command, "now", ToDb(Now()));
        parameters?.Invoke(command);
        return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1;
    }

    private JobRecord Read(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        JobStates.TryParse(reader.GetString(2), out var state) ? state : JobState.Failed,
        reader.GetDouble(3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        reader.GetString(5),
        ReadUtc(reader, 6),
        reader.IsDBNull(7) ? null : ReadUtc(reader, 7),
        reader.IsDBNull(8) ? null : ReadUtc(reader, 8),
        reader.IsDBNull(9) ? null : reader.GetString(9),
        reader.IsDBNull(10) ? null : reader.GetString(10),
        reader.IsDBNull(11) ? null : reader.GetString(11));
}

/// <summary>Jobs in the service's local SQLite file, <c>&lt;AITRADER_DATA_DIR&gt;/platform.db</c> (no DATABASE_URL),
/// beside the API keys.</summary>
public sealed class SqliteJobStore : SqlJobStore
{
    private readonly SqliteDatabase _database;

    public SqliteJobStore(string databasePath, TimeProvider? time = null)
        : base(time)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        _database = new SqliteDatabase(databasePath);
    }

    public static SqliteJobStore InDataDirectory(string dataDirectory, TimeProvider? time = null) =>
        new(Path.Combine(dataDirectory, Security.SqliteApiKeyStore.DefaultFileName), time);

    public string DatabasePath => _database.DatabasePath;

    protected override string Table => "jobs";

    protected override bool StoreExists => File.Exists(DatabasePath);

    public override string ToString() => _database.ToString();

    public override async ValueTask DisposeAsync()
    {
        await _database.ClearPoolAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        // Workers and request handlers write side by side: wait for the writer's lock rather than fail at once.
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA busy_timeout = 10000;";
        await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    protected override Task<MigrationReport> CreateSchemaAsync(DbConnection connection, CancellationToken cancellationToken) =>
        SchemaMigrations.SqliteAsync(connection, "jobs", ToString(), Migrations, cancellationToken);

    protected override Task<SchemaStatus> ReadSchemaAsync(DbConnection connection, CancellationToken cancellationToken) =>
        SchemaMigrations.SqliteStatusAsync(connection, "jobs", ToString(), Migrations, cancellationToken);

    public override IReadOnlyList<SchemaStep> Migrations =>
    [
        new(1, "jobs table and state index", """
            CREATE TABLE IF NOT EXISTS jobs (
                id           TEXT PRIMARY KEY,
                kind         TEXT NOT NULL,
                state        TEXT NOT NULL CHECK (state IN ('queued','running','succeeded','failed','cancelled')),
                progress     REAL NOT NULL DEFAULT 0,
                phase        TEXT,
                request_json TEXT NOT NULL,
                created_at   TEXT NOT NULL,
                started_at   TEXT,
                finished_at  TEXT,
                error        TEXT,
                output_dir   TEXT,
                result_json  TEXT
            );
            CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state);
            """),
    ];

    protected override object ToDb(DateTime utc) => SqliteDatabase.ToDb(utc);

    protected override DateTime ReadUtc(DbDataReader reader, int ordinal) => SqliteDatabase.ReadUtc(reader, ordinal);
}

/// <summary>Jobs in PostgreSQL as <c>platform.jobs</c> (when DATABASE_URL is set).</summary>
public sealed class PostgresJobStore : SqlJobStore
{
    public const string DefaultSchema = "platform";

    private readonly PostgresDatabase _database;

    /// <param name="schema">Tests isolate themselves in a schema of their own; production uses <c>platform</c>.</param>
    public PostgresJobStore(string databaseUrl, string schema = DefaultSchema, TimeProvider? time = null)
        : base(time)
    {
        Schema = PostgresDatabase.ValidateSchema(schema);
        _database = new PostgresDatabase(databaseUrl);
    }

    public string Schema { get; }

    protected override string Table => $"{Schema}.jobs";

    /// <summary>Host, port, database and table; never the user or password.</summary>
    public override string ToString() => $"PostgreSQL {_database.Endpoint} ({Schema}.jobs)";

    public override async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) => _database.OpenAsync(cancellationToken);

    protected override Task<MigrationReport> CreateSchemaAsync(DbConnection connection, CancellationToken cancellationToken) =>
        SchemaMigrations.PostgresAsync(connection, Schema, "jobs", ToString(), Migrations, cancellationToken);

    protected override Task<SchemaStatus> ReadSchemaAsync(DbConnection connection, CancellationToken cancellationToken) =>
        SchemaMigrations.PostgresStatusAsync(connection, Schema, "jobs", ToString(), Migrations, cancellationToken);

    public override IReadOnlyList<SchemaStep> Migrations =>
    [
        new(1, "jobs table and state index", $"""
            CREATE TABLE IF NOT EXISTS {Schema}.jobs (
                id           text             PRIMARY KEY,
                kind         text             NOT NULL,
                state        text             NOT NULL CHECK (state IN ('queued','running','succeeded','failed','cancelled')),
                progress     double precision NOT NULL DEFAULT 0,
                phase        text,
                request_json text             NOT NULL,
                created_at   timestamptz      NOT NULL,
                started_at   timestamptz,
                finished_at  timestamptz,
                error        text,
                output_dir   text,
                result_json  text
            );
            CREATE INDEX IF NOT EXISTS jobs_state ON {Schema}.jobs (state);
            """),
    ];

    protected override object ToDb(DateTime utc) => utc;

    protected override DateTime ReadUtc(DbDataReader reader, int ordinal) => PostgresDatabase.ReadUtc(reader, ordinal);
}

/// <summary>Picks the job store: PostgreSQL when a DATABASE_URL is given, else SQLite in the data directory.</summary>
public static class JobStoreFactory
{
    public static IJobStore Create(string? databaseUrl, string dataDir) =>
        string.IsNullOrWhiteSpace(databaseUrl) ? SqliteJobStore.InDataDirectory(dataDir) : new PostgresJobStore(databaseUrl);
}
