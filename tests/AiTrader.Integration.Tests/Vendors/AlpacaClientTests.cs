using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Integration.Tests.Vendors.Fakes;
using AiTrader.MarketData;
using static AiTrader.Integration.Tests.Vendors.VendorTestKit;

namespace AiTrader.Integration.Tests.Vendors;

public sealed class AlpacaClientTests
{
    private static readonly DateOnly Session = new(2013, 10, 7);

    private static Task<FakeAlpaca> FakeWithSpyAsync() =>
        StartWithSpyAsync<FakeAlpaca>(Session, new DateOnly(2013, 10, 1), new DateOnly(2013, 12, 31));

    private static VendorBarRequest SpyMinutes(PriceAdjustment adj = PriceAdjustment.Split) =>
        new("SPY", Timeframe.OneMinute, Utc(2013, 10, 7, 13, 30), Utc(2013, 10, 7, 20, 0), adj);

    [Fact]
    public async Task Minute_bars_parse_exactly_with_auth_headers_feed_and_adjustment()
    {
        await using var fake = await FakeWithSpyAsync();
        var expected = FakeSampleBars.MinuteSession("SPY", Session);

        var result = await Client(fake).GetBarsAsync(SpyMinutes());

        Assert.Equal("alpaca", result.Vendor);
        Assert.Equal(expected.Count, result.Bars.Count);
        Assert.Equal(Utc(2013, 10, 7, 13, 30), result.Bars[0].Timestamp);
        Assert.Equal(expected[0].Open, result.Bars[0].Open);
        Assert.Equal(expected[0].High, result.Bars[0].High);
        Assert.Equal(expected[0].Low, result.Bars[0].Low);
        Assert.Equal(expected[0].Close, result.Bars[0].Close);
        Assert.Equal(expected[0].Volume, result.Bars[0].Volume);
        Assert.Equal(10, result.Bars[0].TradeCount);
        Assert.Equal(expected[^1].Close, result.Bars[^1].Close);
        Assert.Equal(PriceAdjustment.Split, result.Adjustment);
        Assert.Equal(["split"], fake.SeenAdjustments);
        Assert.Contains("feed=iex", fake.Requests.Single());
        Assert.Contains("timeframe=1Min", fake.Requests.Single());
    }

    [Fact]
    public async Task Raw_adjustment_is_sent_as_raw()
    {
        await using var fake = await FakeWithSpyAsync();
        await Client(fake).GetBarsAsync(SpyMinutes(PriceAdjustment.Raw));
        Assert.Equal(["raw"], fake.SeenAdjustments);
    }

    [Fact]
    public async Task Pagination_assembles_every_page_in_order()
    {
        await using var fake = await FakeWithSpyAsync();
        fake.PageSize = 100;
        var expected = FakeSampleBars.MinuteSession("SPY", Session);

        var result = await Client(fake).GetBarsAsync(SpyMinutes());

        Assert.Equal((expected.Count + 99) / 100, fake.RequestCount);
        Assert.Equal(expected.Select(b => b.Timestamp), result.Bars.Select(b => b.Timestamp));
        Assert.Equal(expected.Select(b => b.Close), result.Bars.Select(b => b.Close));
        Assert.Contains("page_token=", fake.Requests.Last());
    }

    [Theory]
    [InlineData(2013, 10, 7, 13)] // EDT: New York midnight is 04:00Z, the open 13:30Z
    [InlineData(2013, 12, 2, 14)] // EST: 05:00Z midnight, open 14:30Z
    public async Task Daily_bars_stamped_at_new_york_midnight_become_the_0930_open(int y, int m, int d, int openHourUtc)
    {
        await using var fake = await FakeWithSpyAsync();
        var day = Utc(y, m, d);
        var result = await Client(fake).GetBarsAsync(new VendorBarRequest("SPY", Timeframe.OneDay, day, day.AddHours(23)));

        var bar = Assert.Single(result.Bars);
        Assert.Equal(Utc(y, m, d, openHourUtc, 30), bar.Timestamp);
        var expected = FakeSampleBars.Daily("SPY", new DateOnly(y, m, d), new DateOnly(y, m, d)).Single().Bar;
        Assert.Equal(expected.Close, bar.Close);
        Assert.Equal(expected.Volume, bar.Volume);
    }

