using AiTrader.Storage.Jobs;
using AiTrader.Storage.Security;
using AiTrader.Storage.Watchlists;

namespace AiTrader.Storage;

/// <summary>The platform's SQL stores as one database: SQLite files in the data directory by default, PostgreSQL
/// schemas (<c>trading</c>, <c>platform</c>, <c>market</c>, <c>watchlists</c>) when DATABASE_URL is set.</summary>
public static class PlatformDatabase
{
    /// <summary>Brings every store's schema up to date: the journal, API keys, jobs and the snapshot catalog, plus the
    /// watchlist and scan-refresh tables on PostgreSQL (on SQLite they are JSON files and have no schema).</summary>
    /// <returns>One report per store, in that order.</returns>
    public static Task<IReadOnlyList<MigrationReport>> MigrateAsync(string? databaseUrl, string dataDir, CancellationToken cancellationToken) =>
        EachStoreAsync(databaseUrl, dataDir, store => store.MigrateAsync(cancellationToken));

    /// <summary>Every store's schema as recorded, read without applying anything or taking a write lock (readiness).</summary>
    /// <returns>One status per store, in the order of <see cref="MigrateAsync"/>.</returns>
    public static Task<IReadOnlyList<SchemaStatus>> InspectAsync(string? databaseUrl, string dataDir, CancellationToken cancellationToken) =>
        EachStoreAsync(databaseUrl, dataDir, store => store.InspectAsync(cancellationToken));

    private static async Task<IReadOnlyList<T>> EachStoreAsync<T>(string? databaseUrl, string dataDir, Func<IMigratingStore, Task<T>> ask)
    {
        var answers = new List<T>();
        foreach (var open in Stores(databaseUrl, dataDir))
        {
            await using var store = open();
            answers.Add(await ask(store).ConfigureAwait(false));
        }

        return answers;
    }

    private static List<Func<IMigratingStore>> Stores(string? databaseUrl, string dataDir)
    {
        var stores = new List<Func<IMigratingStore>>
        {
            () => (IMigratingStore)JournalFactory.Create(databaseUrl, dataDir),
            () => (IMigratingStore)ApiKeyStoreFactory.Create(databaseUrl, dataDir),
            () => (IMigratingStore)JobStoreFactory.Create(databaseUrl, dataDir),
            () => (IMigratingStore)SnapshotCatalogFactory.Create(databaseUrl, dataDir),
        };
        if (!string.IsNullOrWhiteSpace(databaseUrl))
        {
            stores.Add(() => new PostgresWatchlistStore(databaseUrl));
        }

        return stores;
    }
}
