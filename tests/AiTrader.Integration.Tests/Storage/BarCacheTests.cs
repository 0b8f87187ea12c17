using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Integration.Tests.TestSupport;
using AiTrader.Storage;
using static AiTrader.Integration.Tests.Storage.StorageTestData;

namespace AiTrader.Integration.Tests.Storage;

public sealed class BarCacheTests
{
    private static readonly TimeSpan Us = UtcRange.Resolution;

    [Theory]
    [InlineData("sqlite")]
    [PostgresData]
    public async Task Miss_then_full_hit_then_partial_fetches_only_the_missing_ranges(string backend)
    {
        await using var t = new CatalogUnderTest(backend);
        var vendor = new FakeVendor(Minutes(Utc(2024, 1, 2, 8), 600)); // 08:00..17:59
        var cache = new BarCache(t.Catalog, Path.Combine(t.Directory, "cache"));
        var key = new CacheKey(t.Vendor, "SPY", Timeframe.OneMinute, PriceAdjustment.Split);

        var miss = await cache.GetOrFetchAsync(key, Utc(2024, 1, 2, 10), Utc(2024, 1, 2, 11), vendor.FetchAsync);
        Assert.Equal(CacheHit.Miss, miss.CacheHit);
        Assert.Equal([(Utc(2024, 1, 2, 10), Utc(2024, 1, 2, 11))], vendor.Calls);
        Assert.Equal(vendor.Between(Utc(2024, 1, 2, 10), Utc(2024, 1, 2, 11)), miss.Bars);
        Assert.Equal(61, miss.Bars.Count);
        Assert.Equal(miss.FetchedRanges, [new UtcRange(Utc(2024, 1, 2, 10), Utc(2024, 1, 2, 11))]);

        vendor.Calls.Clear();
        var full = await cache.GetOrFetchAsync(key, Utc(2024, 1, 2, 10), Utc(2024, 1, 2, 11), vendor.FetchAsync);
        var inner = await cache.GetOrFetchAsync(key, Utc(2024, 1, 2, 10, 15), Utc(2024, 1, 2, 10, 45), vendor.FetchAsync);
        Assert.Empty(vendor.Calls);
        Assert.Equal(CacheHit.Full, full.CacheHit);
        Assert.Equal(miss.Bars, full.Bars);
        Assert.Empty(full.FetchedRanges);
        Assert.Equal(CacheHit.Full, inner.CacheHit);
        Assert.Equal(vendor.Between(Utc(2024, 1, 2, 10, 15), Utc(2024, 1, 2, 10, 45)), inner.Bars);

        var partial = await cache.GetOrFetchAsync(key, Utc(2024, 1, 2, 9), Utc(2024, 1, 2, 12), vendor.FetchAsync);
        Assert.Equal(CacheHit.Partial, partial.CacheHit);
        Assert.Equal(
            [(Utc(2024, 1, 2, 9), Utc(2024, 1, 2, 10) - Us), (Utc(2024, 1, 2, 11) + Us, Utc(2024, 1, 2, 12))],
            vendor.Calls);
        Assert.Equal(vendor.Between(Utc(2024, 1, 2, 9), Utc(2024, 1, 2, 12)), partial.Bars);

        // The union replaced the smaller snapshot: one row, one file.
        var rows = await t.Catalog.ListAsync(t.Vendor);
        var row = Assert.Single(rows);
        Assert.Equal(new UtcRange(Utc(2024, 1, 2, 9), Utc(2024, 1, 2, 12)), row.Range);
        Assert.Equal(181, row.Rows);
        Assert.Equal(row, partial.Snapshot);
        Assert.Equal([cache.FullPath(row)], Directory.GetFiles(cache.CacheDirectory, "*", SearchOption.AllDirectories));

        vendor.Calls.Clear();
        var before = await cache.GetOrFetchAsync(key, Utc(2024, 1, 2, 8), Utc(2024, 1, 2, 9, 30), vendor.FetchAsync);
        Assert.Equal(CacheHit.Partial, before.CacheHit);
        Assert.Equal([(Utc(2024, 1, 2, 8), Utc(2024, 1, 2, 9) - Us)], vendor.Calls);
        Assert.Equal(vendor.Between(Utc(2024, 1, 2, 8), Utc(2024, 1, 2, 9, 30)), before.Bars);
        Assert.Equal(new UtcRange(Utc(2024, 1, 2, 8), Utc(2024, 1, 2, 12)), Assert.Single(await t.Catalog.ListAsync(t.Vendor)).Range);
    }

