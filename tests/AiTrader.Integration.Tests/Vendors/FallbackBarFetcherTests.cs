using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Integration.Tests.Vendors.Fakes;
using AiTrader.MarketData;
using static AiTrader.Integration.Tests.Vendors.VendorTestKit;

namespace AiTrader.Integration.Tests.Vendors;

public sealed class FallbackBarFetcherTests : IAsyncLifetime
{
    private static readonly DateOnly Session = new(2013, 10, 7);
    private FakeAlphaVantage _av = null!;
    private FakeYahoo _yahoo = null!;
    private FakeTwelveData _td = null!;

    public async Task InitializeAsync()
    {
        var bars = FakeSampleBars.MinuteSession("SPY", Session);
        _av = await StartAsync<FakeAlphaVantage>();
        _yahoo = await StartAsync<FakeYahoo>();
        _td = await StartAsync<FakeTwelveData>();
        _av.MinuteBars.AddRange(bars);
        _yahoo.MinuteBars.AddRange(bars);
        _td.MinuteBars.AddRange(bars);
    }

    public async Task DisposeAsync()
    {
        await _av.DisposeAsync();
        await _yahoo.DisposeAsync();
        await _td.DisposeAsync();
    }

    private FallbackBarFetcher Chain() => new([Client(_av), Client(_yahoo), Client(_td)]);

    private static VendorBarRequest Request(PriceAdjustment adj = PriceAdjustment.Split) =>
        new("SPY", Timeframe.OneMinute, Utc(2013, 10, 7, 13, 30), Utc(2013, 10, 7, 20, 0), adj);

    [Fact]
    public async Task First_vendor_serves_when_healthy()
    {
        var result = await Chain().FetchAsync(Request());
        Assert.Equal("alphavantage", result.Vendor);
        Assert.Single(result.Attempts);
        Assert.Equal(0, _yahoo.RequestCount);
    }

    [Fact]
    public async Task Alpha_vantage_rate_limited_then_yahoo_serves()
    {
        _av.Mode = FakeMode.RateLimitBody;

        var result = await Chain().FetchAsync(Request());

        Assert.Equal("yahoo", result.Vendor);
        Assert.Equal(FakeSampleBars.MinuteSession("SPY", Session).Count, result.Bars.Bars.Count);
        Assert.Equal(1, _av.RequestCount); // "25 requests per day" is a quota: never retried, the chain moves on at once
        Assert.Equal(VendorErrorKind.QuotaExhausted, result.Attempts[0].Error);
        Assert.Equal("alphavantage", result.Attempts[0].Vendor);
        Assert.Null(result.Attempts[1].Error);
        Assert.Equal(0, _td.RequestCount);
    }

    [Fact]
    public async Task Alpha_vantage_bad_key_is_not_retried_and_falls_through_immediately()
    {
        _av.Mode = FakeMode.Unauthorized;

        var result = await Chain().FetchAsync(Request());

        Assert.Equal("yahoo", result.Vendor);
        Assert.Equal(1, _av.RequestCount);
        Assert.Equal(VendorErrorKind.Unauthorized, result.Attempts[0].Error);
        Assert.Contains("not retried", result.Attempts[0].Message);
    }

    [Fact]
    public async Task Yahoo_down_then_twelve_data_serves()
    {
        _av.Mode = FakeMode.Truncated;
        _yahoo.Mode = FakeMode.ServerError;

        var result = await Chain().FetchAsync(Request());

        Assert.Equal("twelvedata", result.Vendor);
        Assert.Equal([VendorErrorKind.MalformedResponse, VendorErrorKind.ServerError, null], result.Attempts.Select(a => a.Error));
    }

    [Fact]
    public async Task Vendors_without_the_adjustment_are_skipped_without_a_request()
    {
        _av.Mode = FakeMode.Html;

        var result = await Chain().FetchAsync(Request(PriceAdjustment.Raw));

        Assert.Equal("twelvedata", result.Vendor);
        Assert.Equal(0, _yahoo.RequestCount);
        Assert.Equal(VendorErrorKind.Unsupported, result.Attempts[1].Error);
    }

    [Fact]
    public async Task Empty_answer_moves_on_to_the_next_vendor()
    {
        _av.Mode = FakeMode.Empty;
        var result = await Chain().FetchAsync(Request());
        Assert.Equal("yahoo", result.Vendor);
        Assert.Null(result.Attempts[0].Error);
    }

    [Fact]
    public async Task All_empty_returns_the_first_empty_answer()
    {
        _av.Mode = FakeMode.Empty;
        _yahoo.Mode = FakeMode.Empty;
        _td.Mode = FakeMode.Empty;
        var result = await Chain().FetchAsync(Request());
        Assert.Equal("alphavantage", result.Vendor);
        Assert.Empty(result.Bars.Bars);
    }

    [Fact]
    public async Task All_failing_gives_one_aggregated_error_naming_each_vendor()
    {
        _av.Mode = FakeMode.RateLimitBody;
        _yahoo.Mode = FakeMode.RateLimitBody;
        _td.Mode = FakeMode.Unauthorized;

        var ex = await Assert.ThrowsAsync<VendorChainException>(() => Chain().FetchAsync(Request()));

        Assert.IsNotType<VendorException>(ex);
        Assert.Contains("alphavantage [QuotaExhausted]", ex.Message);
        Assert.Contains("yahoo [RateLimited]", ex.Message);
        Assert.Contains("twelvedata [Unauthorized]", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.DoesNotContain(_av.ApiKey, ex.Message);
    }

    [Fact]
    public async Task From_order_rejects_unknown_vendor_names()
    {
        var ex = Assert.Throws<ArgumentException>(() => FallbackBarFetcher.FromOrder([Client(_av)], ["alphavantage", "bloomberg"]));
        Assert.Contains("unknown vendor (9 characters, not shown in case it is a key)", ex.Message);
        Assert.DoesNotContain("bloomberg", ex.Message);
        await Task.CompletedTask;
    }
}
