using System.Data.Common;
using Npgsql;

namespace AiTrader.Storage;

/// <summary>A PostgreSQL data source shared by the PostgreSQL-backed stores, and the value mapping of UTC instants.</summary>
internal sealed class PostgresDatabase : IAsyncDisposable
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
}
