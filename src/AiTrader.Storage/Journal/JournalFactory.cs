using AiTrader.Core.Journal;

namespace AiTrader.Storage;

/// <summary>Picks the journal store: PostgreSQL (<c>trading.journal</c>) when a DATABASE_URL is given, else SQLite in the data directory.</summary>
public static class JournalFactory
{
    /// <summary>PostgreSQL when <paramref name="databaseUrl"/> is non-blank, else SQLite at <c>&lt;dataDir&gt;/journal.db</c>.</summary>
    public static IJournal Create(string? databaseUrl, string dataDir) =>
        string.IsNullOrWhiteSpace(databaseUrl)
            ? SqliteJournal.InDataDirectory(dataDir)
            : new PostgresJournal(databaseUrl);

    /// <summary><see cref="Create"/> with DATABASE_URL and AITRADER_DATA_DIR (default <c>./data</c>) from the environment.</summary>
    public static IJournal CreateFromEnvironment(Func<string, string?>? environment = null)
    {
        var env = environment ?? Environment.GetEnvironmentVariable;
        return Create(env(SnapshotCatalogFactory.DatabaseUrlVariable), CachePaths.ResolveDataDirectory(env));
    }
}
