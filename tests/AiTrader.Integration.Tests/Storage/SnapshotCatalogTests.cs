using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Storage;
using static AiTrader.Integration.Tests.Storage.StorageTestData;

namespace AiTrader.Integration.Tests.Storage;

public sealed class SnapshotCatalogTests
{
    [Theory]
    [InlineData("sqlite")]
    [PostgresData]
    public async Task Catalog_upserts_finds_lists_and_deletes(string backend)
    {
        await using var t = new CatalogUnderTest(backend);
        var catalog = t.Catalog;
        var spy = new CacheKey(t.Vendor, "SPY", Timeframe.OneMinute, PriceAdjustment.Split);
        var spyRaw = spy with { Adjustment = PriceAdjustment.Raw };
        var qqq = new CacheKey(t.Vendor, "QQQ", Timeframe.OneDay, PriceAdjustment.Split);
        var fetched = new DateTime(2025, 1, 2, 3, 4, 5, DateTimeKind.Utc).AddTicks(1234560);

        PriceSnapshot Snap(CacheKey key, UtcRange range, long rows = 10, string checksum = "ab") =>
            new(0, key, range, rows, checksum.PadRight(64, '0'), CachePaths.SnapshotPath(key, range), fetched);

        var january = new UtcRange(Utc(2024, 1, 2, 14, 30), Utc(2024, 1, 31, 21).AddTicks(-10));
        var march = new UtcRange(Utc(2024, 3, 1), Utc(2024, 3, 31));
        var a = await catalog.UpsertAsync(Snap(spy, january));
        var b = await catalog.UpsertAsync(Snap(spy, march));
        var c = await catalog.UpsertAsync(Snap(spyRaw, january));
        var d = await catalog.UpsertAsync(Snap(qqq, january));
        Assert.All(new[] { a, b, c, d }, s => Assert.True(s.Id > 0));
        Assert.Equal(4, new[] { a.Id, b.Id, c.Id, d.Id }.Distinct().Count());

        // Same key and range: an update of the same row, not a second row.
        var a2 = await catalog.UpsertAsync(Snap(spy, january, rows: 11, checksum: "cd") with { FetchedAtUtc = fetched.AddDays(1) });
        Assert.Equal(a.Id, a2.Id);

        var listed = await catalog.ListAsync(t.Vendor);
        Assert.Equal([d.Id, c.Id, a.Id, b.Id], listed.Select(s => s.Id)); // QQQ before SPY, raw before split, by start
        var storedA = listed.Single(s => s.Id == a.Id);
        Assert.Equal(a2, storedA); // every field round-trips exactly, microseconds and Kind included
        Assert.Equal(DateTimeKind.Utc, storedA.Range.Start.Kind);
        Assert.Equal(DateTimeKind.Utc, storedA.FetchedAtUtc.Kind);

        // Overlap is inclusive at both ends and stays within the key.
        Assert.Equal([a.Id], (await catalog.FindOverlappingAsync(spy, new UtcRange(january.End, Utc(2024, 2, 15)))).Select(s => s.Id));
        Assert.Empty(await catalog.FindOverlappingAsync(spy, new UtcRange(january.End + UtcRange.Resolution, march.Start - UtcRange.Resolution)));
        Assert.Equal([a.Id, b.Id], (await catalog.FindOverlappingAsync(spy, new UtcRange(Utc(2023, 1, 1), Utc(2025, 1, 1)))).Select(s => s.Id));
        Assert.Equal([b.Id], (await catalog.FindOverlappingAsync(spy, new UtcRange(march.Start, march.Start))).Select(s => s.Id));
        Assert.Equal([c.Id], (await catalog.FindOverlappingAsync(spyRaw, january)).Select(s => s.Id));
        Assert.Empty(await catalog.FindOverlappingAsync(spy with { Timeframe = Timeframe.FiveMinutes }, january));

        Assert.True(await catalog.DeleteAsync(b.Id));
        Assert.False(await catalog.DeleteAsync(b.Id));
        Assert.Equal([d.Id, c.Id, a.Id], (await catalog.ListAsync(t.Vendor)).Select(s => s.Id));
    }

    [Fact]
    public async Task Factory_uses_sqlite_in_the_data_directory_without_a_database_url()
    {
        using var dir = new TempDirectory();
        await using var catalog = SnapshotCatalogFactory.Create(null, dir.Path);
        var sqlite = Assert.IsType<SqliteSnapshotCatalog>(catalog);
        Assert.Equal(Path.Combine(dir.Path, "aitrader.db"), sqlite.DatabasePath);

        await catalog.ListAsync(); // creates the table
        Assert.True(File.Exists(sqlite.DatabasePath));

        await using var env = SnapshotCatalogFactory.CreateFromEnvironment(name => name switch
        {
            "AITRADER_DATA_DIR" => dir.Path,
            _ => null,
        });
        Assert.Equal(sqlite.DatabasePath, Assert.IsType<SqliteSnapshotCatalog>(env).DatabasePath);
    }

    [Fact]
    public async Task Factory_uses_postgres_when_a_database_url_is_set_and_never_shows_the_password()
    {
        using var dir = new TempDirectory();
        await using var catalog = SnapshotCatalogFactory.Create("postgres://trader:s3cr%40t@db.example:6543/aitrader", dir.Path);

        Assert.IsType<PostgresSnapshotCatalog>(catalog);
        Assert.Equal("PostgreSQL db.example:6543/aitrader", catalog.ToString());
        Assert.False(File.Exists(Path.Combine(dir.Path, "aitrader.db")));
    }

    [PostgresFact]
    public async Task Postgres_catalog_lives_in_the_market_schema()
    {
        await using var t = new CatalogUnderTest("postgres");
        await t.Catalog.ListAsync(t.Vendor);

        await using var connection = new Npgsql.NpgsqlConnection(PostgresConnectionString.FromDatabaseUrl(PostgresTestDatabase.RequireUrl()));
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "select string_agg(column_name, ',' order by ordinal_position) from information_schema.columns where table_schema = 'market' and table_name = 'price_snapshots'",
            connection);
        Assert.Equal("id,vendor,symbol,interval,adjustment,range_start,range_end,rows,checksum,path,fetched_at,expires_at", await command.ExecuteScalarAsync());
    }
}
