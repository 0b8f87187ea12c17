using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Integration.Tests.Vendors.Fakes;
using AiTrader.MarketData;
using static AiTrader.Integration.Tests.Vendors.VendorTestKit;

namespace AiTrader.Integration.Tests.Vendors;

public sealed class YahooClientTests
{
    private static readonly DateOnly Session = new(2013, 10, 7);

    private static Task<FakeYahoo> FakeWithSpyAsync() =>
        StartWithSpyAsync<FakeYahoo>(Session, new DateOnly(2013, 10, 1), new DateOnly(2013, 12, 31));

    private static VendorBarRequest SpyMinutes => new("SPY", Timeframe.OneMinute, Utc(2013, 10, 7, 13, 30), Utc(2013, 10, 7, 20, 0));

    [Fact]
    public async Task Minute_bars_parse_exactly()
    {
        await using var fake = await FakeWithSpyAsync();
        var expected = FakeSampleBars.MinuteSession("SPY", Session);

        var result = await Client(fake).GetBarsAsync(SpyMinutes);

        Assert.Equal("yahoo", result.Vendor);
        Assert.Equal(expected.Select(b => b.Timestamp), result.Bars.Select(b => b.Timestamp));
        Assert.Equal(expected.Select(b => b.Close), result.Bars.Select(b => b.Close));
        Assert.Equal(expected[0].Volume, result.Bars[0].Volume);
        Assert.Contains("interval=1m", fake.Requests.Single());
        Assert.Contains("period1=1381152600", fake.Requests.Single());
    }

    [Fact]
    public async Task Null_rows_are_skipped_and_counted()
    {
        await using var fake = await FakeWithSpyAsync();
        fake.NullRows.UnionWith([1, 5]);
        var expected = FakeSampleBars.MinuteSession("SPY", Session);

        var result = await Client(fake).GetBarsAsync(SpyMinutes);

        Assert.Equal(expected.Count - 2, result.Bars.Count);
        Assert.Equal(2, result.EmptyBars);
        Assert.DoesNotContain(expected[1].Timestamp, result.Bars.Select(b => b.Timestamp));
        Assert.Equal(0, result.DroppedBars);
    }

    [Theory]
    [InlineData(2013, 10, 7, 13)] // EDT
    [InlineData(2013, 12, 2, 14)] // EST, while the fake's gmtoffset still says EDT
    public async Task Daily_bars_use_the_exchange_zone_not_gmtoffset(int y, int m, int d, int openHourUtc)
    {
        await using var fake = await FakeWithSpyAsync();
        var day = Utc(y, m, d);
        var result = await Client(fake).GetBarsAsync(new VendorBarRequest("SPY", Timeframe.OneDay, day, day.AddHours(23)));

        var bar = Assert.Single(result.Bars);
        Assert.Equal(Utc(y, m, d, openHourUtc, 30), bar.Timestamp);
        Assert.Equal(FakeSampleBars.Daily("SPY", new DateOnly(y, m, d), new DateOnly(y, m, d)).Single().Bar.Close, bar.Close);
    }

    [Fact]
    public async Task Raw_prices_are_unsupported_without_a_request()
    {
        await using var fake = await FakeWithSpyAsync();
        var ex = await Assert.ThrowsAsync<VendorException>(() => Client(fake).GetBarsAsync(SpyMinutes with { Adjustment = PriceAdjustment.Raw }));
        Assert.Equal(VendorErrorKind.Unsupported, ex.Kind);
        Assert.Equal(0, fake.RequestCount);
    }

    [Fact]
    public async Task Unknown_symbol_404_chart_error_is_not_found()
    {
        await using var fake = await FakeWithSpyAsync();
        var ex = await Assert.ThrowsAsync<VendorException>(() => Client(fake).GetBarsAsync(SpyMinutes with { Symbol = "ZZZZ" }));
        Assert.Equal(VendorErrorKind.NotFound, ex.Kind);
        Assert.Contains("delisted", ex.Message);
        Assert.Equal(1, fake.RequestCount);
        AssertCleanMessage(ex, "yahoo");
    }

    [Theory]
    [InlineData(FakeMode.RateLimitBody, VendorErrorKind.RateLimited, 3)]
    [InlineData(FakeMode.ServerError, VendorErrorKind.ServerError, 3)]
    [InlineData(FakeMode.Unauthorized, VendorErrorKind.Unauthorized, 1)]
    [InlineData(FakeMode.Truncated, VendorErrorKind.MalformedResponse, 1)]
    [InlineData(FakeMode.Html, VendorErrorKind.MalformedResponse, 1)]
    public async Task Failure_modes_map_to_typed_errors(FakeMode mode, VendorErrorKind kind, int requests)
    {
        await using var fake = await FakeWithSpyAsync();
        fake.Mode = mode;
        var ex = await Assert.ThrowsAsync<VendorException>(() => Client(fake).GetBarsAsync(SpyMinutes));
        Assert.Equal(kind, ex.Kind);
        Assert.Equal(requests, fake.RequestCount);
        AssertCleanMessage(ex, "yahoo");
    }

    [Fact]
    public async Task Outage_page_message_says_will_be_right_back()
    {
        await using var fake = await FakeWithSpyAsync();
        fake.Mode = FakeMode.ServerError;
        var ex = await Assert.ThrowsAsync<VendorException>(() => Client(fake).GetBarsAsync(SpyMinutes));
        Assert.Contains("Will be right back", ex.Message);
    }

    [Fact]
    public async Task Empty_window_is_an_empty_series()
    {
        await using var fake = await FakeWithSpyAsync();
        fake.Mode = FakeMode.Empty;
        var result = await Client(fake).GetBarsAsync(SpyMinutes);
        Assert.Empty(result.Bars);
    }

    [Fact]
    public async Task Quote_reads_regular_market_price()
    {
        await using var fake = await FakeWithSpyAsync();
        var quote = await Client(fake).GetLatestQuoteAsync("GOOG");
        Assert.Equal(1032.48m, quote.Last);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1509739200).UtcDateTime, quote.TimestampUtc);
    }
}
