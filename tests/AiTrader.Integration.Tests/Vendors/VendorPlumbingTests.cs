using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Integration.Tests.Vendors.Fakes;
using AiTrader.MarketData;
using AiTrader.MarketData.Vendors;
using Microsoft.Extensions.DependencyInjection;
using static AiTrader.Integration.Tests.Vendors.VendorTestKit;

namespace AiTrader.Integration.Tests.Vendors;

public sealed class VendorSettingsTests
{
    [Fact]
    public void Defaults_are_the_public_urls_and_the_documented_chain()
    {
        var s = VendorSettings.FromEnvironment(new Dictionary<string, string?>());
        Assert.Equal(new Uri("https://data.alpaca.markets"), s.AlpacaOptions.BaseUrl);
        Assert.Equal(new Uri("https://www.alphavantage.co"), s.AlphaVantageOptions.BaseUrl);
        Assert.Equal(new Uri("https://query2.finance.yahoo.com"), s.YahooOptions.BaseUrl);
        Assert.Equal(new Uri("https://api.twelvedata.com"), s.TwelveDataOptions.BaseUrl);
        Assert.Equal(new Uri("https://finnhub.io/api/v1"), s.FinnhubOptions.BaseUrl);
        Assert.Equal(["alphavantage", "yahoo", "twelvedata"], s.FallbackOrder);
        Assert.Equal(5, s.AlphaVantageOptions.RateLimit.PermitLimit);
        Assert.Equal(8, s.TwelveDataOptions.RateLimit.PermitLimit);
        Assert.Null(s.AlphaVantageOptions.ApiKey);
        Assert.Equal("iex", s.AlpacaOptions.Feed);
    }

    [Fact]
    public void Environment_overrides_urls_keys_and_chain()
    {
        var env = new Dictionary<string, string?>
        {
            ["ALPACA_DATA_BASE_URL"] = "http://127.0.0.1:5001",
            ["APCA_API_KEY_ID"] = "id",
            ["APCA_API_SECRET_KEY"] = "secret",
            ["ALPHAVANTAGE_BASE_URL"] = "http://127.0.0.1:5002/query",
            ["ALPHAVANTAGE_API_KEY"] = "av",
            ["YAHOO_BASE_URL"] = "http://127.0.0.1:5003",
            ["TWELVEDATA_BASE_URL"] = "http://127.0.0.1:5004",
            ["TWELVEDATA_API_KEY"] = "td",
            ["FINNHUB_BASE_URL"] = "http://127.0.0.1:5005/api/v1",
            ["FINNHUB_API_KEY"] = " fh ",
            ["AITRADER_VENDOR_CHAIN"] = "Yahoo, alpaca",
        };
        var s = VendorSettings.FromEnvironment(name => env.GetValueOrDefault(name));
        Assert.Equal(5001, s.AlpacaOptions.BaseUrl.Port);
        Assert.Equal(("id", "secret"), (s.AlpacaOptions.ApiKey, s.AlpacaOptions.ApiSecret));
        Assert.Equal("av", s.AlphaVantageOptions.ApiKey);
        Assert.Equal("td", s.TwelveDataOptions.ApiKey);
        Assert.Equal("fh", s.FinnhubOptions.ApiKey);
        Assert.Equal(["yahoo", "alpaca"], s.FallbackOrder);
    }

    [Fact]
    public void A_bad_url_names_the_variable()
    {
        var ex = Assert.Throws<ArgumentException>(() => VendorSettings.FromEnvironment(n => n == "YAHOO_BASE_URL" ? "not a url" : null));
        Assert.Contains("YAHOO_BASE_URL", ex.Message);
    }

    [Fact]
    public async Task Alpha_vantage_base_url_with_query_path_is_accepted()
    {
        await using var fake = await StartAsync<FakeAlphaVantage>();
        var client = new AlphaVantageClient(new HttpClient(), AlphaVantageOptions(fake) with { BaseUrl = new Uri(fake.BaseUrl, "query") });
        var quote = await client.GetLatestQuoteAsync("MSFT");
        Assert.Equal(112.13m, quote.Last);
    }

