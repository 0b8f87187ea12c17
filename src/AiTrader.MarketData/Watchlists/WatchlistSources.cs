using System.Globalization;
using AiTrader.Core.Watchlists;
using AiTrader.MarketData.Vendors;

namespace AiTrader.MarketData.Watchlists;

/// <summary>Builds the watchlist sources from environment variables, by the names the configuration uses:
/// manual, alpha, finnhub, twelvedata, textlist, scan, sample and auto.</summary>
/// <remarks>auto = alpha → finnhub → textlist → twelvedata, then manual (WATCHLIST_TEXT) and the bundled sample
/// symbols, so it works with no keys at all and says which source served.</remarks>
public sealed class WatchlistSources
{
    public const string SourceVariable = "WATCHLIST_SOURCE";

    public static readonly IReadOnlyList<string> Names = ["auto", "manual", "alpha", "finnhub", "twelvedata", "textlist", "scan", "sample"];

    /// <summary>The order <c>auto</c> tries.</summary>
    public static readonly IReadOnlyList<string> AutoOrder = ["alpha", "finnhub", "textlist", "twelvedata", "manual", "sample"];

    private readonly Dictionary<string, IWatchlistSource> _sources = new(StringComparer.Ordinal);

    private WatchlistSources()
    {
    }

    /// <param name="env">Variable lookup (tests pass their own).</param>
    /// <param name="sampleSymbols">The bundled symbols, the last resort of <c>auto</c>.</param>
    /// <param name="scan">The <c>scan</c> source (the CLI builds it: it needs bars and a date).</param>
    /// <param name="configureVendors">Adjusts vendor settings (tests shorten retries).</param>
    /// <param name="clock">Waits for Discord's retry_after run on it.</param>
    /// <exception cref="ArgumentException">A malformed setting (URL, TEXTLIST_BACKENDS, DISCORD_LOOKBACK_HOURS).</exception>
    public static WatchlistSources FromEnvironment(Func<string, string?> env, IReadOnlyList<string> sampleSymbols, IWatchlistSource? scan = null,
        Func<VendorSettings, VendorSettings>? configureVendors = null, TimeProvider? clock = null, HttpClient? http = null)
    {
        ArgumentNullException.ThrowIfNull(env);
        string? Get(string name) => env(name) is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        var vendors = VendorSettings.FromEnvironment(env);
        if (configureVendors is not null)
        {
            vendors = configureVendors(vendors);
        }

        // One client for the run; chat answers are read whole, so cap their size.
        http ??= new HttpClient { Timeout = Timeout.InfiniteTimeSpan, MaxResponseContentBufferSize = 64 * 1024 * 1024 };
        var result = new WatchlistSources();
        result.Add(new ManualWatchlistSource(Get("WATCHLIST_TEXT")));
        result.Add(new ListingWatchlistSource("alpha", new AlphaVantageClient(http, vendors.AlphaVantageOptions),
            vendors.AlphaVantageOptions.ApiKey is null ? "ALPHAVANTAGE_API_KEY" : null));
        result.Add(new ListingWatchlistSource("finnhub", new FinnhubClient(http, vendors.FinnhubOptions),
            vendors.FinnhubOptions.ApiKey is null ? "FINNHUB_API_KEY" : null));
        result.Add(new ListingWatchlistSource("twelvedata", new TwelveDataClient(http, vendors.TwelveDataOptions),
            vendors.TwelveDataOptions.ApiKey is null ? "TWELVEDATA_API_KEY" : null));

        var backends = (Get("TEXTLIST_BACKENDS") ?? string.Join(',', TextlistWatchlistSource.Backends))
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(b => b.ToLowerInvariant()).Distinct().ToList();
        var lookbackHours = Get("DISCORD_LOOKBACK_HOURS") is { } h
            ? (double.TryParse(h, NumberStyles.Float, CultureInfo.InvariantCulture, out var hours) && hours > 0 && hours <= DiscordOptions.MostLookbackHours
                ? hours
                : throw new ArgumentException($"DISCORD_LOOKBACK_HOURS='{h}' is not a number of hours from 0 to {DiscordOptions.MostLookbackHours}."))
            : DiscordOptions.DefaultLookbackHours;
        var maxPages = Get("DISCORD_MAX_PAGES") is { } p
            ? (int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var pages) && pages is >= 1 and <= DiscordOptions.MostPages
                ? pages
                : throw new ArgumentException($"DISCORD_MAX_PAGES='{p}' is not a whole number from 1 to {DiscordOptions.MostPages}."))
            : DiscordOptions.DefaultMaxPages;
        var discordOptions = new DiscordOptions(Url(Get("DISCORD_BASE_URL"), "DISCORD_BASE_URL") ?? DiscordOptions.DefaultBaseUrl,
            Get("DISCORD_BOT_TOKEN"), Get("DISCORD_CHANNEL_ID"), TimeSpan.FromHours(lookbackHours), MaxPages: maxPages);
        var signalOptions = new SignalOptions(Url(Get("SIGNAL_CLI_URL"), "SIGNAL_CLI_URL"), Get("SIGNAL_NUMBER"));
        result.Add(new TextlistWatchlistSource(backends,
            discordOptions.IsConfigured ? new DiscordChannelReader(http, discordOptions, clock) : null,
            signalOptions.IsConfigured ? new SignalReceiver(http, signalOptions) : null,
            Get("DISCORD_SAMPLE_SYMBOLS"), Get("SIGNAL_SAMPLE_SYMBOLS")));
        result.Add(scan ?? new ScanWatchlistSource(null, 0, "no scan configured here"));
        result.Add(new Renamed("sample", new ManualWatchlistSource(string.Join(",", sampleSymbols), "the bundled sample data", "sample")));
        result.Add(new AutoWatchlistSource(AutoOrder.Select(n => result._sources[n]).ToList()));
        return result;
    }

    /// <summary>The source named <paramref name="name"/> (WATCHLIST_SOURCE's default is auto).</summary>
    /// <exception cref="ArgumentException">An unknown name.</exception>
    public IWatchlistSource Get(string? name)
    {
        var key = (name ?? "auto").Trim().ToLowerInvariant();
        return _sources.TryGetValue(key, out var source)
            ? source
            : throw new ArgumentException($"unknown watchlist source '{(key.Length <= 12 && key.All(char.IsAsciiLetter) ? key : "?")}'; use {string.Join(", ", Names)}.");
    }

    /// <summary>The first listing source with a key (alpha → finnhub → twelvedata), to validate other sources; null with no key.</summary>
    public IWatchlistSource? Validator(Func<string, string?> env)
    {
        foreach (var (name, variable) in new[] { ("alpha", "ALPHAVANTAGE_API_KEY"), ("finnhub", "FINNHUB_API_KEY"), ("twelvedata", "TWELVEDATA_API_KEY") })
        {
            if (!string.IsNullOrWhiteSpace(env(variable)))
            {
                return _sources[name];
            }
        }

        return null;
    }

    private void Add(IWatchlistSource source) => _sources[source.Name] = source;

    private static Uri? Url(string? text, string variable)
    {
        if (text is null)
        {
            return null;
        }

        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new ArgumentException($"{variable}='{text}' is not an absolute http(s) URL; fix or unset it.");
    }

    /// <summary>A source under another name (the sample list is a manual list named <c>sample</c>).</summary>
    private sealed class Renamed(string name, IWatchlistSource inner) : IWatchlistSource
    {
        public string Name => name;

        public async Task<SourceAnswer> FetchAsync(CancellationToken cancellationToken = default) =>
            (await inner.FetchAsync(cancellationToken).ConfigureAwait(false)) with { Source = name };
    }
}
