using AiTrader.Core.Brokers;
using AiTrader.MarketData;

namespace AiTrader.Brokers.Alpaca;

/// <summary>Alpaca Trading API settings: paper by default; the live endpoint only with <see cref="Live"/> set.</summary>
public sealed record AlpacaTradingOptions
{
    public const string PaperBaseUrl = AlpacaOptions.PaperTradingBaseUrl;
    public const string LiveBaseUrl = AlpacaOptions.LiveTradingBaseUrl;
    public const string LiveHost = "api.alpaca.markets";

    /// <summary>REST root; paths such as /v2/orders are appended.</summary>
    public Uri BaseUrl { get; init; } = new(PaperBaseUrl);

    /// <summary>The clock for rate-limit resets, reconnect backoff and reconciliation windows (a fake one in tests).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>trade_updates WebSocket; when null it is derived from <see cref="BaseUrl"/> (https → wss, path /stream).</summary>
    public Uri? StreamUrl { get; init; }

    public string? ApiKey { get; init; }

    public string? ApiSecret { get; init; }

    /// <summary>Real money. Without it the client refuses the live host, so a stray URL cannot place live orders.</summary>
    public bool Live { get; init; }

    /// <summary>Alpaca allows 200 requests per minute per account, paper and live alike.</summary>
    public RateLimitOptions RateLimit { get; init; } = new(200, TimeSpan.FromMinutes(1));

    public RetryOptions Retry { get; init; } = new();

    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest answer body read (an order list of 500 is well under 1 MiB); a longer one is a malformed answer,
    /// never read to the end.</summary>
    public long MaxResponseBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>How long the stream may take to connect, authenticate and confirm the subscription.</summary>
    public TimeSpan StreamHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How many times in a row a dropped trade_updates stream is reconnected before the error surfaces (0 = never).</summary>
    public int StreamMaxReconnects { get; init; } = 10;

    /// <summary>First wait before reconnecting a dropped stream; doubles per failed attempt up to <see cref="StreamMaxBackoff"/>.</summary>
    public TimeSpan StreamInitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan StreamMaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The stream URL actually used.</summary>
    public Uri ResolvedStreamUrl => StreamUrl ?? DeriveStreamUrl(BaseUrl);

    /// <summary>"alpaca-live" or "alpaca-paper": names the environment in every message.</summary>
    public string BrokerName => Live ? "alpaca-live" : "alpaca-paper";

    /// <summary>Values that must never appear in an exception message or log line.</summary>
    public IEnumerable<string> Secrets() =>
        new[] { ApiKey, ApiSecret }.Where(s => !string.IsNullOrEmpty(s)).Select(s => s!);

    /// <summary>Reads ALPACA_TRADING_BASE_URL, ALPACA_TRADING_STREAM_URL, APCA_API_KEY_ID and APCA_API_SECRET_KEY.
    /// The default base URL is paper, or live when <paramref name="live"/> is true.</summary>
    public static AlpacaTradingOptions FromEnvironment(Func<string, string?> env, bool live = false)
    {
        ArgumentNullException.ThrowIfNull(env);
        string? Get(string name) => env(name) is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        Uri Url(string name, string text, params string[] schemes)
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || !schemes.Contains(uri.Scheme))
            {
                throw new BrokerException(live ? "alpaca-live" : "alpaca-paper", BrokerErrorKind.Configuration,
                    $"{name}='{text}' is not an absolute {string.Join("/", schemes)} URL; fix: correct or unset it.");
            }

            return uri;
        }

        var options = new AlpacaTradingOptions
        {
            BaseUrl = Url("ALPACA_TRADING_BASE_URL", Get("ALPACA_TRADING_BASE_URL") ?? (live ? LiveBaseUrl : PaperBaseUrl), "http", "https"),
            StreamUrl = Get("ALPACA_TRADING_STREAM_URL") is { } s ? Url("ALPACA_TRADING_STREAM_URL", s, "ws", "wss") : null,
            ApiKey = Get("APCA_API_KEY_ID"),
            ApiSecret = Get("APCA_API_SECRET_KEY"),
            Live = live,
        };
        options.EnsureEnvironmentAllowed();
        return options;
    }

    /// <summary>Throws a Configuration error when a URL points at the live host but <see cref="Live"/> is not set.</summary>
    public void EnsureEnvironmentAllowed()
    {
        if (Live)
        {
            return;
        }

        foreach (var (name, uri) in new[] { ("ALPACA_TRADING_BASE_URL", BaseUrl), ("ALPACA_TRADING_STREAM_URL", ResolvedStreamUrl) })
        {
            if (IsLiveHost(uri))
            {
                throw new BrokerException(BrokerName, BrokerErrorKind.Configuration,
                    $"{BrokerName}: {name} points at the live trading host {uri.Host} but live trading was not requested; " +
                    $"fix: use {PaperBaseUrl} for paper trading, or pass the explicit live flag to trade real money.");
            }
        }
    }

    public static bool IsLiveHost(Uri uri) => string.Equals(uri.Host, LiveHost, StringComparison.OrdinalIgnoreCase);

    private static Uri DeriveStreamUrl(Uri baseUrl)
    {
        var builder = new UriBuilder(baseUrl)
        {
            Scheme = baseUrl.Scheme == Uri.UriSchemeHttp ? "ws" : "wss",
            Path = baseUrl.AbsolutePath.TrimEnd('/') + "/stream",
            Query = string.Empty,
        };
        if (baseUrl.IsDefaultPort)
        {
            builder.Port = -1;
        }

        return builder.Uri;
    }
}
