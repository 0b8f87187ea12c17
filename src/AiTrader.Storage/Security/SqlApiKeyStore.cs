using System.Data.Common;

namespace AiTrader.Storage.Security;

/// <summary>The service's API keys: created, listed, revoked and checked. Only each key's SHA-256 is stored.</summary>
public interface IApiKeyStore : IAsyncDisposable
{
    /// <summary>Creates a key; the returned key text is the only copy there will ever be.</summary>
    Task<(ApiKeyInfo Info, string Key)> CreateAsync(string name, ApiKeyRole role, CancellationToken cancellationToken = default);

    /// <summary>Every key, oldest first, revoked ones included.</summary>
    Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Revokes the key with <paramref name="id"/>; false when there is no such key or it was revoked already.</summary>
    Task<bool> RevokeAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>The key's record when <paramref name="key"/> is a valid, unrevoked key; null otherwise.</summary>
    Task<ApiKeyInfo?> VerifyAsync(string? key, CancellationToken cancellationToken = default);

    /// <summary>Records that the key <paramref name="id"/> was used at <paramref name="usedUtc"/>; an earlier time than the
    /// one recorded changes nothing, and nor does one less than <paramref name="unlessWithin"/> after it (so that several
    /// services on one database write a busy key's use once per that span between them). False when there is no such key.</summary>
    Task<bool> RecordUseAsync(string id, DateTime usedUtc, TimeSpan unlessWithin = default, CancellationToken cancellationToken = default);

    /// <summary>Takes up to <paramref name="wanted"/> requests from the shared allowance of <paramref name="partition"/> (a
    /// key, or a client address) in the fixed window that starts at <paramref name="windowStartUtc"/>, never more than
    /// <paramref name="limit"/> in the window across every service on the database; one statement (an UPSERT). With
    /// <paramref name="forgetEarlier"/> the windows before this one are deleted in the same round trip.</summary>
    /// <returns>The requests granted, 0 to <paramref name="wanted"/>; fewer than wanted means the window is used up.</returns>
    Task<int> LeaseRequestsAsync(string partition, DateTime windowStartUtc, int wanted, int limit, bool forgetEarlier,
        CancellationToken cancellationToken = default);
}

/// <summary>The API key statements shared by SQLite and PostgreSQL; subclasses supply the connection, schema and value mapping.</summary>
public abstract partial class SqlApiKeyStore : SqlStore, IApiKeyStore
{
    /// <summary>Longest key name accepted.</summary>
    public const int MaxNameLength = 100;

    /// <summary>The table, schema-qualified where the backend has schemas.</summary>
    protected abstract string Table { get; }

