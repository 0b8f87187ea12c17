using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Integration.Tests.Vendors.Fakes;
using AiTrader.MarketData;
using AiTrader.MarketData.Vendors;
using static AiTrader.Integration.Tests.Vendors.VendorTestKit;

namespace AiTrader.Integration.Tests.Vendors;

public sealed class AlphaVantageClientTests
{
    private static readonly DateOnly Session = new(2013, 10, 7);

    private static Task<FakeAlphaVantage> FakeWithSpyAsync() =>
        StartWithSpyAsync<FakeAlphaVantage>(Session, new DateOnly(2013, 10, 1), new DateOnly(2013, 10, 31));

    private static VendorBarRequest SpyMinutes => new("SPY", Timeframe.OneMinute, Utc(2013, 10, 7, 13, 30), Utc(2013, 10, 7, 20, 0), PriceAdjustment.Raw);

    [Fact]
    public async Task Intraday_month_slice_parses_exactly_and_sorts_ascending()
    {
        await using var fake = await FakeWithSpyAsync();
        var expected = FakeSampleBars.MinuteSession("SPY", Session);

        var result = await Client(fake).GetBarsAsync(SpyMinutes);

        Assert.Equal("alphavantage", result.Vendor);
        Assert.Equal(expected.Count, result.Bars.Count);
        Assert.Equal(expected.Select(b => b.Timestamp), result.Bars.Select(b => b.Timestamp));
        Assert.Equal(expected[0].Open, result.Bars[0].Open);
        Assert.Equal(expected[0].Volume, result.Bars[0].Volume);
        Assert.Equal(expected[^1].Close, result.Bars[^1].Close);
        var request = fake.Requests.Single();
        Assert.Contains("function=TIME_SERIES_INTRADAY", request);
        Assert.Contains("interval=1min", request);
        Assert.Contains("month=2013-10", request);
        Assert.Contains("outputsize=full", request);
        Assert.Contains("adjusted=false", request);
    }

    [Fact]
    public async Task A_range_across_months_requests_each_new_york_month()
    {
        await using var fake = await FakeWithSpyAsync();
        // 2013-11-01 00:30Z is still October 31 in New York.
        await Client(fake).GetBarsAsync(new VendorBarRequest("SPY", Timeframe.FiveMinutes, Utc(2013, 9, 30, 14), Utc(2013, 11, 1, 0, 30), PriceAdjustment.Raw));
        Assert.Equal(2, fake.RequestCount);
        Assert.Contains("month=2013-09", fake.Requests.First());
        Assert.Contains("month=2013-10", fake.Requests.Last());
    }

    private static string IntradayBody(params string[] keys) =>
        "{\"Meta Data\":{\"1. Information\":\"Intraday (5min) open, high, low, close prices and volume\",\"2. Symbol\":\"IBM\",\"3. Last Refreshed\":\"2024-11-04 09:30:00\",\"4. Interval\":\"5min\",\"5. Output Size\":\"Full size\",\"6. Time Zone\":\"US/Eastern\"},\"Time Series (5min)\":{"
        + string.Join(",", keys.Select(k => $"\"{k}\":{{\"1. open\":\"188.3500\",\"2. high\":\"188.3600\",\"3. low\":\"188.3500\",\"4. close\":\"188.3500\",\"5. volume\":\"60\"}}"))
        + "}}";

    [Theory]
    [InlineData("2024-03-08 09:30:00", 2024, 3, 8, 14, 30)]  // EST, Friday before the spring change
    [InlineData("2024-03-08 15:55:00", 2024, 3, 8, 20, 55)]
    [InlineData("2024-03-11 09:30:00", 2024, 3, 11, 13, 30)] // EDT, Monday after 2024-03-10
    [InlineData("2024-11-01 09:30:00", 2024, 11, 1, 13, 30)] // EDT, Friday before the fall change
    [InlineData("2024-11-04 09:30:00", 2024, 11, 4, 14, 30)] // EST, Monday after 2024-11-03
    public async Task Intraday_us_eastern_keys_convert_to_utc_across_dst(string key, int y, int mo, int d, int h, int mi)
    {
        await using var fake = await StartAsync<FakeAlphaVantage>();
        fake.BodyOverride = IntradayBody(key);
        var at = Utc(y, mo, d, h, mi);

        var result = await Client(fake).GetBarsAsync(new VendorBarRequest("IBM", Timeframe.FiveMinutes, at.AddHours(-1), at.AddHours(1), PriceAdjustment.Raw));

        Assert.Equal(at, Assert.Single(result.Bars).Timestamp);
        Assert.Equal(188.35m, result.Bars[0].Open);
    }