    [Fact]
    public async Task A_gap_between_two_snapshots_is_the_only_range_fetched()
    {
        await using var t = new CatalogUnderTest("sqlite");
        var vendor = new FakeVendor(Minutes(Utc(2024, 1, 2, 14), 300));
        var cache = new BarCache(t.Catalog, t.Directory);
        var key = new CacheKey(t.Vendor, "SPY", Timeframe.OneMinute, PriceAdjustment.Raw);
        await cache.GetOrFetchAsync(key, Utc(2024, 1, 2, 14), Utc(2024, 1, 2, 15), vendor.FetchAsync);
        await cache.GetOrFetchAsync(key, Utc(2024, 1, 2, 16), Utc(2024, 1, 2, 17), vendor.FetchAsync);
        vendor.Calls.Clear();

        var result = await cache.GetOrFetchAsync(key, Utc(2024, 1, 2, 14, 30), Utc(2024, 1, 2, 16, 30), vendor.FetchAsync);

        Assert.Equal(CacheHit.Partial, result.CacheHit);
        Assert.Equal([(Utc(2024, 1, 2, 15) + Us, Utc(2024, 1, 2, 16) - Us)], vendor.Calls);
        Assert.Equal(vendor.Between(Utc(2024, 1, 2, 14, 30), Utc(2024, 1, 2, 16, 30)), result.Bars);
        Assert.Equal(new UtcRange(Utc(2024, 1, 2, 14), Utc(2024, 1, 2, 17)), Assert.Single(await t.Catalog.ListAsync(t.Vendor)).Range);
    }

    [Fact]
    public async Task Adjacent_snapshots_together_are_a_full_hit()
    {
        await using var t = new CatalogUnderTest("sqlite");
        var vendor = new FakeVendor(Minutes(Utc(2024, 1, 2, 14), 300));
        var cache = new BarCache(t.Catalog, t.Directory);
        var key = new CacheKey(t.Vendor, "SPY", Timeframe.OneMinute, PriceAdjustment.Raw);
        await cache.GetOrFetchAsync(key, Utc(2024, 1, 2, 14), Utc(2024, 1, 2, 15) - Us, vendor.FetchAsync);
        await cache.GetOrFetchAsync(key, Utc(2024, 1, 2, 15), Utc(2024, 1, 2, 16), vendor.FetchAsync);
        vendor.Calls.Clear();

        var result = await cache.GetOrFetchAsync(key, Utc(2024, 1, 2, 14), Utc(2024, 1, 2, 16), vendor.FetchAsync);

        Assert.Equal(CacheHit.Full, result.CacheHit);
        Assert.Empty(vendor.Calls);
        Assert.Null(result.Snapshot);
        Assert.Equal(vendor.Between(Utc(2024, 1, 2, 14), Utc(2024, 1, 2, 16)), result.Bars);
    }

    [Theory]
    [InlineData("corrupt")]
    [InlineData("truncated")]
    [InlineData("missing")]
    public async Task A_damaged_snapshot_is_discarded_and_refetched(string damage)
    {
        await using var t = new CatalogUnderTest("sqlite");
        var vendor = new FakeVendor(Minutes(Utc(2024, 1, 2, 14), 120));
        var cache = new BarCache(t.Catalog, t.Directory);
        var key = new CacheKey(t.Vendor, "SPY", Timeframe.OneMinute, PriceAdjustment.Split);
        var first = await cache.GetOrFetchAsync(key, Utc(2024, 1, 2, 14), Utc(2024, 1, 2, 15), vendor.FetchAsync);
        var file = cache.FullPath(first.Snapshot!);
        var original = await File.ReadAllBytesAsync(file);
        var bytes = original.ToArray();
        switch (damage)
        {
            case "corrupt":
                bytes[bytes.Length / 3] ^= 0x5A;
                await File.WriteAllBytesAsync(file, bytes);
                break;
            case "truncated":
                await File.WriteAllBytesAsync(file, bytes[..(bytes.Length / 2)]);
                break;
            default:
                File.Delete(file);
                break;
        }

        vendor.Calls.Clear();

        var again = await cache.GetOrFetchAsync(key, Utc(2024, 1, 2, 14), Utc(2024, 1, 2, 15), vendor.FetchAsync);

        Assert.Equal(CacheHit.Miss, again.CacheHit);
        Assert.Equal([(Utc(2024, 1, 2, 14), Utc(2024, 1, 2, 15))], vendor.Calls);
        Assert.Equal(first.Bars, again.Bars);
        var note = Assert.Single(again.Notes);
        Assert.Contains(damage == "missing" ? "is missing" : "is corrupt", note);
        Assert.Contains("re-fetching", note);
        Assert.Equal(original, await File.ReadAllBytesAsync(file)); // rewritten exactly as before
        Assert.Single(await t.Catalog.ListAsync(t.Vendor));

        vendor.Calls.Clear();
        Assert.Equal(CacheHit.Full, (await cache.GetOrFetchAsync(key, Utc(2024, 1, 2, 14), Utc(2024, 1, 2, 15), vendor.FetchAsync)).CacheHit);
        Assert.Empty(vendor.Calls);
    }