    [Fact]
    public async Task Empty_result_with_null_bars_is_an_empty_series()
    {
        await using var fake = await FakeWithSpyAsync();
        fake.Mode = FakeMode.Empty;
        var result = await Client(fake).GetBarsAsync(SpyMinutes());
        Assert.Empty(result.Bars);
    }

    [Theory]
    [InlineData(FakeMode.Unauthorized, VendorErrorKind.Unauthorized, 1)]
    [InlineData(FakeMode.Forbidden, VendorErrorKind.Unauthorized, 1)]
    [InlineData(FakeMode.RateLimitBody, VendorErrorKind.RateLimited, 3)]
    [InlineData(FakeMode.ServerError, VendorErrorKind.ServerError, 3)]
    [InlineData(FakeMode.Truncated, VendorErrorKind.MalformedResponse, 1)]
    [InlineData(FakeMode.Html, VendorErrorKind.MalformedResponse, 1)]
    public async Task Failure_modes_map_to_typed_errors_with_bounded_retries(FakeMode mode, VendorErrorKind kind, int requests)
    {
        await using var fake = await FakeWithSpyAsync();
        fake.Mode = mode;

        var ex = await Assert.ThrowsAsync<VendorException>(() => Client(fake).GetBarsAsync(SpyMinutes()));

        Assert.Equal(kind, ex.Kind);
        Assert.Equal(requests, fake.RequestCount);
        AssertCleanMessage(ex, "alpaca");
    }

    [Fact]
    public async Task Http_429_reports_retry_after_and_is_not_waited_out_when_too_long()
    {
        await using var fake = await FakeWithSpyAsync();
        fake.Mode = FakeMode.Http429;
        fake.RetryAfter = TimeSpan.FromSeconds(7);

        var ex = await Assert.ThrowsAsync<VendorException>(() => Client(fake).GetBarsAsync(SpyMinutes()));

        Assert.Equal(VendorErrorKind.RateLimited, ex.Kind);
        Assert.Equal(TimeSpan.FromSeconds(7), ex.RetryAfter);
        Assert.Equal(1, fake.RequestCount);
        Assert.Contains("retry after 7s", ex.Message);
        AssertCleanMessage(ex, "alpaca");
    }

    [Fact]
    public async Task Missing_keys_fail_fast_without_a_request()
    {
        await using var fake = await FakeWithSpyAsync();
        var client = new AiTrader.MarketData.Vendors.AlpacaClient(new HttpClient(), AlpacaOptions(fake) with { ApiSecret = null });

        var ex = await Assert.ThrowsAsync<VendorException>(() => client.GetBarsAsync(SpyMinutes()));

        Assert.Equal(VendorErrorKind.Unauthorized, ex.Kind);
        Assert.Contains("APCA_API_SECRET_KEY", ex.Message);
        Assert.Equal(0, fake.RequestCount);
    }

    [Fact]
    public async Task Wrong_key_is_rejected_by_the_fake_and_the_key_is_not_echoed()
    {
        await using var fake = await FakeWithSpyAsync();
        var client = new AiTrader.MarketData.Vendors.AlpacaClient(new HttpClient(), AlpacaOptions(fake) with { ApiKey = "WRONG-KEY-999" });

        var ex = await Assert.ThrowsAsync<VendorException>(() => client.GetBarsAsync(SpyMinutes()));

        Assert.Equal(VendorErrorKind.Unauthorized, ex.Kind);
        AssertCleanMessage(ex, "alpaca", "WRONG-KEY-999");
    }

    [Fact]
    public async Task Latest_quote_reads_bid_and_ask()
    {
        await using var fake = await FakeWithSpyAsync();
        var quote = await Client(fake).GetLatestQuoteAsync("AAPL");
        Assert.Equal(161.1m, quote.Bid);
        Assert.Equal(161.11m, quote.Ask);
        Assert.Null(quote.Last);
        Assert.Equal(new DateTime(2022, 3, 18, 14, 2, 43, DateTimeKind.Utc).AddTicks(6516132), quote.TimestampUtc);
    }

    [Fact]
    public async Task Listings_are_unsupported()
    {
        await using var fake = await FakeWithSpyAsync();
        var ex = await Assert.ThrowsAsync<VendorException>(() => Client(fake).GetListingsAsync());
        Assert.Equal(VendorErrorKind.Unsupported, ex.Kind);
        Assert.Equal(0, fake.RequestCount);
    }
}
