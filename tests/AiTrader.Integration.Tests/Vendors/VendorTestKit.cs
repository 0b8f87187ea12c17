using AiTrader.Integration.Tests.Vendors.Fakes;
using AiTrader.MarketData;
using AiTrader.MarketData.Vendors;

namespace AiTrader.Integration.Tests.Vendors;

/// <summary>Builds clients pointed at fakes with tiny backoff, and checks error-message hygiene.</summary>
public static class VendorTestKit
{
    public static readonly RetryOptions FastRetry = new()
    {
        MaxRetries = 2,
        BaseDelay = TimeSpan.FromMilliseconds(10),
        MaxDelay = TimeSpan.FromMilliseconds(50),
        MaxRetryAfter = TimeSpan.FromMilliseconds(500),
    };

    public static readonly RateLimitOptions Generous = new(1000, TimeSpan.FromSeconds(1));

    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(3);

    public static async Task<T> StartAsync<T>() where T : FakeVendorServer, new()
    {
        var fake = new T();
        await fake.StartAsync();
        return fake;
    }

    /// <summary>Starts a fake serving the bundled SPY minute bars of <paramref name="session"/> and its daily bars
    /// from <paramref name="dailyFrom"/> to <paramref name="dailyTo"/>.</summary>
    public static async Task<T> StartWithSpyAsync<T>(DateOnly session, DateOnly dailyFrom, DateOnly dailyTo)
        where T : FakeVendorServer, IFakeBarVendor, new()
    {
        var fake = await StartAsync<T>();
        fake.MinuteBars.AddRange(FakeSampleBars.MinuteSession("SPY", session));
        fake.DailyBars.AddRange(FakeSampleBars.Daily("SPY", dailyFrom, dailyTo));
        return fake;
    }

    public static AlpacaOptions AlpacaOptions(FakeAlpaca f) => new()
    {
        BaseUrl = f.BaseUrl,
        ApiKey = f.ApiKey,
        ApiSecret = f.ApiSecret,
        RateLimit = Generous,
        Retry = FastRetry,
        AttemptTimeout = AttemptTimeout,
    };

    public static AlphaVantageOptions AlphaVantageOptions(FakeAlphaVantage f) => new()
    {
        BaseUrl = f.BaseUrl,
        ApiKey = f.ApiKey,
        RateLimit = Generous,
        Retry = FastRetry,
        AttemptTimeout = AttemptTimeout,
    };

    public static YahooOptions YahooOptions(FakeYahoo f) => new()
    {
        BaseUrl = f.BaseUrl,
        RateLimit = Generous,
        Retry = FastRetry,
        AttemptTimeout = AttemptTimeout,
    };

    public static TwelveDataOptions TwelveDataOptions(FakeTwelveData f) => new()
    {
        BaseUrl = f.BaseUrl,
        ApiKey = f.ApiKey,
        RateLimit = Generous,
        Retry = FastRetry,
        AttemptTimeout = AttemptTimeout,
    };

    public static FinnhubOptions FinnhubOptions(FakeFinnhub f) => new()
    {
        BaseUrl = new Uri(f.BaseUrl, "api/v1"),
        ApiKey = f.ApiKey,
        RateLimit = Generous,
        Retry = FastRetry,
        AttemptTimeout = AttemptTimeout,
    };

    public static AlpacaClient Client(FakeAlpaca f) => new(new HttpClient(), AlpacaOptions(f));

    public static AlphaVantageClient Client(FakeAlphaVantage f) => new(new HttpClient(), AlphaVantageOptions(f));

    public static YahooClient Client(FakeYahoo f) => new(new HttpClient(), YahooOptions(f));

    public static TwelveDataClient Client(FakeTwelveData f) => new(new HttpClient(), TwelveDataOptions(f));

    public static FinnhubClient Client(FakeFinnhub f) => new(new HttpClient(), FinnhubOptions(f));

    /// <summary>The message is one line, names the vendor, gives a fix and leaks no secret.</summary>
    public static void AssertCleanMessage(VendorException ex, string vendor, params string[] secrets)
    {
        Assert.Equal(vendor, ex.Vendor);
        Assert.StartsWith(vendor + ":", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.DoesNotContain('\r', ex.Message);
        Assert.Contains("fix:", ex.Message);
        foreach (var s in secrets.Append("TESTKEY-SECRET-123").Append("TESTSECRET-456"))
        {
            Assert.DoesNotContain(s, ex.Message);
        }
    }

    public static DateTime Utc(int y, int mo, int d, int h = 0, int mi = 0) => new(y, mo, d, h, mi, 0, DateTimeKind.Utc);
}
