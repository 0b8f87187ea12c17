using AiTrader.Core.Domain;
using AiTrader.Core.Scanning;
using AiTrader.Core.Signals.Regimes;
using AiTrader.Core.Watchlists;
using AiTrader.Integration.Tests.Storage;
using AiTrader.Storage.Watchlists;
using Npgsql;

namespace AiTrader.Integration.Tests.Watchlists;

/// <summary>The three stores behind one interface, for real: JSON files, Azurite (Azure Blob) and PostgreSQL.</summary>
public sealed class WatchlistStoreTests
{
    private static readonly DateTime T0 = new(2013, 10, 8, 13, 25, 0, DateTimeKind.Utc);

    /// <summary>A fresh, empty store of <paramref name="kind"/>, isolated from every other test run.</summary>
    private static async Task<(IWatchlistStore Store, Func<Task> Cleanup)> OpenAsync(string kind)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        switch (kind)
        {
            case "json":
                var dir = new TempDirectory();
                return (new JsonWatchlistStore(dir.Path), () =>
                {
                    dir.Dispose();
                    return Task.CompletedTask;
                }
                );
            case "blob":
                var container = "wl-" + id;
                var blob = new BlobWatchlistStore(AzuriteTestStorage.Require(), container);
                return (blob, async () =>
                {
                    await new Azure.Storage.Blobs.BlobContainerClient(AzuriteTestStorage.Require(), container).DeleteIfExistsAsync();
                }
                );
            case "postgres":
                var url = PostgresTestDatabase.RequireUrl();
                var schema = "wl_" + id;
                return (new PostgresWatchlistStore(url, schema), async () =>
                {
                    await using var ds = NpgsqlDataSource.Create(AiTrader.Storage.PostgresConnectionString.FromDatabaseUrl(url));
                    await using var cmd = ds.CreateCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE");
                    await cmd.ExecuteNonQueryAsync();
                }
                );
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    private static Watchlist List(string bucket, DateTime at, params string[] symbols) =>
        new(bucket, at, "manual", symbols.Select((s, i) => new WatchlistEntry(s, i % 2 == 0 ? "manual" : "discord", i + 1, 1.25m * i, "n")).ToList(), ["a note"]);

    private static ScanRefresh Refresh(DateTime window) => new(window, new DateOnly(2013, 10, 8), window, TimeSpan.FromMilliseconds(12.5), 3,
        [
            new ScanRow(window, "SPY", ScanRowStatus.Ranked, 1, 3.8m, 0.000597300203082069m, 0.901153m, 167.52m, window.AddMinutes(-1), 167.42m,
                new DateOnly(2013, 10, 7), 1_264_434m, 1_403_126m, [new DateOnly(2013, 10, 7), new DateOnly(2013, 10, 4)], 211_818_183.68m, 0.62, MarketRegime.Calm, null),
            new ScanRow(window, "FOXA", ScanRowStatus.NoData, null, null, null, null, null, null, null, null, 0m, null, [], null, null, null, "no close"),
        ],
        ["ZZZZ: unknown symbol"], "replay");

    public static TheoryData<string> Json => new() { "json" };

    [Theory]
    [MemberData(nameof(Json))]
    [AzuriteData]
    [PostgresData]
    public async Task Round_trips_lists_buckets_and_refreshes(string kind)
    {
        var (store, cleanup) = await OpenAsync(kind);
        await using var _ = store;
        try
        {
            Assert.Empty(await store.ListBucketsAsync());
            Assert.Null(await store.LoadAsync("default"));

            var first = await store.SaveAsync(List("default", T0, "SPY", "BRK.B"));
            var second = await store.SaveAsync(List("default", T0.AddMinutes(5), "IBM"));
            await store.SaveAsync(List("scan", T0, "AIG"));

            Assert.Equal(["default", "scan"], await store.ListBucketsAsync());
            Assert.Equal([T0, T0.AddMinutes(5)], await store.ListAsync("default"));

            var latest = await store.LoadAsync("default");
            Assert.Equal(second.CreatedUtc, latest!.CreatedUtc);
            Assert.Equal(DateTimeKind.Utc, latest.CreatedUtc.Kind);
            var atFirst = await store.LoadAsync("default", T0.AddMinutes(4));
            Assert.Equal(first.Entries, atFirst!.Entries);
            Assert.Equal(first.Notes, atFirst.Notes);
            Assert.Equal("discord", atFirst.Entries[1].Source);
            Assert.Equal(new Symbol("BRK.B"), atFirst.Entries[1].Symbol);
            Assert.Null(await store.LoadAsync("default", T0.AddSeconds(-1)));

            Assert.Empty(await store.ListRefreshDatesAsync());
            var saved = await store.SaveRefreshAsync(Refresh(T0));
            await store.SaveRefreshAsync(Refresh(T0.AddMinutes(-5)));
            var refreshes = await store.LoadRefreshesAsync(new DateOnly(2013, 10, 8));
            Assert.Equal([T0.AddMinutes(-5), T0], refreshes.Select(r => r.Window));
            var back = refreshes[1];
            Assert.Equal(saved.Rows, back.Rows, new RowComparer());
            Assert.Equal(saved.Errors, back.Errors);
            Assert.Equal(TimeSpan.FromMilliseconds(12.5), back.Elapsed);
            Assert.Equal(3, back.UniverseSize);
            Assert.Empty(await store.LoadRefreshesAsync(new DateOnly(2013, 10, 9)));

            // The dates that hold refreshes, oldest first (the dashboard's scan page offers them).
            await store.SaveRefreshAsync(Refresh(T0.AddDays(-1)) with { SessionDate = new DateOnly(2013, 10, 7) });
            Assert.Equal([new DateOnly(2013, 10, 7), new DateOnly(2013, 10, 8)], await store.ListRefreshDatesAsync());
        }
        finally
        {
            await cleanup();
        }
    }

    [Theory]
    [MemberData(nameof(Json))]
    [AzuriteData]
    [PostgresData]
    public async Task Concurrent_saves_to_one_bucket_at_one_instant_lose_nothing(string kind)
    {
        var (store, cleanup) = await OpenAsync(kind);
        await using var _ = store;
        try
        {
            const int Writers = 24;
            var saved = await Task.WhenAll(Enumerable.Range(0, Writers).Select(i =>
                Task.Run(() => store.SaveAsync(List("busy", T0, $"S{i}")))));

            var stamps = await store.ListAsync("busy");
            Assert.Equal(Writers, stamps.Count);
            Assert.Equal(Writers, saved.Select(w => w.CreatedUtc).Distinct().Count());
            // Every save kept its own symbol under the timestamp it was given back.
            foreach (var w in saved)
            {
                var loaded = await store.LoadAsync("busy", w.CreatedUtc);
                Assert.Equal(w.Entries[0].Symbol, loaded!.Entries[0].Symbol);
            }

            // The keys are the instant and the next microseconds, nothing else.
            Assert.Equal(Enumerable.Range(0, Writers).Select(i => T0.AddTicks(10 * i)), stamps);
        }
        finally
        {
            await cleanup();
        }
    }

    [PostgresFact]
    public async Task The_postgres_schema_is_versioned_and_migrates_once()
    {
        var (store, cleanup) = await OpenAsync("postgres");
        try
        {
            var pg = (PostgresWatchlistStore)store;
            Assert.Equal([1], await pg.AppliedVersionsAsync());
            await store.DisposeAsync();

            // A second process (another store on the same schema) sees version 1 and applies nothing again.
            await using var again = new PostgresWatchlistStore(PostgresTestDatabase.RequireUrl(), pg.Schema);
            Assert.Equal([1], await again.AppliedVersionsAsync());
            Assert.Empty(await again.ListBucketsAsync());
        }
        finally
        {
            await cleanup();
        }
    }

    [Fact]
    public async Task Json_files_land_under_watchlists_bucket_timestamp()
    {
        using var temp = new TempDirectory();
        var dir = temp.Path;
        await using var store = new JsonWatchlistStore(dir);
        await store.SaveAsync(List("morning", T0, "SPY"));
        var file = Assert.Single(Directory.GetFiles(Path.Combine(dir, "watchlists", "morning"), "*.json"));
        Assert.True(File.Exists(Path.Combine(dir, "watchlists", "morning", ".20131008T132500.000000Z.claim")));
        Assert.Equal("20131008T132500.000000Z.json", Path.GetFileName(file));
        Assert.Contains("\"symbol\": \"SPY\"", await File.ReadAllTextAsync(file));
        Assert.Empty(Directory.GetFiles(Path.Combine(dir, "watchlists", "morning"), "*.tmp", SearchOption.AllDirectories));
        await Assert.ThrowsAsync<ArgumentException>(() => store.LoadAsync("../etc"));
    }

    [Fact]
    public void The_factory_names_what_is_missing()
    {
        var none = new Dictionary<string, string?>();
        Assert.IsType<JsonWatchlistStore>(WatchlistStoreFactory.Create(null, none.GetValueOrDefault, "data"));
        Assert.Contains("AZURE_BLOB_CONNECTION_STRING", Assert.Throws<ArgumentException>(() => WatchlistStoreFactory.Create("blob", none.GetValueOrDefault, "data")).Message);
        Assert.Contains("DATABASE_URL", Assert.Throws<ArgumentException>(() => WatchlistStoreFactory.Create("postgres", none.GetValueOrDefault, "data")).Message);
        Assert.Contains("use json, blob, postgres", Assert.Throws<ArgumentException>(() => WatchlistStoreFactory.Create("s3", none.GetValueOrDefault, "data")).Message);
        var bad = new Dictionary<string, string?> { ["AZURE_BLOB_CONNECTION_STRING"] = "AccountKey=SECRET-KEY-1;nonsense" };
        var ex = Assert.Throws<ArgumentException>(() => WatchlistStoreFactory.Create("blob", bad.GetValueOrDefault, "data"));
        Assert.DoesNotContain("SECRET-KEY-1", ex.Message);
    }

    private sealed class RowComparer : IEqualityComparer<ScanRow>
    {
        public bool Equals(ScanRow? x, ScanRow? y) => x is not null && y is not null &&
            x with { SessionDates = [] } == y with { SessionDates = [] } && x.SessionDates.SequenceEqual(y.SessionDates);

        public int GetHashCode(ScanRow obj) => obj.Symbol.GetHashCode();
    }
}
