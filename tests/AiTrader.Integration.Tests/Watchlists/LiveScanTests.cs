using System.Globalization;
using AiTrader.Core.Domain;
using AiTrader.Core.Scanning;
using AiTrader.Core.Sessions;
using AiTrader.Integration.Tests.Storage;
using AiTrader.Integration.Tests.TestSupport;
using AiTrader.Integration.Tests.Vendors;
using AiTrader.Integration.Tests.Vendors.Fakes;
using AiTrader.MarketData;
using AiTrader.MarketData.Dal;
using AiTrader.MarketData.Vendors;
using AiTrader.MarketData.Watchlists;

namespace AiTrader.Integration.Tests.Watchlists;

/// <summary>The live scan's data path: Alpaca snapshots for many symbols per request and bars through the DAL (its
/// Parquet cache included), against the Alpaca fake serving the bundled SPY minute bars.</summary>
public sealed class LiveScanTests
{
    private static readonly DateOnly Date = new(2013, 10, 8);

    internal const string SpySnapshot = """
        {"latestTrade":{"t":"2013-10-08T12:59:58.5Z","x":"P","p":167.53,"s":100,"c":["@","T"],"i":52983525033527,"z":"B"},
         "latestQuote":{"t":"2013-10-08T12:59:59Z","ax":"P","ap":167.54,"as":3,"bx":"P","bp":167.52,"bs":2,"c":["R"],"z":"B"},
         "minuteBar":{"t":"2013-10-08T12:58:00Z","o":167.5,"h":167.52,"l":167.5,"c":167.52,"v":4200,"n":31,"vw":167.51},
         "dailyBar":{"t":"2013-10-07T04:00:00Z","o":167.43,"h":168.45,"l":167.25,"c":167.42,"v":81489219,"n":412000,"vw":167.8},
         "prevDailyBar":{"t":"2013-10-04T04:00:00Z","o":167.6,"h":169.1,"l":167.4,"c":169.17,"v":96000000,"n":450000,"vw":168.5}}
        """;

