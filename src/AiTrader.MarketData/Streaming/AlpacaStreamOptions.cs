namespace AiTrader.MarketData.Streaming;

/// <summary>Connection settings for the Alpaca real-time stock stream.</summary>
public sealed record AlpacaStreamOptions
{
    public const string DefaultFeed = "iex";

    /// <summary>WebSocket URL (ws:// or wss://); default wss://stream.data.alpaca.markets/v2/{feed}.</summary>
    public required Uri Url { get; init; }

    public string? ApiKey { get; init; }

    public string? ApiSecret { get; init; }

    /// <summary>Time allowed for connect + auth + subscription ack (Alpaca drops unauthenticated sockets after 10 s).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>No message at all for this long counts as a dead connection. Quiet minutes produce no bar, so keep it
    /// well above a minute unless many liquid symbols are subscribed.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>WebSocket ping interval, so NATs and proxies keep an idle connection open.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Largest message read whole (default 1 MiB); a longer one drops the connection with that reason and the
    /// manager reconnects, so an endless frame costs at most this much memory.</summary>
    public int MaxMessageBytes { get; init; } = BoundedWebSocketReader.DefaultMaxMessageBytes;

    public bool HasKeys => !string.IsNullOrEmpty(ApiKey) && !string.IsNullOrEmpty(ApiSecret);

    /// <summary>Values that must never appear in an exception message or log line.</summary>
    public IEnumerable<string> Secrets() =>
        new[] { ApiKey, ApiSecret }.Where(s => !string.IsNullOrEmpty(s)).Select(s => s!);

    /// <summary>Reads the process environment.</summary>
    public static AlpacaStreamOptions FromEnvironment() => FromEnvironment(Environment.GetEnvironmentVariable);

    /// <summary>ALPACA_STREAM_URL (default per ALPACA_DATA_FEED, iex), APCA_API_KEY_ID, APCA_API_SECRET_KEY.</summary>
    public static AlpacaStreamOptions FromEnvironment(Func<string, string?> env)
    {
        ArgumentNullException.ThrowIfNull(env);
        string? Get(string name) => env(name) is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        var feed = Get("ALPACA_DATA_FEED") ?? DefaultFeed;
        var text = Get("ALPACA_STREAM_URL") ?? AlpacaOptions.DefaultStreamRoot + feed;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("ws" or "wss" or "http" or "https"))
        {
            throw new ArgumentException($"ALPACA_STREAM_URL='{text}' is not an absolute ws(s):// URL; fix or unset it.");
        }

        // Accept http(s) for convenience (a fake server's base address) and upgrade it to the WebSocket scheme.
        if (url.Scheme is "http" or "https")
        {
            url = new UriBuilder(url) { Scheme = url.Scheme == "https" ? "wss" : "ws" }.Uri;
        }

        return new AlpacaStreamOptions { Url = url, ApiKey = Get("APCA_API_KEY_ID"), ApiSecret = Get("APCA_API_SECRET_KEY") };
    }
}
