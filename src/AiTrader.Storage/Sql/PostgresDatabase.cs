using System.Data.Common;
using System.Text.RegularExpressions;
using Npgsql;

namespace AiTrader.Storage;

/// <summary>A PostgreSQL data source shared by the PostgreSQL-backed stores, and the value mapping of UTC instants.</summary>
internal sealed partial class PostgresDatabase : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    /// <summary>Connects with a <c>postgres://user:pass@host:port/db</c> URL or a key=value connection string.</summary>
    public PostgresDatabase(string databaseUrl)
    {
        var connectionString = PostgresConnectionString.FromDatabaseUrl(databaseUrl);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Endpoint = $"{builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(connectionString);
    }

    /// <summary>Host, port and database; never the user or password.</summary>
    public string Endpoint { get; }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    public static DateTime ReadUtc(DbDataReader reader, int ordinal) =>
        DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc);

    /// <summary>Returns <paramref name="schema"/> when it is a lower-case SQL identifier a store may put in its SQL text
    /// (the stores take a schema so tests can isolate themselves); otherwise throws.</summary>
    /// <exception cref="ArgumentException">Not a lower-case SQL identifier.</exception>
    public static string ValidateSchema(string schema) =>
        Identifier().IsMatch(schema)
            ? schema
            : throw new ArgumentException($"Schema '{schema}' must be a lower-case SQL identifier (a-z, 0-9, _).", nameof(schema));

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex Identifier();
}
