using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Integration.Tests.Vendors.Fakes;
using AiTrader.MarketData;
using AiTrader.MarketData.Vendors;
using static AiTrader.Integration.Tests.Vendors.VendorTestKit;

namespace AiTrader.Integration.Tests.Vendors;

public sealed class TwelveDataClientTests
{
    private static readonly DateOnly Session = new(2013, 10, 7);

    private static Task<FakeTwelveData> FakeWithSpyAsync() =>
        StartWithSpyAsync<FakeTwelveData>(Session, new DateOnly(2013, 10, 1), new DateOnly(2013, 12, 31));

    private static VendorBarRequest SpyMinutes => new("SPY", Timeframe.OneMinute, Utc(2013, 10, 7, 13, 30), Utc(2013, 10, 7, 20, 0));

    [Fact]
    public async Task Time_series_in_exchange_time_parses_exactly()
    {
        await using var fake = await FakeWithSpyAsync();
        var expected = FakeSampleBars.MinuteSession("SPY", Session);

        var result = await Client(fake).GetBarsAsync(SpyMinutes);

        Assert.Equal("twelvedata", result.Vendor);
        Assert.Equal(expected.Select(b => b.Timestamp), result.Bars.Select(b => b.Timestamp));
        Assert.Equal(expected.Select(b => b.High), result.Bars.Select(b => b.High));
        var request = fake.Requests.Single();
        Assert.Contains("start_date=2013-10-07%2009%3A30%3A00", request);
        Assert.Contains("order=asc", request);
        Assert.Contains("adjust=splits", request);
    }

    [Fact]
    public async Task Full_windows_are_walked_backwards_until_the_range_is_covered()
    {
        await using var fake = await FakeWithSpyAsync();
        var client = new TwelveDataClient(new HttpClient(), TwelveDataOptions(fake) with { OutputSize = 100 });
        var expected = FakeSampleBars.MinuteSession("SPY", Session);

        var result = await client.GetBarsAsync(SpyMinutes);

        Assert.Equal(expected.Select(b => b.Timestamp), result.Bars.Select(b => b.Timestamp));
        Assert.Equal((expected.Count / 100) + 1, fake.RequestCount);
        Assert.Equal(0, result.Duplicates);
    }

    private static string Body(params string[] datetimes) =>
        "{\"meta\":{\"symbol\":\"AAPL\",\"interval\":\"5min\",\"currency\":\"USD\",\"exchange_timezone\":\"America/New_York\",\"exchange\":\"NASDAQ\",\"mic_code\":\"XNGS\",\"type\":\"Common Stock\"},\"values\":["
        + string.Join(",", datetimes.Select(d => $"{{\"datetime\":\"{d}\",\"open\":\"100.00000\",\"high\":\"104.00000\",\"low\":\"99.00000\",\"close\":\"102.00000\",\"volume\":\"1000\"}}"))
        + "],\"status\":\"ok\"}";

    [Theory]
    [InlineData("2024-03-08 09:30:00", 2024, 3, 8, 14)]
    [InlineData("2024-03-11 09:30:00", 2024, 3, 11, 13)]
    [InlineData("2024-11-01 09:30:00", 2024, 11, 1, 13)]
    [InlineData("2024-11-04 09:30:00", 2024, 11, 4, 14)]
    public async Task Exchange_time_converts_to_utc_across_dst(string datetime, int y, int m, int d, int h)
    {
        await using var fake = await StartAsync<FakeTwelveData>();
        fake.BodyOverride = Body(datetime);
        var at = Utc(y, m, d, h, 30);

        var result = await Client(fake).GetBarsAsync(new VendorBarRequest("AAPL", Timeframe.FiveMinutes, at.AddHours(-2), at.AddHours(2)));

        Assert.Equal(at, Assert.Single(result.Bars).Timestamp);
        Assert.Equal(102m, result.Bars[0].Close);
    }