    [Fact]
    public async Task Dependency_injection_builds_the_chain_from_environment_and_serves_through_fakes()
    {
        await using var av = await StartAsync<FakeAlphaVantage>();
        await using var yahoo = await StartAsync<FakeYahoo>();
        yahoo.MinuteBars.AddRange(FakeSampleBars.MinuteSession("SPY", new DateOnly(2013, 10, 7)));
        av.Mode = FakeMode.Unauthorized;
        var env = new Dictionary<string, string?>
        {
            ["ALPHAVANTAGE_BASE_URL"] = av.BaseUrl.ToString(),
            ["ALPHAVANTAGE_API_KEY"] = av.ApiKey,
            ["YAHOO_BASE_URL"] = yahoo.BaseUrl.ToString(),
            ["TWELVEDATA_BASE_URL"] = "http://127.0.0.1:1",
        };
        var settings = VendorSettings.FromEnvironment(env).WithResilience(FastRetry, AttemptTimeout);
        using var provider = new ServiceCollection().AddLogging().AddAiTraderVendors(settings).BuildServiceProvider();

        var fetcher = provider.GetRequiredService<FallbackBarFetcher>();
        Assert.Equal(["alphavantage", "yahoo", "twelvedata"], fetcher.VendorNames);
        Assert.Equal(5, provider.GetServices<IVendorClient>().Count());

        var result = await fetcher.FetchAsync(new VendorBarRequest("SPY", Timeframe.OneMinute, Utc(2013, 10, 7, 13, 30), Utc(2013, 10, 7, 14)));
        Assert.Equal("yahoo", result.Vendor);
        Assert.Equal(31, result.Bars.Bars.Count);
        Assert.Equal(VendorErrorKind.Unauthorized, result.Attempts[0].Error);
    }
}

public sealed class BarNormalizerTests
{
    private static readonly VendorBarRequest Request = new("SPY", Timeframe.OneMinute, Utc(2024, 1, 2, 14, 30), Utc(2024, 1, 2, 15));

    private static Bar B(int minute, decimal o, decimal h, decimal l, decimal c, decimal v = 100) =>
        new(Utc(2024, 1, 2, 14, 30).AddMinutes(minute), o, h, l, c, v);

    [Fact]
    public void Sorts_dedups_keeping_the_last_and_drops_insane_bars()
    {
        Bar[] rows =
        [
            B(2, 10, 11, 9, 10),
            B(0, 10, 11, 9, 10),
            B(1, 10, 11, 9, 10),
            B(1, 10, 12, 9, 11),  // correction of minute 1: kept
            B(3, 10, 9, 11, 10),  // high < low
            B(4, 0, 11, 0, 10),   // non-positive prices
            B(5, 12, 11, 9, 10),  // high below open
            B(6, 10, 11, 10.5m, 10), // low above close
            B(-10, 10, 11, 9, 10), // before the range: silently out of scope
        ];

        var result = BarNormalizer.Normalize("test", Request, rows, PriceAdjustment.Split);

        Assert.Equal([Utc(2024, 1, 2, 14, 30), Utc(2024, 1, 2, 14, 31), Utc(2024, 1, 2, 14, 32)], result.Bars.Select(b => b.Timestamp));
        Assert.Equal(11m, result.Bars[1].Close);
        Assert.Equal(1, result.Duplicates);
        Assert.Equal(4, result.DroppedBars);
    }

    [Fact]
    public void Same_input_gives_identical_output()
    {
        Bar[] rows = [B(2, 10, 11, 9, 10), B(1, 10, 11, 9, 10), B(1, 10, 12, 9, 11)];
        var a = BarNormalizer.Normalize("test", Request, rows, PriceAdjustment.Split);
        var b = BarNormalizer.Normalize("test", Request, rows.ToArray(), PriceAdjustment.Split);
        Assert.Equal(a.Bars, b.Bars);
        Assert.Equal((a.Duplicates, a.DroppedBars), (b.Duplicates, b.DroppedBars));
    }

    [Fact]
    public void Spring_forward_gap_times_are_rejected_and_fall_back_times_take_daylight()
    {
        var ny = Core.Sessions.ExchangeTime.NewYork;
        Assert.False(BarNormalizer.TryLocalToUtc(new DateTime(2024, 3, 10, 2, 30, 0), ny, out _));
        Assert.True(BarNormalizer.TryLocalToUtc(new DateTime(2024, 11, 3, 1, 30, 0), ny, out var utc));
        Assert.Equal(Utc(2024, 11, 3, 5, 30), utc);
    }
}

public sealed class KeyRedactorTests
{
    [Fact]
    public void Scrubs_known_secrets_key_parameters_and_newlines()
    {
        var r = new KeyRedactor(["S3CRET+/="]);
        var text = r.Scrub("GET https://x/q?function=A&apikey=OTHER&token=T0K\nsecret S3CRET+/= and S3CRET%2B%2F%3D");
        Assert.Equal("GET https://x/q?function=A&apikey=***&token=*** secret *** and ***", text);
    }
}
