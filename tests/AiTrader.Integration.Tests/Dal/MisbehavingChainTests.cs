using System.Diagnostics;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Integration.Tests.Vendors;
using AiTrader.Integration.Tests.Vendors.Fakes;
using AiTrader.MarketData;
using AiTrader.MarketData.Dal;
using AiTrader.Storage;
using static AiTrader.Integration.Tests.Dal.DalFakes;

namespace AiTrader.Integration.Tests.Dal;

/// <summary>Issue 11, "done when": a fetch through the chain (alphavantage → yahoo → twelvedata) with the fakes
/// misbehaving ends within the documented bound, chain length × TotalTimeout, with a clear answer, and caches nothing
/// it should not.</summary>
public sealed class MisbehavingChainTests : IAsyncLifetime
{
    private static readonly TimeSpan TotalTimeout = TimeSpan.FromSeconds(2);
    private readonly FixedClock _clock = new(new DateTimeOffset(2024, 1, 2, 12, 0, 0, TimeSpan.Zero));
    private DalFakes _fakes = null!;

    public async Task InitializeAsync() => _fakes = await StartAsync();

    public async Task DisposeAsync() => await _fakes.DisposeAsync();

    private FakeVendorServer[] Fakes => [_fakes.AlphaVantage, _fakes.Yahoo, _fakes.TwelveData];

    private MarketDataDal Dal()
    {
        var env = _fakes.Environment();
        return MarketDataDal.FromEnvironment(
            name => env.TryGetValue(name, out var v) ? v : null,
            new MarketDataDalOptions { TimeProvider = _clock },
            settings => (settings with
            {
                AlphaVantageOptions = settings.AlphaVantageOptions with { RateLimit = VendorTestKit.Generous },
                YahooOptions = settings.YahooOptions with { RateLimit = VendorTestKit.Generous },
                TwelveDataOptions = settings.TwelveDataOptions with { RateLimit = VendorTestKit.Generous },
            }).WithResilience(VendorTestKit.FastRetry, TimeSpan.FromSeconds(1), TotalTimeout));
    }

    private async Task<IReadOnlyList<PriceSnapshot>> CatalogAsync()
    {
        await using var catalog = SqliteSnapshotCatalog.InDataDirectory(Path.Combine(_fakes.Root, "data"));
        return await catalog.ListAsync();
    }

    /// <summary>Three vendors, each within its TotalTimeout, plus a second of slack for the test machine.</summary>
    private static TimeSpan Bound => (3 * TotalTimeout) + TimeSpan.FromSeconds(2);

    [Theory]
    [InlineData(FakeMode.Slow)]
    [InlineData(FakeMode.Endless)]
    [InlineData(FakeMode.Http429)]
    [InlineData(FakeMode.ServerError)]
    [InlineData(FakeMode.Truncated)]
    [InlineData(FakeMode.Html)]
    [InlineData(FakeMode.RateLimitBody)]
    [InlineData(FakeMode.Unauthorized)]
    public async Task Every_vendor_misbehaving_ends_in_time_with_one_clear_error_and_nothing_cached(FakeMode mode)
    {
        foreach (var fake in Fakes)
        {
            fake.Mode = mode;
            fake.RetryAfter = TimeSpan.FromMinutes(2); // longer than MaxRetryAfter: never waited out
        }

        await using var dal = Dal();
        var (start, end) = Days(Monday, Monday);
        var clock = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<VendorChainException>(() => dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "alphavantage", start, end));

        Assert.True(clock.Elapsed < Bound, $"{mode}: {clock.Elapsed} > {Bound}");
        Assert.DoesNotContain('\n', ex.Message);
        foreach (var vendor in new[] { "alphavantage [", "yahoo [", "twelvedata [" })
        {
            Assert.Contains(vendor, ex.Message);
        }

        Assert.Empty(await CatalogAsync());
    }

    [Fact]
    public async Task Every_vendor_answering_empty_ends_empty_with_a_warning_and_only_provisional_snapshots()
    {
        foreach (var fake in Fakes)
        {
            fake.Mode = FakeMode.Empty;
        }

        await using var dal = Dal();
        var (start, end) = Days(Monday, Monday);

        var batch = await dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "alphavantage", start, end);

        Assert.Empty(batch.Bars);
        Assert.Contains(batch.Warnings, w => w.Contains("provisional", StringComparison.Ordinal));
        var snapshots = await CatalogAsync();
        Assert.Equal(3, snapshots.Count);
        Assert.All(snapshots, s => Assert.True(s.IsProvisional, $"{s.Key} cached a short answer as final"));
    }

    [Theory]
    [InlineData(0, FakeMode.Slow)]
    [InlineData(0, FakeMode.Endless)]
    [InlineData(1, FakeMode.Truncated)]
    [InlineData(1, FakeMode.Html)]
    [InlineData(0, FakeMode.RateLimitBody)]
    public async Task Misbehaving_vendors_in_turn_hand_over_to_the_next_healthy_one(int healthyFrom, FakeMode mode)
    {
        // Vendors before healthyFrom + 1 misbehave; the one after serves.
        for (var i = 0; i <= healthyFrom; i++)
        {
            Fakes[i].Mode = mode;
        }

        await using var dal = Dal();
        var (start, end) = Days(Monday, Monday);
        var clock = Stopwatch.StartNew();

        var batch = await dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "alphavantage", start, end);

        Assert.True(clock.Elapsed < Bound, $"{mode}: {clock.Elapsed}");
        Assert.Equal(new[] { "alphavantage", "yahoo", "twelvedata" }[healthyFrom + 1], batch.Vendor);
        Assert.Equal(Session(Monday).Count, batch.Bars.Count);
        Assert.All(batch.Attempts.Take(healthyFrom + 1), a => Assert.NotNull(a.Error));
        var cached = Assert.Single(await CatalogAsync());
        Assert.Equal(batch.Vendor, cached.Key.Vendor);
        Assert.False(cached.IsProvisional);
    }
}
