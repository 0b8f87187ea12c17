namespace AiTrader.Storage;

/// <summary>Picks the snapshot catalog: PostgreSQL when a DATABASE_URL is given, else SQLite in the data directory.</summary>
public static class SnapshotCatalogFactory
{
    /// <summary>Environment variable holding the PostgreSQL URL or connection string.</summary>
    public const string DatabaseUrlVariable = "DATABASE_URL";

    /// <summary>PostgreSQL (<c>market.price_snapshots</c>) when <paramref name="databaseUrl"/> is non-blank, else
    /// SQLite at <c>&lt;dataDir&gt;/aitrader.db</c> (<c>price_snapshots</c>).</summary>
    public static ISnapshotCatalog Create(string? databaseUrl, string dataDir) =>
        string.IsNullOrWhiteSpace(databaseUrl)
            ? SqliteSnapshotCatalog.InDataDirectory(dataDir)
            : new PostgresSnapshotCatalog(databaseUrl);

    /// <summary><see cref="Create"/> with DATABASE_URL and AITRADER_DATA_DIR (default <c>./data</c>) from the environment.</summary>
    public static ISnapshotCatalog CreateFromEnvironment(Func<string, string?>? environment = null)
    {
        var env = environment ?? Environment.GetEnvironmentVariable;
        return Create(env(DatabaseUrlVariable), CachePaths.ResolveDataDirectory(env));
    }
}
