using System.Data.Common;
using AiTrader.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AiTrader.Integration.Tests.Storage;

/// <summary>SQL run past the stores on a connection of its own, as a sqlite3 or psql user (or an older build) would: on
/// the test PostgreSQL server for the <c>postgres</c> backend, else on the SQLite file.</summary>
internal static class RawSql
{
    public static async Task<DbConnection> OpenAsync(string backend, string sqlitePath)
    {
        DbConnection connection = backend == "postgres"
            ? new NpgsqlConnection(PostgresConnectionString.FromDatabaseUrl(PostgresTestDatabase.RequireUrl()))
            : new SqliteConnection($"Data Source={sqlitePath};Pooling=False");
        await connection.OpenAsync();
        return connection;
    }

    public static async Task<int> ExecuteAsync(string backend, string sqlitePath, string sql)
    {
        await using var connection = await OpenAsync(backend, sqlitePath);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteNonQueryAsync();
    }

    public static async Task<object?> ScalarAsync(string backend, string sqlitePath, string sql)
    {
        await using var connection = await OpenAsync(backend, sqlitePath);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
