using System.Collections;
using System.Globalization;

namespace AiTrader.MarketData;

/// <summary>Client-side request budget for one vendor: at most <see cref="PermitLimit"/> requests per <see cref="Window"/>.</summary>
public sealed record RateLimitOptions(int PermitLimit, TimeSpan Window, int QueueLimit = 1000);

/// <summary>Retry budget for transient vendor failures (rate limit, 5xx, timeout); delays double from <see cref="BaseDelay"/>.</summary>
public sealed record RetryOptions
{
    public int MaxRetries { get; init; } = 2;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A Retry-After longer than this is not waited out: the call fails so the chain can try the next vendor.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Connection settings shared by every vendor client.</summary>
public record VendorOptions
{
    public required Uri BaseUrl { get; init; }
    public string? ApiKey { get; init; }
    public required RateLimitOptions RateLimit { get; init; }
    public RetryOptions Retry { get; init; } = new();
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Budget for one whole call (every page, slice, retry and rate-limit wait): past it the call fails as
    /// Timeout and the chain moves on. Bounds a fetch that a slow or paging server would otherwise stretch forever.</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Largest response body read (32 MiB: a full Alpha Vantage daily history is about 2 MiB, an Alpaca page of
    /// 10,000 bars about 1.5 MiB). A longer body is cut off unread and fails as MalformedResponse.</summary>
    public long MaxResponseBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Values that must never appear in an exception message or log line.</summary>
    public virtual IEnumerable<string> Secrets() => ApiKey is { Length: > 0 } ? [ApiKey] : [];
}

/// <summary>Alpaca market-data v2 settings; <see cref="Feed"/> is iex on free plans.</summary>
public sealed record AlpacaOptions : VendorOptions
{
    /// <summary>The market-data REST root (ALPACA_DATA_BASE_URL unset).</summary>
    public const string DefaultBaseUrl = "https://data.alpaca.markets";

    /// <summary>The market-data stream's root; the feed's name (iex, sip) ends the URL (ALPACA_STREAM_URL unset).</summary>
    public const string DefaultStreamRoot = "wss://stream.data.alpaca.markets/v2/";

    /// <summary>The trading REST root of a paper account (ALPACA_TRADING_BASE_URL unset).</summary>
    public const string PaperTradingBaseUrl = "https://paper-api.alpaca.markets";

    /// <summary>The trading REST root of a real-money account (<c>trade --live</c>, ALPACA_TRADING_BASE_URL unset).</summary>
    public const string LiveTradingBaseUrl = "https://api.alpaca.markets";

    public string? ApiSecret { get; init; }
    public string Feed { get; init; } = "iex";
    public int PageLimit { get; init; } = 10000;

    /// <summary>Most pages followed for one request (1,000 pages of 10,000 bars is ten million bars, years of minute
    /// bars); a server that keeps sending next_page_token past it fails as MalformedResponse.</summary>
    public int MaxPages { get; init; } = 1000;

    public override IEnumerable<string> Secrets() =>
        base.Secrets().Concat(ApiSecret is { Length: > 0 } ? [ApiSecret] : []);
}

/// <summary>Alpha Vantage settings.</summary>
public sealed record AlphaVantageOptions : VendorOptions
{
    /// <summary>The base URL when ALPHAVANTAGE_BASE_URL is unset.</summary>
    public const string DefaultBaseUrl = "https://www.alphavantage.co";

    /// <summary>The vendor does not say whether intraday keys label the bar start or end; the
    /// last extended-hours 5min key being 19:55 (not 20:00) points to start, the default here.</summary>
    public bool IntradayStampIsBarEnd { get; init; }

    /// <summary>Use TIME_SERIES_DAILY_ADJUSTED (reportedly premium) for split-adjusted daily bars; when false,
    /// split-adjusted daily requests are Unsupported and the chain moves on.</summary>
    public bool UseDailyAdjusted { get; init; } = true;