    [Fact]
    public async Task The_same_requests_replayed_give_byte_identical_snapshots()
    {
        var bars = LoadCsv(Path.Combine(TestPaths.SampleRoot, "minute", "SPY.csv"));
        var from = bars[100].Timestamp;
        var to = bars[4000].Timestamp;
        var mid = bars[2000].Timestamp;

        async Task<(string Path, byte[] Bytes)> RunAsync(bool inSteps)
        {
            await using var t = new CatalogUnderTest("sqlite");
            var vendor = new FakeVendor(bars);
            var cache = new BarCache(t.Catalog, t.Directory);
            var key = new CacheKey("sample", "SPY", Timeframe.OneMinute, PriceAdjustment.Raw);
            if (inSteps)
            {
                await cache.GetOrFetchAsync(key, mid, mid.AddHours(3), vendor.FetchAsync);
            }

            var result = await cache.GetOrFetchAsync(key, from, to, vendor.FetchAsync);
            var path = Assert.Single(await t.Catalog.ListAsync("sample")).Path;
            return (path, await File.ReadAllBytesAsync(cache.FullPath(result.Snapshot!)));
        }

        var once = await RunAsync(inSteps: false);
        var replay = await RunAsync(inSteps: false);
        var stepwise = await RunAsync(inSteps: true);

        Assert.Equal(once.Path, replay.Path);
        Assert.Equal(once.Bytes, replay.Bytes);
        Assert.Equal(once.Path, stepwise.Path); // a merged snapshot is the same file a single fetch would write
        Assert.Equal(once.Bytes, stepwise.Bytes);
    }

    [Fact]
    public async Task An_empty_range_is_cached_and_extra_vendor_bars_are_clipped()
    {
        await using var t = new CatalogUnderTest("sqlite");
        var cache = new BarCache(t.Catalog, t.Directory);
        var key = new CacheKey(t.Vendor, "SPY", Timeframe.OneDay, PriceAdjustment.Split);
        var calls = 0;

        Task<IReadOnlyList<Bar>> Holiday(DateTime s, DateTime e, CancellationToken ct)
        {
            calls++;
            return Task.FromResult<IReadOnlyList<Bar>>([new Bar(Utc(2024, 12, 24, 14, 30), 1, 1, 1, 1, 1)]); // outside the range
        }

        var first = await cache.GetOrFetchAsync(key, Utc(2024, 12, 25), Utc(2024, 12, 25, 23, 59), Holiday);
        var second = await cache.GetOrFetchAsync(key, Utc(2024, 12, 25), Utc(2024, 12, 25, 23, 59), Holiday);

        Assert.Equal(1, calls);
        Assert.Empty(first.Bars);
        Assert.Equal(0, first.Snapshot!.Rows);
        Assert.Equal(CacheHit.Full, second.CacheHit);
        Assert.Empty(second.Bars);
    }