    internal static List<Bar> SpyMinutes()
    {
        var from = ExchangeTime.StartOfDateUtc(new DateOnly(2013, 10, 4));
        var to = ExchangeTime.EndOfDateUtc(Date);
        return File.ReadLines(Path.Combine(TestPaths.SampleRoot, "minute", "SPY.csv")).Skip(1)
            .Select(l => l.Split(','))
            .Select(f => new Bar(DateTime.Parse(f[0], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
                decimal.Parse(f[1], CultureInfo.InvariantCulture), decimal.Parse(f[2], CultureInfo.InvariantCulture),
                decimal.Parse(f[3], CultureInfo.InvariantCulture), decimal.Parse(f[4], CultureInfo.InvariantCulture), decimal.Parse(f[5], CultureInfo.InvariantCulture)))
            .Where(b => b.Timestamp >= from && b.Timestamp <= to)
            .ToList();
    }

    [Fact]
    public async Task Snapshots_come_in_one_request_and_give_the_close_before_today()
    {
        await using var fake = await VendorTestKit.StartAsync<FakeAlpaca>();
        fake.Snapshots["SPY"] = SpySnapshot;
        var clock = new SimulatedClock(new DateTime(2013, 10, 8, 13, 0, 0, DateTimeKind.Utc));
        var source = new AlpacaSnapshotSource(VendorTestKit.Client(fake), clock);

        var snapshots = await source.GetSnapshotsAsync(["SPY", "ZZZZ"]);

        var spy = Assert.Single(snapshots).Value;
        Assert.Equal(167.53m, spy.LastPrice);
        Assert.Equal(new DateTime(2013, 10, 8, 12, 59, 58, 500, DateTimeKind.Utc), spy.LastTradeUtc);
        // Premarket: dailyBar is still 10-07 (before today), so it is the previous close, not prevDailyBar (10-04).
        Assert.Equal(167.42m, spy.PreviousClose);
        Assert.Equal(new DateOnly(2013, 10, 7), spy.PreviousCloseDate);
        var request = Assert.Single(fake.Requests);
        Assert.Contains("/v2/stocks/snapshots?symbols=SPY%2CZZZZ", request);
    }

    [Fact]
    public async Task Snapshot_failures_are_typed_vendor_errors()
    {
        await using var fake = await VendorTestKit.StartAsync<FakeAlpaca>();
        fake.Mode = FakeMode.RateLimitBody;
        var ex = await Assert.ThrowsAsync<VendorException>(() => VendorTestKit.Client(fake).GetSnapshotsAsync(["SPY"]));
        Assert.Equal(VendorErrorKind.RateLimited, ex.Kind);
        fake.Mode = FakeMode.Truncated;
        fake.Snapshots["SPY"] = SpySnapshot;
        Assert.Equal(VendorErrorKind.MalformedResponse, (await Assert.ThrowsAsync<VendorException>(() => VendorTestKit.Client(fake).GetSnapshotsAsync(["SPY"]))).Kind);
        await Assert.ThrowsAsync<ArgumentException>(() => VendorTestKit.Client(fake).GetSnapshotsAsync(Enumerable.Range(0, 201).Select(i => new Symbol($"S{i}")).ToList()));
    }

    [Fact]
    public async Task A_live_scan_reads_bars_through_the_dal_and_the_trade_from_the_snapshot()
    {
        await using var fake = await VendorTestKit.StartAsync<FakeAlpaca>();
        fake.MinuteBars.AddRange(SpyMinutes());
        fake.Snapshots["SPY"] = SpySnapshot;
        using var temp = new TempDirectory();
        var cache = temp.Path;
        var env = new Dictionary<string, string?>
        {
            ["APCA_API_KEY_ID"] = fake.ApiKey,
            ["APCA_API_SECRET_KEY"] = fake.ApiSecret,
            ["ALPACA_DATA_BASE_URL"] = fake.BaseUrl.ToString(),
            ["AITRADER_VENDOR_CHAIN"] = "alpaca",
            ["AITRADER_CACHE_DIR"] = Path.Combine(cache, "cache"),
            ["AITRADER_DATA_DIR"] = cache,
        };
        await using var dal = MarketDataDal.FromEnvironment(env.GetValueOrDefault,
            configureVendors: s => s.WithResilience(VendorTestKit.FastRetry, VendorTestKit.AttemptTimeout));
        var window = new DateTime(2013, 10, 8, 13, 0, 0, DateTimeKind.Utc); // 09:00 ET
        var clock = new SimulatedClock(window);
        var scanner = new PremarketScanner(new DalBarSource(dal, VendorSettings.Alpaca), NyseCalendar.Instance, new ScanOptions(MaxPrice: 1000m),
            new AlpacaSnapshotSource(VendorTestKit.Client(fake), clock), clock);

        var refresh = await scanner.ScanAsync(Date, window, ["SPY"], "live");

        var row = Assert.Single(refresh.Rows);
        Assert.Equal(ScanRowStatus.Ranked, row.Status);
        // Volume and RVOL as worked by hand from the CSV (see GapAndRvolKnownAnswerTests): the DAL served the same bars.
        Assert.Equal(1_264_434m, row.Volume);
        Assert.Equal(1_403_126m, row.AverageVolume);
        Assert.Equal(167.42m, row.PriorClose);
        // The snapshot's trade at 08:59:58.5 is newer than the last closed bar (08:59) and already printed.
        Assert.Equal(167.53m, row.LastPrice);
        Assert.Equal(167.53m / 167.42m - 1m, row.Gap);
        Assert.Contains(fake.Requests, r => r.StartsWith("/v2/stocks/SPY/bars", StringComparison.Ordinal));

        // The price band on the snapshot filters before any bar request.
        var before = fake.RequestCount;
        var banded = new PremarketScanner(new DalBarSource(dal, VendorSettings.Alpaca), NyseCalendar.Instance, new ScanOptions(MaxPrice: 100m),
            new AlpacaSnapshotSource(VendorTestKit.Client(fake), clock), clock);
        var filtered = Assert.Single((await banded.ScanAsync(Date, window, ["SPY"], "live")).Rows);
        Assert.Equal(ScanRowStatus.Filtered, filtered.Status);
        Assert.Contains("(snapshot)", filtered.Note);
        Assert.Equal(before + 1, fake.RequestCount); // the snapshot request only
    }
}