    [Fact]
    public async Task Bar_end_labelling_option_shifts_back_one_interval()
    {
        await using var fake = await StartAsync<FakeAlphaVantage>();
        fake.BodyOverride = IntradayBody("2024-03-11 09:35:00");
        var client = new AlphaVantageClient(new HttpClient(), AlphaVantageOptions(fake) with { IntradayStampIsBarEnd = true });

        var result = await client.GetBarsAsync(new VendorBarRequest("IBM", Timeframe.FiveMinutes, Utc(2024, 3, 11, 13), Utc(2024, 3, 11, 14), PriceAdjustment.Raw));

        Assert.Equal(Utc(2024, 3, 11, 13, 30), Assert.Single(result.Bars).Timestamp);
    }

    [Fact]
    public async Task Daily_raw_bars_land_on_the_session_open()
    {
        await using var fake = await FakeWithSpyAsync();
        var result = await Client(fake).GetBarsAsync(new VendorBarRequest("SPY", Timeframe.OneDay, Utc(2013, 10, 7), Utc(2013, 10, 8, 23), PriceAdjustment.Raw));

        Assert.Equal([Utc(2013, 10, 7, 13, 30), Utc(2013, 10, 8, 13, 30)], result.Bars.Select(b => b.Timestamp));
        Assert.Equal(167.43m, result.Bars[0].Open);
        Assert.Equal(81489219m, result.Bars[0].Volume);
        Assert.Contains("function=TIME_SERIES_DAILY&", fake.Requests.Single());
    }

