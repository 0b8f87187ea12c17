using System.Data.Common;
using AiTrader.Core.Journal;
using AiTrader.Integration.Tests.Storage;
using AiTrader.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AiTrader.Integration.Tests.Journal;

/// <summary>Opens the journal backend a theory row names: SQLite in a scratch directory, or PostgreSQL in a schema of its
/// own (dropped afterwards, since the journal itself refuses DELETE) so tests never see each other's rows.</summary>
internal sealed class JournalUnderTest : IAsyncDisposable
{
    private readonly TempDirectory _dir = new();

    public JournalUnderTest(string backend)
    {
        Backend = backend;
        Journal = backend switch
        {
            "sqlite" => JournalFactory.Create(null, _dir.Path),
            "postgres" => new PostgresJournal(PostgresTestDatabase.RequireUrl(), Schema),
            _ => throw new ArgumentOutOfRangeException(nameof(backend)),
        };
    }

    public string Backend { get; }

    public IJournal Journal { get; }

    public string Schema { get; } = "journal_test_" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The table as raw SQL must name it.</summary>
    public string Table => Backend == "postgres" ? $"{Schema}.journal" : "journal";

    /// <summary>Runs SQL on a connection of its own, bypassing <see cref="IJournal"/>, as a sqlite3/psql user would.</summary>
    public Task<int> ExecuteRawAsync(string sql) => RawSql.ExecuteAsync(Backend, SqlitePath, sql);

    /// <summary>Runs a query on a connection of its own and returns its first value.</summary>
    public Task<object?> ScalarRawAsync(string sql) => RawSql.ScalarAsync(Backend, SqlitePath, sql);

    private string SqlitePath => Backend == "postgres" ? "" : ((SqliteJournal)Journal).DatabasePath;

    public async ValueTask DisposeAsync()
    {
        await Journal.DisposeAsync();
        if (Backend == "postgres")
        {
            await ExecuteRawAsync($"DROP SCHEMA IF EXISTS {Schema} CASCADE");
        }

        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