    /// <summary>The wait a per-minute limit answer (the "Note", "Burst pattern detected") asks for. Longer than
    /// <see cref="RetryOptions.MaxRetryAfter"/> by default, so such an answer moves the chain on instead of sitting.</summary>
    public TimeSpan MinuteLimitWait { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Include pre/post-market bars (AV's own default is true; the platform trades the regular session).</summary>
    public bool ExtendedHours { get; init; }
}

/// <summary>Yahoo chart v8 settings (no key; a browser User-Agent is sent).</summary>
public sealed record YahooOptions : VendorOptions
{
    /// <summary>The base URL when YAHOO_BASE_URL is unset.</summary>
    public const string DefaultBaseUrl = "https://query2.finance.yahoo.com";

    public string UserAgent { get; init; } = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36";
}

/// <summary>Twelve Data settings.</summary>
public sealed record TwelveDataOptions : VendorOptions
{
    /// <summary>The base URL when TWELVEDATA_BASE_URL is unset.</summary>
    public const string DefaultBaseUrl = "https://api.twelvedata.com";

    public int OutputSize { get; init; } = 5000;
}

/// <summary>Finnhub settings.</summary>
public sealed record FinnhubOptions : VendorOptions
{
    /// <summary>The base URL when FINNHUB_BASE_URL is unset.</summary>
    public const string DefaultBaseUrl = "https://finnhub.io/api/v1";
}

/// <summary>All vendor settings plus the fallback order; build from environment variables with <see cref="FromEnvironment(Func{string, string?})"/>.</summary>
public sealed record VendorSettings
{
    public const string Alpaca = "alpaca";
    public const string AlphaVantage = "alphavantage";
    public const string Yahoo = "yahoo";
    public const string TwelveData = "twelvedata";
    public const string Finnhub = "finnhub";

    public required AlpacaOptions AlpacaOptions { get; init; }
    public required AlphaVantageOptions AlphaVantageOptions { get; init; }
    public required YahooOptions YahooOptions { get; init; }
    public required TwelveDataOptions TwelveDataOptions { get; init; }
    public required FinnhubOptions FinnhubOptions { get; init; }

    /// <summary>Vendor names tried in order by <see cref="FallbackBarFetcher"/>.</summary>
    public IReadOnlyList<string> FallbackOrder { get; init; } = DefaultFallbackOrder;

    public static IReadOnlyList<string> DefaultFallbackOrder { get; } = [AlphaVantage, Yahoo, TwelveData];

    /// <summary>Reads the process environment.</summary>
    public static VendorSettings FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>Reads a variable map such as <see cref="Environment.GetEnvironmentVariables()"/> or a test dictionary.</summary>
    public static VendorSettings FromEnvironment(IDictionary variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        return FromEnvironment(name => variables.Contains(name) ? variables[name]?.ToString() : null);
    }

    /// <summary>Base URLs from ALPACA_DATA_BASE_URL, ALPHAVANTAGE_BASE_URL, YAHOO_BASE_URL, TWELVEDATA_BASE_URL,
    /// FINNHUB_BASE_URL; keys from APCA_API_KEY_ID/APCA_API_SECRET_KEY, ALPHAVANTAGE_API_KEY, TWELVEDATA_API_KEY,
    /// FINNHUB_API_KEY; optional AITRADER_VENDOR_CHAIN (comma list) and ALPACA_DATA_FEED.</summary>
    public static VendorSettings FromEnvironment(Func<string, string?> env)
    {
        ArgumentNullException.ThrowIfNull(env);
        string? Get(string name) => env(name) is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        Uri Url(string name, string fallback)
        {
            var text = Get(name) ?? fallback;
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            {
                throw new ArgumentException($"{name}='{text}' is not an absolute http(s) URL; fix or unset it.");
            }

            return uri;
        }

        var chain = Get("AITRADER_VENDOR_CHAIN") is { } c
            ? c.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => s.ToLower(CultureInfo.InvariantCulture)).ToArray()
            : DefaultFallbackOrder;

        return new VendorSettings
        {
            AlpacaOptions = new AlpacaOptions
            {
                BaseUrl = Url("ALPACA_DATA_BASE_URL", AlpacaOptions.DefaultBaseUrl),
                ApiKey = Get("APCA_API_KEY_ID"),
                ApiSecret = Get("APCA_API_SECRET_KEY"),
                Feed = Get("ALPACA_DATA_FEED") ?? Streaming.AlpacaStreamOptions.DefaultFeed,
                RateLimit = new RateLimitOptions(200, TimeSpan.FromMinutes(1)),
            },
            AlphaVantageOptions = new AlphaVantageOptions
            {
                BaseUrl = Url("ALPHAVANTAGE_BASE_URL", AlphaVantageOptions.DefaultBaseUrl),
                ApiKey = Get("ALPHAVANTAGE_API_KEY"),
                // The documented free tier is 25/day; 5/min is the older burst rule and still triggers "Note".
                RateLimit = new RateLimitOptions(5, TimeSpan.FromMinutes(1)),
            },
            YahooOptions = new YahooOptions
            {
                BaseUrl = Url("YAHOO_BASE_URL", YahooOptions.DefaultBaseUrl),
                // Unofficial endpoint with no published limit: stay polite.
                RateLimit = new RateLimitOptions(60, TimeSpan.FromMinutes(1)),
            },
            TwelveDataOptions = new TwelveDataOptions
            {
                BaseUrl = Url("TWELVEDATA_BASE_URL", TwelveDataOptions.DefaultBaseUrl),
                ApiKey = Get("TWELVEDATA_API_KEY"),
                RateLimit = new RateLimitOptions(8, TimeSpan.FromMinutes(1)),
            },
            FinnhubOptions = new FinnhubOptions
            {
                BaseUrl = Url("FINNHUB_BASE_URL", FinnhubOptions.DefaultBaseUrl),
                ApiKey = Get("FINNHUB_API_KEY"),
                RateLimit = new RateLimitOptions(60, TimeSpan.FromMinutes(1)),
            },
            FallbackOrder = chain,
        };
    }

    /// <summary>Same settings with one retry/timeout policy on every vendor (tests use tiny delays).</summary>
    public VendorSettings WithResilience(RetryOptions retry, TimeSpan attemptTimeout, TimeSpan? totalTimeout = null) => this with
    {
        AlpacaOptions = AlpacaOptions with { Retry = retry, AttemptTimeout = attemptTimeout, TotalTimeout = totalTimeout ?? AlpacaOptions.TotalTimeout },
        AlphaVantageOptions = AlphaVantageOptions with { Retry = retry, AttemptTimeout = attemptTimeout, TotalTimeout = totalTimeout ?? AlphaVantageOptions.TotalTimeout },
        YahooOptions = YahooOptions with { Retry = retry, AttemptTimeout = attemptTimeout, TotalTimeout = totalTimeout ?? YahooOptions.TotalTimeout },
        TwelveDataOptions = TwelveDataOptions with { Retry = retry, AttemptTimeout = attemptTimeout, TotalTimeout = totalTimeout ?? TwelveDataOptions.TotalTimeout },
        FinnhubOptions = FinnhubOptions with { Retry = retry, AttemptTimeout = attemptTimeout, TotalTimeout = totalTimeout ?? FinnhubOptions.TotalTimeout },
    };
}