    [Fact]
    public async Task Daily_split_adjustment_divides_prices_before_the_ex_date()
    {
        await using var fake = await FakeWithSpyAsync();
        fake.SplitDates[new DateOnly(2013, 10, 8)] = 2m;

        var result = await Client(fake).GetBarsAsync(new VendorBarRequest("SPY", Timeframe.OneDay, Utc(2013, 10, 7), Utc(2013, 10, 8, 23), PriceAdjustment.Split));

        var raw = FakeSampleBars.Daily("SPY", new DateOnly(2013, 10, 7), new DateOnly(2013, 10, 8));
        Assert.Equal(raw[0].Bar.Close / 2, result.Bars[0].Close);
        Assert.Equal(raw[0].Bar.Volume * 2, result.Bars[0].Volume);
        Assert.Equal(raw[1].Bar.Close, result.Bars[1].Close);
        Assert.Contains("TIME_SERIES_DAILY_ADJUSTED", fake.Requests.Single());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Http_200_rate_limit_bodies_are_typed_and_never_waited_out_by_default(bool note)
    {
        await using var fake = await FakeWithSpyAsync();
        fake.Mode = FakeMode.RateLimitBody;
        fake.RateLimitAsNote = note;

        var ex = await Assert.ThrowsAsync<VendorException>(() => Client(fake).GetBarsAsync(SpyMinutes));

        // "25 requests per day" (Information) heals tomorrow: a quota, never retried. The Note is the per-minute limit:
        // it asks for a minute's wait, more than MaxRetryAfter, so the call fails at once and the chain moves on.
        Assert.Equal(note ? VendorErrorKind.RateLimited : VendorErrorKind.QuotaExhausted, ex.Kind);
        Assert.Equal(1, fake.RequestCount);
        AssertCleanMessage(ex, "alphavantage");
    }

    [Fact]
    public async Task A_per_minute_rate_limit_that_clears_is_retried_to_success()
    {
        await using var fake = await FakeWithSpyAsync();
        fake.Mode = FakeMode.RateLimitBody;
        fake.RateLimitAsNote = true;
        fake.FailTimes = 1;
        var client = new AlphaVantageClient(new HttpClient(), AlphaVantageOptions(fake) with { MinuteLimitWait = TimeSpan.FromMilliseconds(20) });

        var result = await client.GetBarsAsync(SpyMinutes);

        Assert.NotEmpty(result.Bars);
        Assert.Equal(2, fake.RequestCount);
    }

    [Fact]
    public async Task Invalid_key_error_message_is_unauthorized_and_not_retried()
    {
        await using var fake = await FakeWithSpyAsync();
        var client = new AlphaVantageClient(new HttpClient(), AlphaVantageOptions(fake) with { ApiKey = "BADKEY-777" });

        var ex = await Assert.ThrowsAsync<VendorException>(() => client.GetBarsAsync(SpyMinutes));

        Assert.Equal(VendorErrorKind.Unauthorized, ex.Kind);
        Assert.Equal(1, fake.RequestCount);
        Assert.Contains("ALPHAVANTAGE_API_KEY", ex.Message);
        Assert.Contains("not retried", ex.Message);
        AssertCleanMessage(ex, "alphavantage", "BADKEY-777");
    }

    [Fact]
    public async Task A_vendor_message_echoing_the_key_is_scrubbed()
    {
        await using var fake = await FakeWithSpyAsync();
        fake.BodyOverride = "{\"Information\":\"Burst pattern detected for https://www.alphavantage.co/query?function=X&apikey=TESTKEY-SECRET-123 please\\nslow down\"}";

        var ex = await Assert.ThrowsAsync<VendorException>(() => Client(fake).GetBarsAsync(SpyMinutes));

        Assert.Equal(VendorErrorKind.RateLimited, ex.Kind);
        Assert.Contains("apikey=***", ex.Message);
        AssertCleanMessage(ex, "alphavantage");
    }

    [Theory]
    [InlineData(FakeMode.Truncated, VendorErrorKind.MalformedResponse, 1)]
    [InlineData(FakeMode.Html, VendorErrorKind.MalformedResponse, 1)]
    [InlineData(FakeMode.ServerError, VendorErrorKind.ServerError, 3)]
    [InlineData(FakeMode.Http429, VendorErrorKind.RateLimited, 1)]
    public async Task Transport_failures_map_to_typed_errors(FakeMode mode, VendorErrorKind kind, int requests)
    {
        await using var fake = await FakeWithSpyAsync();
        fake.Mode = mode;
        var ex = await Assert.ThrowsAsync<VendorException>(() => Client(fake).GetBarsAsync(SpyMinutes));
        Assert.Equal(kind, ex.Kind);
        Assert.Equal(requests, fake.RequestCount);
        AssertCleanMessage(ex, "alphavantage");
    }

    [Fact]
    public async Task Empty_series_is_an_empty_result()
    {
        await using var fake = await FakeWithSpyAsync();
        fake.Mode = FakeMode.Empty;
        var result = await Client(fake).GetBarsAsync(SpyMinutes);
        Assert.Empty(result.Bars);
    }

    [Fact]
    public async Task Listing_status_csv_is_parsed()
    {
        await using var fake = await FakeWithSpyAsync();
        var listings = await Client(fake).GetListingsAsync();
        Assert.Equal(
            [new Listing("AAPL", "Apple Inc", "NASDAQ", "Stock", ListingStatus.Active), new Listing("AAA", "AXS First Priority CLO Bond ETF", "NYSE ARCA", "ETF", ListingStatus.Active)],
            listings);
    }

    [Fact]
    public async Task Listing_status_rate_limit_json_instead_of_csv_is_rate_limited()
    {
        await using var fake = await FakeWithSpyAsync();
        fake.Mode = FakeMode.RateLimitBody;
        var ex = await Assert.ThrowsAsync<VendorException>(() => Client(fake).GetListingsAsync());
        Assert.Equal(VendorErrorKind.QuotaExhausted, ex.Kind);
    }

    [Fact]
    public async Task Global_quote_and_unknown_symbol()
    {
        await using var fake = await FakeWithSpyAsync();
        var quote = await Client(fake).GetLatestQuoteAsync("MSFT");
        Assert.Equal(112.13m, quote.Last);
        Assert.Equal(Utc(2018, 10, 5, 20), quote.TimestampUtc);

        var ex = await Assert.ThrowsAsync<VendorException>(() => Client(fake).GetLatestQuoteAsync("ZZZZ"));
        Assert.Equal(VendorErrorKind.NotFound, ex.Kind);
    }
}