    [Fact]
    public async Task Newest_first_order_is_sorted()
    {
        await using var fake = await StartAsync<FakeTwelveData>();
        fake.BodyOverride = Body("2026-07-24 09:35:00", "2026-07-24 09:30:00");
        var result = await Client(fake).GetBarsAsync(new VendorBarRequest("AAPL", Timeframe.FiveMinutes, Utc(2026, 7, 24, 13), Utc(2026, 7, 24, 14)));
        Assert.Equal([Utc(2026, 7, 24, 13, 30), Utc(2026, 7, 24, 13, 35)], result.Bars.Select(b => b.Timestamp));
    }

    [Fact]
    public async Task Daily_dates_become_the_session_open()
    {
        await using var fake = await FakeWithSpyAsync();
        var result = await Client(fake).GetBarsAsync(new VendorBarRequest("SPY", Timeframe.OneDay, Utc(2013, 12, 2), Utc(2013, 12, 2, 23)));
        Assert.Equal(Utc(2013, 12, 2, 14, 30), Assert.Single(result.Bars).Timestamp);
    }

    [Theory]
    [InlineData(FakeMode.RateLimitBody, VendorErrorKind.RateLimited, 3)]
    [InlineData(FakeMode.Http429, VendorErrorKind.RateLimited, 1)] // Retry-After 1s exceeds the test's 0.5s wait cap
    [InlineData(FakeMode.Unauthorized, VendorErrorKind.Unauthorized, 1)]
    [InlineData(FakeMode.ServerError, VendorErrorKind.ServerError, 3)]
    [InlineData(FakeMode.Truncated, VendorErrorKind.MalformedResponse, 1)]
    [InlineData(FakeMode.Html, VendorErrorKind.MalformedResponse, 1)]
    public async Task Error_bodies_and_statuses_map_to_typed_errors(FakeMode mode, VendorErrorKind kind, int requests)
    {
        await using var fake = await FakeWithSpyAsync();
        fake.Mode = mode;
        var ex = await Assert.ThrowsAsync<VendorException>(() => Client(fake).GetBarsAsync(SpyMinutes));
        Assert.Equal(kind, ex.Kind);
        Assert.Equal(requests, fake.RequestCount);
        AssertCleanMessage(ex, "twelvedata");
    }

    [Fact]
    public async Task Missing_key_body_from_the_fake_is_unauthorized()
    {
        await using var fake = await FakeWithSpyAsync();
        using var http = new HttpClient();
        var body = await http.GetStringAsync(new Uri(fake.BaseUrl, "time_series?symbol=SPY&interval=1min"));
        Assert.Contains("\"code\":401", body);

        var client = new TwelveDataClient(http, TwelveDataOptions(fake) with { ApiKey = "NOT-THE-KEY" });
        var ex = await Assert.ThrowsAsync<VendorException>(() => client.GetBarsAsync(SpyMinutes));
        Assert.Equal(VendorErrorKind.Unauthorized, ex.Kind);
        AssertCleanMessage(ex, "twelvedata", "NOT-THE-KEY");
    }

    [Fact]
    public async Task Unknown_symbol_and_no_data()
    {
        await using var fake = await FakeWithSpyAsync();
        var ex = await Assert.ThrowsAsync<VendorException>(() => Client(fake).GetBarsAsync(SpyMinutes with { Symbol = "ZZZZ" }));
        Assert.Equal(VendorErrorKind.NotFound, ex.Kind);

        fake.Mode = FakeMode.Empty;
        Assert.Empty((await Client(fake).GetBarsAsync(SpyMinutes)).Bars);
    }

    [Fact]
    public async Task Quote_and_listings()
    {
        await using var fake = await FakeWithSpyAsync();
        var quote = await Client(fake).GetLatestQuoteAsync("AAPL");
        Assert.Equal(148.85001m, quote.Last);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1631772000).UtcDateTime, quote.TimestampUtc);

        var listing = Assert.Single(await Client(fake).GetListingsAsync());
        Assert.Equal(new Listing("AAPL", "Apple Inc", "NASDAQ", "Common Stock", ListingStatus.Active), listing);
    }
}