    [Fact]
    public async Task A_failed_fetch_caches_nothing()
    {
        await using var t = new CatalogUnderTest("sqlite");
        var cache = new BarCache(t.Catalog, t.Directory);
        var key = new CacheKey(t.Vendor, "SPY", Timeframe.OneMinute, PriceAdjustment.Split);

        await Assert.ThrowsAsync<MarketDataException>(() => cache.GetOrFetchAsync(key, Utc(2024, 1, 2), Utc(2024, 1, 3),
            (_, _, _) => throw new MarketDataException("vendor down")));

        Assert.Empty(await t.Catalog.ListAsync(t.Vendor));
        Assert.Empty(Directory.GetFiles(t.Directory, "*.parquet", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Concurrent_requests_for_one_key_fetch_once()
    {
        await using var t = new CatalogUnderTest("sqlite");
        var vendor = new FakeVendor(Minutes(Utc(2024, 1, 2, 14), 120));
        var cache = new BarCache(t.Catalog, t.Directory);
        var key = new CacheKey(t.Vendor, "SPY", Timeframe.OneMinute, PriceAdjustment.Split);
        var gate = new TaskCompletionSource();

        async Task<IReadOnlyList<Bar>> SlowFetch(DateTime s, DateTime e, CancellationToken ct)
        {
            await gate.Task;
            return await vendor.FetchAsync(s, e, ct);
        }

        var requests = Enumerable.Range(0, 4)
            .Select(_ => Task.Run(() => cache.GetOrFetchAsync(key, Utc(2024, 1, 2, 14), Utc(2024, 1, 2, 15), SlowFetch)))
            .ToList();
        await Task.Delay(100);
        gate.SetResult();
        var results = await Task.WhenAll(requests);

        Assert.Single(vendor.Calls);
        Assert.Equal(1, results.Count(r => r.CacheHit == CacheHit.Miss));
        Assert.Equal(3, results.Count(r => r.CacheHit == CacheHit.Full));
        Assert.All(results, r => Assert.Equal(61, r.Bars.Count));
    }

    [Fact]
    public void Cache_paths_hold_only_safe_characters_from_the_key_and_range()
    {
        var range = UtcRange.Normalize(Utc(2024, 1, 2, 14, 30), Utc(2024, 6, 28, 20).AddTicks(-1));
        Assert.Equal(
            "alpaca/BRK.B/1Day/split/20240102T143000Z_20240628T195959.999999Z.parquet",
            CachePaths.SnapshotPath(new CacheKey("Alpaca", "brk.b", Timeframe.OneDay, PriceAdjustment.Split), range));

        // ".." is not a ticker at all (Symbol refuses it), and class separators normalize to '.'.
        Assert.Throws<ArgumentException>(() => new CacheKey("alpaca", "..", Timeframe.OneDay, PriceAdjustment.Raw));
        Assert.Equal("BF.B", new CacheKey("alpaca", "BF-B", Timeframe.OneDay, PriceAdjustment.Raw).Symbol.Value);
        foreach (var symbol in new[] { "BTC/USD", "SPY", "BF-B" })
        {
            foreach (var tf in Timeframe.All)
            {
                var path = CachePaths.SnapshotPath(new CacheKey("polygon-io", symbol, tf, PriceAdjustment.Raw), range);
                Assert.Matches("^[A-Za-z0-9._/-]+$", path);
                Assert.DoesNotContain("..", path.Split('/'));
                Assert.DoesNotContain(".", path.Split('/'));
                Assert.Equal(5, path.Split('/').Length);
            }
        }
    }

    [Theory]
    [InlineData("PKABCDEF123456/SECRETKEY")]
    [InlineData("key=SECRETKEY")]
    [InlineData("https://x:SECRETKEY@host")]
    [InlineData("")]
    public void A_vendor_name_with_unsafe_characters_is_refused_without_echoing_it(string vendor)
    {
        var ex = Assert.Throws<ArgumentException>(() => new CacheKey(vendor, "SPY", Timeframe.OneDay, PriceAdjustment.Raw));
        Assert.DoesNotContain("SECRETKEY", ex.ToString());
    }

    [Fact]
    public void Cache_directory_comes_from_AITRADER_CACHE_DIR_or_defaults_under_artifacts()
    {
        Assert.Equal(Path.GetFullPath("/tmp/my-cache"), CachePaths.ResolveCacheDirectory(n => n == "AITRADER_CACHE_DIR" ? "/tmp/my-cache" : null));
        Assert.Equal(Path.GetFullPath("artifacts/marketdata/cache"), CachePaths.ResolveCacheDirectory(_ => null));
        Assert.Equal(Path.GetFullPath("data"), CachePaths.ResolveDataDirectory(_ => " "));
    }

    [Fact]
    public void Ranges_are_rounded_inward_to_whole_microseconds()
    {
        var r = UtcRange.Normalize(Utc(2024, 1, 2).AddTicks(1), Utc(2024, 1, 3).AddTicks(-1));
        Assert.Equal(Utc(2024, 1, 2) + Us, r.Start);
        Assert.Equal(Utc(2024, 1, 3) - Us, r.End);
        Assert.Throws<ArgumentException>(() => UtcRange.Normalize(Utc(2024, 1, 3), Utc(2024, 1, 2)));
        Assert.Throws<ArgumentException>(() => UtcRange.Normalize(new DateTime(2024, 1, 2), Utc(2024, 1, 3)));
    }

    /// <summary>A vendor serving fixed bars that records every range it is asked for.</summary>
    private sealed class FakeVendor(IReadOnlyList<Bar> bars)
    {
        public List<(DateTime Start, DateTime End)> Calls { get; } = [];

        public IReadOnlyList<Bar> Between(DateTime start, DateTime end) =>
            bars.Where(b => b.Timestamp >= start && b.Timestamp <= end).ToList();

        public Task<IReadOnlyList<Bar>> FetchAsync(DateTime start, DateTime end, CancellationToken cancellationToken)
        {
            Assert.Equal(DateTimeKind.Utc, start.Kind);
            Assert.Equal(DateTimeKind.Utc, end.Kind);
            Calls.Add((start, end));
            return Task.FromResult(Between(start, end));
        }
    }
}