    public async Task<(ApiKeyInfo Info, string Key)> CreateAsync(string name, ApiKeyRole role, CancellationToken cancellationToken = default)
    {
        name = (name ?? string.Empty).Trim();
        if (name.Length == 0 || name.Length > MaxNameLength || name.Any(char.IsControl))
        {
            throw new ArgumentException($"API key name must be 1 to {MaxNameLength} printable characters, e.g. --name dashboard.", nameof(name));
        }

        if (!Enum.IsDefined(role))
        {
            throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown API key role.");
        }

        var (id, key) = ApiKeyToken.Generate();
        var created = DateTime.UtcNow;
        created = new DateTime(created.Ticks - created.Ticks % 10, DateTimeKind.Utc); // microseconds: what both backends keep
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = connection.CreateCommand();
        insert.CommandText = $"INSERT INTO {Table} (id, name, role, key_sha256, created_at) VALUES (@id, @name, @role, @hash, @created)";
        SqlCommands.Add(insert, "id", id);
        SqlCommands.Add(insert, "name", name);
        SqlCommands.Add(insert, "role", role.ToText());
        SqlCommands.Add(insert, "hash", ApiKeyToken.Hash(key));
        SqlCommands.Add(insert, "created", ToDb(created));
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return (new ApiKeyInfo(id, name, role, created, null), key);
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        if (!StoreExists)
        {
            return [];
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM {Table} ORDER BY created_at, id";
        return await SqlCommands.ReadAllAsync(command, Read, cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> RevokeAsync(string id, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(id) || !StoreExists)
        {
            return false;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"UPDATE {Table} SET revoked_at = @now WHERE id = @id AND revoked_at IS NULL";
        SqlCommands.Add(command, "now", ToDb(DateTime.UtcNow));
        SqlCommands.Add(command, "id", id.Trim().ToLowerInvariant());
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    public async Task<ApiKeyInfo?> VerifyAsync(string? key, CancellationToken cancellationToken = default)
    {
        if (!ApiKeyToken.TryGetId(key, out var id) || !StoreExists)
        {
            return null;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns}, key_sha256 FROM {Table} WHERE id = @id";
        SqlCommands.Add(command, "id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var info = Read(reader);
        return !info.IsRevoked && ApiKeyToken.Matches(key!, reader.GetString(6)) ? info : null;
    }

    public async Task<bool> RecordUseAsync(string id, DateTime usedUtc, TimeSpan unlessWithin = default, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(id) || !StoreExists)
        {
            return false;
        }

        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"UPDATE {Table} SET last_used_at = @at WHERE id = @id AND (last_used_at IS NULL OR last_used_at < @since)";
        SqlCommands.Add(command, "at", ToDb(usedUtc.ToUniversalTime()));
        SqlCommands.Add(command, "since", ToDb(usedUtc.ToUniversalTime() - (unlessWithin > TimeSpan.Zero ? unlessWithin : TimeSpan.Zero)));
        SqlCommands.Add(command, "id", id.Trim().ToLowerInvariant());
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await using var exists = connection.CreateCommand();
        exists.CommandText = $"SELECT COUNT(*) FROM {Table} WHERE id = @id";
        SqlCommands.Add(exists, "id", id.Trim().ToLowerInvariant());
        return Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    public async Task<int> LeaseRequestsAsync(string partition, DateTime windowStartUtc, int wanted, int limit, bool forgetEarlier,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(partition);
        ArgumentOutOfRangeException.ThrowIfLessThan(wanted, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var window = new DateTimeOffset(windowStartUtc.ToUniversalTime()).ToUnixTimeSeconds();
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        // The SET expressions read the row as it was, so granted is what this lease added, capped by the limit.
        command.CommandText = $"""
            INSERT INTO {WindowsTable} AS w (partition, window_start, taken, granted) VALUES (@partition, @window, @first, @first)
            ON CONFLICT (partition, window_start) DO UPDATE SET
                granted = {Least}(w.taken + @wanted, @limit) - w.taken,
                taken = {Least}(w.taken + @wanted, @limit)
            RETURNING granted;
            """ + (forgetEarlier ? $"DELETE FROM {WindowsTable} WHERE window_start < @window;" : "");
        SqlCommands.Add(command, "partition", partition);
        SqlCommands.Add(command, "window", window);
        SqlCommands.Add(command, "first", Math.Min(wanted, limit));
        SqlCommands.Add(command, "wanted", wanted);
        SqlCommands.Add(command, "limit", limit);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The table of request windows, schema-qualified where the backend has schemas.</summary>
    protected abstract string WindowsTable { get; }

    /// <summary>The backend's two-argument minimum (<c>MIN</c> on SQLite, <c>LEAST</c> on PostgreSQL).</summary>
    protected abstract string Least { get; }

    /// <summary>The columns <see cref="Read"/> reads, in its order.</summary>
    private const string Columns = "id, name, role, created_at, revoked_at, last_used_at";

    private ApiKeyInfo Read(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        ApiKeyRoles.TryParse(reader.GetString(2), out var role) ? role : ApiKeyRole.ReadOnly,
        ReadUtc(reader, 3),
        reader.IsDBNull(4) ? null : ReadUtc(reader, 4),
        reader.IsDBNull(5) ? null : ReadUtc(reader, 5));
}

/// <summary>API keys in a local SQLite file, <c>&lt;AITRADER_DATA_DIR&gt;/platform.db</c> (no DATABASE_URL).</summary>
public sealed class SqliteApiKeyStore : SqlApiKeyStore
{
    /// <summary>File name of the service's database inside the data directory.</summary>
    public const string DefaultFileName = "platform.db";

    private readonly SqliteDatabase _database;

    public SqliteApiKeyStore(string databasePath)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        _database = new SqliteDatabase(databasePath);
    }

    public static SqliteApiKeyStore InDataDirectory(string dataDirectory) => new(Path.Combine(dataDirectory, DefaultFileName));

    public string DatabasePath => _database.DatabasePath;

    protected override string Table => "api_keys";

    protected override string WindowsTable => "request_windows";

    protected override string Least => "MIN";

    protected override string SessionTable => "dashboard_sessions";

    protected override bool StoreExists => File.Exists(DatabasePath);

    public override string ToString() => _database.ToString();

    public override async ValueTask DisposeAsync()
    {
        await _database.ClearPoolAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) => _database.OpenAsync(cancellationToken);

    protected override Task<MigrationReport> CreateSchemaAsync(DbConnection connection, CancellationToken cancellationToken) =>
        SchemaMigrations.SqliteAsync(connection, "api_keys", ToString(), Migrations, cancellationToken);

    protected override Task<SchemaStatus> ReadSchemaAsync(DbConnection connection, CancellationToken cancellationToken) =>
        SchemaMigrations.SqliteStatusAsync(connection, "api_keys", ToString(), Migrations, cancellationToken);

    public override IReadOnlyList<SchemaStep> Migrations =>
    [
        new(1, "api_keys table", """
            CREATE TABLE IF NOT EXISTS api_keys (
                id          TEXT PRIMARY KEY,
                name        TEXT NOT NULL,
                role        TEXT NOT NULL CHECK (role IN ('read','trader')),
                key_sha256  TEXT NOT NULL CHECK (length(key_sha256) = 64),
                created_at  TEXT NOT NULL,
                revoked_at  TEXT
            );
            """),
        new(2, "api_keys.last_used_at", "ALTER TABLE api_keys ADD COLUMN last_used_at TEXT;"),
        new(3, "request_windows table (the rate limit shared by the services on this database)", """
            CREATE TABLE IF NOT EXISTS request_windows (
                partition    TEXT    NOT NULL,
                window_start INTEGER NOT NULL,
                taken        INTEGER NOT NULL,
                granted      INTEGER NOT NULL,
                PRIMARY KEY (partition, window_start)
            );
            """),
        new(4, "dashboard_sessions table", """
            CREATE TABLE IF NOT EXISTS dashboard_sessions (
                token_sha256 TEXT PRIMARY KEY CHECK (length(token_sha256) = 64),
                key_id       TEXT NOT NULL,
                ticket       BLOB NOT NULL,
                created_at   TEXT NOT NULL,
                expires_at   TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS dashboard_sessions_expires ON dashboard_sessions (expires_at);
            """),
    ];

    protected override object ToDb(DateTime utc) => SqliteDatabase.ToDb(utc);

    protected override DateTime ReadUtc(DbDataReader reader, int ordinal) => SqliteDatabase.ReadUtc(reader, ordinal);
}

/// <summary>API keys in PostgreSQL as <c>platform.api_keys</c> (when DATABASE_URL is set).</summary>
public sealed class PostgresApiKeyStore : SqlApiKeyStore
{
    public const string DefaultSchema = "platform";

    private readonly PostgresDatabase _database;

    /// <param name="schema">Tests isolate themselves in a schema of their own; production uses <c>platform</c>.</param>
    public PostgresApiKeyStore(string databaseUrl, string schema = DefaultSchema)
    {
        Schema = PostgresDatabase.ValidateSchema(schema);
        _database = new PostgresDatabase(databaseUrl);
    }

    public string Schema { get; }

    protected override string Table => $"{Schema}.api_keys";

    protected override string WindowsTable => $"{Schema}.request_windows";

    protected override string Least => "LEAST";

    protected override string SessionTable => $"{Schema}.dashboard_sessions";

    /// <summary>Host, port, database and table; never the user or password.</summary>
    public override string ToString() => $"PostgreSQL {_database.Endpoint} ({Schema}.api_keys)";

    public override async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) => _database.OpenAsync(cancellationToken);

    protected override Task<MigrationReport> CreateSchemaAsync(DbConnection connection, CancellationToken cancellationToken) =>
        SchemaMigrations.PostgresAsync(connection, Schema, "api_keys", ToString(), Migrations, cancellationToken);

    protected override Task<SchemaStatus> ReadSchemaAsync(DbConnection connection, CancellationToken cancellationToken) =>
        SchemaMigrations.PostgresStatusAsync(connection, Schema, "api_keys", ToString(), Migrations, cancellationToken);

    public override IReadOnlyList<SchemaStep> Migrations =>
    [
        new(1, "api_keys table", $"""
            CREATE TABLE IF NOT EXISTS {Schema}.api_keys (
                id          text        PRIMARY KEY,
                name        text        NOT NULL,
                role        text        NOT NULL CHECK (role IN ('read','trader')),
                key_sha256  text        NOT NULL CHECK (length(key_sha256) = 64),
                created_at  timestamptz NOT NULL,
                revoked_at  timestamptz
            );
            """),
        new(2, "api_keys.last_used_at", $"ALTER TABLE {Schema}.api_keys ADD COLUMN IF NOT EXISTS last_used_at timestamptz;"),
        new(3, "request_windows table (the rate limit shared by the services on this database)", $"""
            CREATE TABLE IF NOT EXISTS {Schema}.request_windows (
                partition    text    NOT NULL,
                window_start bigint  NOT NULL,
                taken        integer NOT NULL,
                granted      integer NOT NULL,
                PRIMARY KEY (partition, window_start)
            );
            """),
        new(4, "dashboard_sessions table", $"""
            CREATE TABLE IF NOT EXISTS {Schema}.dashboard_sessions (
                token_sha256 text        PRIMARY KEY CHECK (length(token_sha256) = 64),
                key_id       text        NOT NULL,
                ticket       bytea       NOT NULL,
                created_at   timestamptz NOT NULL,
                expires_at   timestamptz NOT NULL
            );
            CREATE INDEX IF NOT EXISTS dashboard_sessions_expires ON {Schema}.dashboard_sessions (expires_at);
            """),
    ];

    protected override object ToDb(DateTime utc) => utc;

    protected override DateTime ReadUtc(DbDataReader reader, int ordinal) => PostgresDatabase.ReadUtc(reader, ordinal);
}

/// <summary>Picks the key store: PostgreSQL when a DATABASE_URL is given, else SQLite in the data directory.</summary>
public static class ApiKeyStoreFactory
{
    public static IApiKeyStore Create(string? databaseUrl, string dataDir) =>
        string.IsNullOrWhiteSpace(databaseUrl) ? SqliteApiKeyStore.InDataDirectory(dataDir) : new PostgresApiKeyStore(databaseUrl);
}