public sealed class FinnhubClientTests
{
    [Fact]
    public async Task Quote_parses_and_key_travels_in_a_header_not_the_url()
    {
        await using var fake = await StartAsync<FakeFinnhub>();
        var quote = await Client(fake).GetLatestQuoteAsync("AAPL");
        Assert.Equal(261.74m, quote.Last);
        Assert.Null(quote.Bid);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1582641000).UtcDateTime, quote.TimestampUtc);
        Assert.DoesNotContain(fake.ApiKey, fake.Requests.Single());
    }

    [Fact]
    public async Task All_zero_quote_is_not_found()
    {
        await using var fake = await StartAsync<FakeFinnhub>();
        var ex = await Assert.ThrowsAsync<VendorException>(() => Client(fake).GetLatestQuoteAsync("ZZZZ"));
        Assert.Equal(VendorErrorKind.NotFound, ex.Kind);
        AssertCleanMessage(ex, "finnhub");
    }

    [Fact]
    public async Task Us_symbol_list_parses()
    {
        await using var fake = await StartAsync<FakeFinnhub>();
        var listings = await Client(fake).GetListingsAsync();
        Assert.Equal(
            [new Listing("AAPL", "APPLE INC", "XNAS", "Common Stock", ListingStatus.Active), new Listing("SPY", "SPDR S&P 500 ETF TRUST", "ARCX", "ETP", ListingStatus.Active)],
            listings);
        Assert.Contains("exchange=US", fake.Requests.Single());
    }

    [Fact]
    public async Task Candles_are_unsupported_on_the_current_plan_without_a_request()
    {
        await using var fake = await StartAsync<FakeFinnhub>();
        var ex = await Assert.ThrowsAsync<VendorException>(() =>
            Client(fake).GetBarsAsync(new VendorBarRequest("AAPL", Timeframe.FiveMinutes, Utc(2024, 1, 2), Utc(2024, 1, 3))));
        Assert.Equal(VendorErrorKind.Unsupported, ex.Kind);
        Assert.Contains("not available on the current plan", ex.Message);
        Assert.Equal(0, fake.RequestCount);
        Assert.False(Client(fake).Capabilities.Intraday);
    }

    [Theory]
    [InlineData(FakeMode.RateLimitBody, VendorErrorKind.RateLimited, 3)]
    [InlineData(FakeMode.Unauthorized, VendorErrorKind.Unauthorized, 1)]
    [InlineData(FakeMode.Forbidden, VendorErrorKind.Unsupported, 1)]
    [InlineData(FakeMode.ServerError, VendorErrorKind.ServerError, 3)]
    [InlineData(FakeMode.Truncated, VendorErrorKind.MalformedResponse, 1)]
    [InlineData(FakeMode.Html, VendorErrorKind.MalformedResponse, 1)]
    public async Task Failure_modes_map_to_typed_errors(FakeMode mode, VendorErrorKind kind, int requests)
    {
        await using var fake = await StartAsync<FakeFinnhub>();
        fake.Mode = mode;
        var ex = await Assert.ThrowsAsync<VendorException>(() => Client(fake).GetLatestQuoteAsync("AAPL"));
        Assert.Equal(kind, ex.Kind);
        Assert.Equal(requests, fake.RequestCount);
        AssertCleanMessage(ex, "finnhub");
    }

    [Fact]
    public async Task Wrong_key_is_unauthorized()
    {
        await using var fake = await StartAsync<FakeFinnhub>();
        var client = new FinnhubClient(new HttpClient(), FinnhubOptions(fake) with { ApiKey = "FH-WRONG" });
        var ex = await Assert.ThrowsAsync<VendorException>(() => client.GetLatestQuoteAsync("AAPL"));
        Assert.Equal(VendorErrorKind.Unauthorized, ex.Kind);
        Assert.Contains("FINNHUB_API_KEY", ex.Message);
        AssertCleanMessage(ex, "finnhub", "FH-WRONG");
    }
}
