using AiTrader.Core.Domain;
using AiTrader.Integration.Tests.TestSupport;
using AiTrader.Integration.Tests.Vendors;
using AiTrader.Integration.Tests.Vendors.Fakes;
using AiTrader.MarketData;
using AiTrader.MarketData.Dal;

namespace AiTrader.Integration.Tests.Dal;

/// <summary>Alpha Vantage, Yahoo and Twelve Data fakes serving SPY minute bars of two sessions, plus the environment that
/// points the DAL at them with a private cache directory and SQLite catalog.</summary>
public sealed class DalFakes : IAsyncDisposable
{
    public static readonly DateOnly Monday = new(2013, 10, 7);
    public static readonly DateOnly Tuesday = new(2013, 10, 8);

    private DalFakes(FakeAlphaVantage av, FakeYahoo yahoo, FakeTwelveData td)
    {
        AlphaVantage = av;
        Yahoo = yahoo;
        TwelveData = td;
        Directory.CreateDirectory(Root);
    }

    public FakeAlphaVantage AlphaVantage { get; }

    public FakeYahoo Yahoo { get; }

    public FakeTwelveData TwelveData { get; }

    /// <summary>Scratch folder holding the cache (cache/) and the SQLite catalog (data/).</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "aitrader-dal-" + Guid.NewGuid().ToString("N"));

    public static IReadOnlyList<Bar> Session(DateOnly date) => FakeSampleBars.MinuteSession("SPY", date);

    public static async Task<DalFakes> StartAsync()
    {
        var av = await VendorTestKit.StartAsync<FakeAlphaVantage>();
        var yahoo = await VendorTestKit.StartAsync<FakeYahoo>();
        var td = await VendorTestKit.StartAsync<FakeTwelveData>();
        foreach (var date in new[] { Monday, Tuesday })
        {
            var bars = Session(date);
            av.MinuteBars.AddRange(bars);
            yahoo.MinuteBars.AddRange(bars);
            td.MinuteBars.AddRange(bars);
        }

        return new DalFakes(av, yahoo, td);
    }

    /// <summary>Variables as the CLI would read them: every vendor URL on loopback (never the real vendors), keys as given.</summary>
    public Dictionary<string, string?> Environment(bool alphaVantageKey = true, bool twelveDataKey = true) => new()
    {
        ["ALPHAVANTAGE_BASE_URL"] = AlphaVantage.BaseUrl.ToString(),
        ["YAHOO_BASE_URL"] = Yahoo.BaseUrl.ToString(),
        ["TWELVEDATA_BASE_URL"] = TwelveData.BaseUrl.ToString(),
        // Nothing listens on port 9 of loopback: a stray Alpaca/Finnhub call fails fast instead of reaching the internet.
        ["ALPACA_DATA_BASE_URL"] = "http://127.0.0.1:9",
        ["FINNHUB_BASE_URL"] = "http://127.0.0.1:9/api/v1",
        ["ALPHAVANTAGE_API_KEY"] = alphaVantageKey ? AlphaVantage.ApiKey : null,
        ["TWELVEDATA_API_KEY"] = twelveDataKey ? TwelveData.ApiKey : null,
        ["AITRADER_CACHE_DIR"] = Path.Combine(Root, "cache"),
        ["AITRADER_DATA_DIR"] = Path.Combine(Root, "data"),
        ["AITRADER_SAMPLE_DATA"] = TestPaths.SampleRoot,
    };

    /// <summary>A DAL over <paramref name="environment"/> with the vendor kit's tiny retry delays and generous rate limits.</summary>
    public static MarketDataDal OpenDal(IDictionary<string, string?> environment, MarketDataDalOptions? options = null) =>
        MarketDataDal.FromEnvironment(
            name => environment.TryGetValue(name, out var v) ? v : null,
            options,
            // Rate limits first, then the resilience policy: the other order rebuilt the options from the unmodified
            // settings and left Yahoo and Twelve Data on the 30 s production timeouts.
            settings => (settings with
            {
                AlphaVantageOptions = settings.AlphaVantageOptions with { RateLimit = VendorTestKit.Generous },
                YahooOptions = settings.YahooOptions with { RateLimit = VendorTestKit.Generous },
                TwelveDataOptions = settings.TwelveDataOptions with { RateLimit = VendorTestKit.Generous },
            }).WithResilience(VendorTestKit.FastRetry, VendorTestKit.AttemptTimeout));

    public MarketDataDal Dal(MarketDataDalOptions? options = null) => OpenDal(Environment(), options);

    /// <summary>UTC range of whole New York session dates, as <c>aitrader fetch --start/--end</c> builds it.</summary>
    public static (DateTime Start, DateTime End) Days(DateOnly first, DateOnly last) =>
        (Core.Sessions.ExchangeTime.ToUtc(first, TimeOnly.MinValue),
            Core.Sessions.ExchangeTime.ToUtc(last.AddDays(1), TimeOnly.MinValue).AddTicks(-1));

    public async ValueTask DisposeAsync()
    {
        await AlphaVantage.DisposeAsync();
        await Yahoo.DisposeAsync();
        await TwelveData.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A clock stopped at a given instant.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
