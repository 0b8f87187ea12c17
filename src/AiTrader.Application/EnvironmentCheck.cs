using System.Globalization;
using AiTrader.Core.Watchlists;
using AiTrader.MarketData;
using AiTrader.MarketData.Streaming;
using AiTrader.MarketData.Watchlists;
using AiTrader.Storage;

namespace AiTrader.Application;

/// <summary>Every environment variable AI Trader reads (the list <c>.env.example</c> documents), and the start-up check
/// that turns a malformed value into one line naming the variable before any command runs.</summary>
/// <remarks>The commands still check what they use; this catches at start-up what would otherwise fail late (a live
/// session reaching a broken setting hours in) or silently (a key left empty by a deploy, an unresolved Key Vault
/// reference). Values that may be secret are never repeated in a message.</remarks>
public static class EnvironmentCheck
{
    /// <summary>How a variable's value must look.</summary>
    public enum Kind
    {
        /// <summary>A folder or file path.</summary>
        Path,

        /// <summary>A credential: no whitespace inside, never echoed.</summary>
        Secret,

        /// <summary>An absolute http:// or https:// URL.</summary>
        HttpUrl,

        /// <summary>An absolute ws:// or wss:// URL.</summary>
        WebSocketUrl,

        /// <summary>An absolute ws(s):// URL, or http(s):// (upgraded to the WebSocket scheme).</summary>
        WebSocketOrHttpUrl,

        /// <summary>postgres:// or postgresql:// URL with a host, or a key=value connection string with Host=.</summary>
        PostgresUrl,

        /// <summary>An Azure Storage connection string (key=value pairs).</summary>
        AzureStorageConnectionString,

        /// <summary>An Azure Storage connection string, or a Redis address (host:port, options after commas).</summary>
        AzureStorageOrRedisConnectionString,

        /// <summary>An Azure Blob container name: 3 to 63 lowercase letters, digits and single hyphens.</summary>
        BlobContainerName,

        /// <summary>A whole number within <see cref="Variable.Min"/>..<see cref="Variable.Max"/>.</summary>
        WholeNumber,

        /// <summary>A number above <see cref="Variable.Min"/> and at most <see cref="Variable.Max"/>.</summary>
        PositiveNumber,

        /// <summary>One of <see cref="Variable.Choices"/> (case-insensitive).</summary>
        Choice,

        /// <summary>A comma-separated list of <see cref="Variable.Choices"/>.</summary>
        ChoiceList,

        /// <summary><c>1</c> (on) or <c>0</c> (off).</summary>
        Flag,

        /// <summary>Free text (tickers, a phone number, an id).</summary>
        Text,
    }

    /// <summary>One variable: its name, what it must look like and what it is for (as <c>.env.example</c> says).</summary>
    public sealed record Variable(string Name, Kind Kind, string Purpose)
    {
        public IReadOnlyList<string> Choices { get; init; } = [];

        public double Min { get; init; }

        public double Max { get; init; }

        /// <summary>What applies when the variable is unset, in words where it is not a single value; null when unset
        /// means off or none.</summary>
        public string? Default { get; init; }

        /// <summary>What a value must look like, in words (the rule <see cref="Problems"/> checks).</summary>
        public string Format => Kind switch
        {
            Kind.Path => "a folder or file path",
            Kind.Secret => "a secret: one word, never shown",
            Kind.HttpUrl => "an http:// or https:// URL",
            Kind.WebSocketUrl => "a ws:// or wss:// URL",
            Kind.WebSocketOrHttpUrl => "a ws://, wss://, http:// or https:// URL",
            Kind.PostgresUrl => "a postgres:// URL or a Host=...;Database=... connection string",
            Kind.AzureStorageConnectionString => "an Azure Storage connection string",
            Kind.AzureStorageOrRedisConnectionString => "an Azure Storage connection string, or a Redis address host:port",
            Kind.BlobContainerName => "3 to 63 lowercase letters, digits and single hyphens",
            Kind.WholeNumber => string.Create(CultureInfo.InvariantCulture, $"a whole number from {Min} to {Max}"),
            Kind.PositiveNumber => string.Create(CultureInfo.InvariantCulture, $"a number above {Min}, at most {Max}"),
            Kind.Choice => "one of " + string.Join(", ", Choices),
            Kind.ChoiceList => "a comma-separated list of " + string.Join(", ", Choices),
            Kind.Flag => "1 (on) or 0 (off)",
            _ => "text",
        };
    }

    private static readonly string[] WatchlistStores = ["json", "blob", "postgres"];
    private static readonly string[] WatchlistSourceNames = ["auto", "manual", "alpha", "finnhub", "twelvedata", "textlist", "scan", "sample"];
    private static readonly string[] Vendors = ["alpaca", "alphavantage", "yahoo", "twelvedata", "finnhub"];

    /// <summary>The variables, in the order <c>.env.example</c> lists them.</summary>
    public static IReadOnlyList<Variable> Variables { get; } =
    [
        new("AITRADER_DATA_DIR", Kind.Path, "local state: SQLite files, journal, API keys, jobs, caches") { Default = "./data" },
        new("AITRADER_ARTIFACTS_DIR", Kind.Path, "run outputs: backtests, sweeps, reports") { Default = "./artifacts" },
        new("AITRADER_SAMPLE_DATA", Kind.Path, "bundled sample data root") { Default = "data/sample next to the binary" },
        new("AITRADER_BAR_CACHE", Kind.Path, "parsed bar-file cache folder, or off") { Default = "<AITRADER_DATA_DIR>/cache/bars" },
        new("AITRADER_CACHE_DIR", Kind.Path, "Parquet cache of vendor bars") { Default = CachePaths.DefaultCacheDirectory },
        new("AITRADER_VENDOR_CHAIN", Kind.ChoiceList, "vendor fallback order for the DAL") { Choices = Vendors, Default = string.Join(',', VendorSettings.DefaultFallbackOrder) },
        new("AITRADER_DEBUG", Kind.Flag, "1 prints the stack trace of an unexpected error") { Default = "0" },
        new("AITRADER_PHASES", Kind.Flag, "1 prints the time each phase of a run took") { Default = "0" },
        new("AITRADER_PEAK", Kind.Flag, "1 prints the process's peak memory at exit (used by `aitrader bench`)") { Default = "0" },
        new("APCA_API_KEY_ID", Kind.Secret, "Alpaca key id (market data, streaming, trading)"),
        new("APCA_API_SECRET_KEY", Kind.Secret, "Alpaca secret key"),
        new("ALPACA_DATA_BASE_URL", Kind.HttpUrl, "Alpaca market data REST base URL") { Default = AlpacaOptions.DefaultBaseUrl },
        new("ALPACA_DATA_FEED", Kind.Text, "Alpaca data feed: iex (free) or sip") { Default = AlpacaStreamOptions.DefaultFeed },
        new("ALPACA_STREAM_URL", Kind.WebSocketOrHttpUrl, "Alpaca market data stream") { Default = AlpacaOptions.DefaultStreamRoot + "<ALPACA_DATA_FEED>" },
        new(StreamingOptions.MaxReconnectsVariable, Kind.WholeNumber,
            "failed reconnects in a row before a live stream gives up (waits double from 1 s to 30 s); `trade` then exits 75")
        {
            Min = 0, Max = StreamingOptions.MostReconnectAttempts,
            Default = StreamingOptions.DefaultMaxReconnectAttempts.ToString(CultureInfo.InvariantCulture),
        },
        new("ALPACA_TRADING_BASE_URL", Kind.HttpUrl, "Alpaca trading REST base URL") { Default = $"{AlpacaOptions.PaperTradingBaseUrl} ({AlpacaOptions.LiveTradingBaseUrl} with --live)" },
        new("ALPACA_TRADING_STREAM_URL", Kind.WebSocketUrl, "Alpaca trade-updates stream") { Default = "the trading base URL as wss://, path /stream" },
        new("ALPHAVANTAGE_API_KEY", Kind.Secret, "Alpha Vantage key"),
        new("ALPHAVANTAGE_BASE_URL", Kind.HttpUrl, "Alpha Vantage base URL") { Default = AlphaVantageOptions.DefaultBaseUrl },
        new("YAHOO_BASE_URL", Kind.HttpUrl, "Yahoo chart API base URL") { Default = YahooOptions.DefaultBaseUrl },
        new("TWELVEDATA_API_KEY", Kind.Secret, "Twelve Data key"),
        new("TWELVEDATA_BASE_URL", Kind.HttpUrl, "Twelve Data base URL") { Default = TwelveDataOptions.DefaultBaseUrl },
        new("FINNHUB_API_KEY", Kind.Secret, "Finnhub key"),
        new("FINNHUB_BASE_URL", Kind.HttpUrl, "Finnhub base URL") { Default = FinnhubOptions.DefaultBaseUrl },
        new("DATABASE_URL", Kind.PostgresUrl, "PostgreSQL for the journal, catalogs, jobs, API keys and watchlists") { Default = "SQLite files under AITRADER_DATA_DIR" },
        new("AZURE_BLOB_CONNECTION_STRING", Kind.AzureStorageConnectionString, "Azure Blob storage for the blob watchlist store"),
        new("AZURE_BLOB_CONTAINER", Kind.BlobContainerName, "its container") { Default = AiTrader.Storage.Watchlists.BlobWatchlistStore.DefaultContainer },
        new(AppSettings.BarCacheBlobVariable, Kind.BlobContainerName, "container in AZURE_BLOB_CONNECTION_STRING's account through which `sweep --cluster` shares its bars with the silos (each downloads them once), or off") { Default = "off (the silos share the bar cache folder)" },
        new(AppSettings.ClusterConnectionStringVariable, Kind.AzureStorageOrRedisConnectionString, "the cluster's membership: Azure Table storage (`aitrader silo --clustering azuretable`, `sweep --cluster --clustering azuretable`) or a Redis server (`--clustering redis`)"),
        new("WATCHLIST_STORE", Kind.Choice, "where watchlists are kept") { Choices = WatchlistStores, Default = "json" },
        new("WATCHLIST_SOURCE", Kind.Choice, "source for `aitrader watchlist build`") { Choices = WatchlistSourceNames, Default = "auto" },
        new("WATCHLIST_TEXT", Kind.Text, "manual source: comma-separated tickers"),
        new("MAX_WATCHLIST", Kind.WholeNumber, "most symbols kept in a watchlist") { Min = 1, Max = 10_000, Default = WatchlistBuilder.DefaultMax.ToString(CultureInfo.InvariantCulture) },
        new("TEXTLIST_BACKENDS", Kind.ChoiceList, "chat backends the textlist source reads") { Choices = TextlistWatchlistSource.Backends, Default = string.Join(',', TextlistWatchlistSource.Backends) },
        new("DISCORD_BOT_TOKEN", Kind.Secret, "Discord bot token"),
        new("DISCORD_CHANNEL_ID", Kind.Text, "Discord channel to read"),
        new("DISCORD_BASE_URL", Kind.HttpUrl, "Discord API base URL") { Default = DiscordOptions.DefaultBaseUrl.OriginalString },
        new("DISCORD_LOOKBACK_HOURS", Kind.PositiveNumber, "hours of Discord messages read") { Min = 0, Max = DiscordOptions.MostLookbackHours, Default = DiscordOptions.DefaultLookbackHours.ToString(CultureInfo.InvariantCulture) },
        new("DISCORD_MAX_PAGES", Kind.WholeNumber, "most pages of Discord messages read") { Min = 1, Max = DiscordOptions.MostPages, Default = DiscordOptions.DefaultMaxPages.ToString(CultureInfo.InvariantCulture) },
        new("DISCORD_SAMPLE_SYMBOLS", Kind.Text, "offline sample when Discord has no credentials, e.g. $NVDA,AMD,BRK/B"),
        new("SIGNAL_CLI_URL", Kind.HttpUrl, "signal-cli REST API URL"),
        new("SIGNAL_NUMBER", Kind.Text, "the registered Signal account"),
        new("SIGNAL_SAMPLE_SYMBOLS", Kind.Text, "offline sample when Signal has no credentials"),
        new("OTEL_EXPORTER_OTLP_ENDPOINT", Kind.HttpUrl, "`aitrader serve`: OTLP/HTTP collector base URL for traces and metrics; nothing is exported when unset"),
        new("ASPNETCORE_ENVIRONMENT", Kind.Text, "`aitrader serve`: Development also prints spans and metrics to the console") { Default = "Production" },
        new("AITRADER_WEBHOOK_SECRET", Kind.Secret, "`aitrader serve`: shared secret that signs /webhooks/alerts deliveries, at least 32 characters; webhooks are off when unset"),
    ];

    /// <summary>What is wrong with the variables <paramref name="environment"/> holds: one line per problem, empty when
    /// all is well. Unset variables are fine (each has a default or is optional).</summary>
    public static IReadOnlyList<string> Problems(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var problems = new List<string>();
        foreach (var variable in Variables)
        {
            if (environment(variable.Name) is { } value && Check(variable, value) is { } problem)
            {
                problems.Add(problem);
            }
        }

        return problems;
    }

    /// <summary>Throws <see cref="SettingsException"/> listing every problem <see cref="Problems"/> finds.</summary>
    public static void Validate(Func<string, string?> environment)
    {
        var problems = Problems(environment);
        if (problems.Count > 0)
        {
            throw new SettingsException(problems);
        }
    }

    private static string? Check(Variable variable, string value)
    {
        var name = variable.Name;
        if (string.IsNullOrWhiteSpace(value))
        {
            return $"{name} is set but empty; give it a value or unset it (comment it out in .env).";
        }

        var text = value.Trim();
        if (text.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase))
        {
            return $"{name} is an unresolved Key Vault reference; give the app's managed identity 'get' on the secret (docs/howto/deploy.md).";
        }

        return variable.Kind switch
        {
            Kind.Secret => text.Any(char.IsWhiteSpace)
                ? $"{name} contains whitespace; a key is one word: check what was pasted (the value is not shown)."
                : null,
            Kind.HttpUrl => Url(name, text, "http", "https"),
            Kind.WebSocketUrl => Url(name, text, "ws", "wss"),
            Kind.WebSocketOrHttpUrl => Url(name, text, "ws", "wss", "http", "https"),
            Kind.PostgresUrl => PostgresUrl(text),
            Kind.AzureStorageConnectionString => AzureConnectionString(name, text),
            Kind.AzureStorageOrRedisConnectionString => text.Split(',')[0].Contains('=', StringComparison.Ordinal)
                ? AzureConnectionString(name, text)
                : RedisAddress(name, text),
            Kind.BlobContainerName => BlobContainerName(name, text),
            Kind.WholeNumber => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= variable.Min && n <= variable.Max
                ? null
                : $"{name}='{Shown(text)}' is not a whole number from {variable.Min.ToString(CultureInfo.InvariantCulture)} to {variable.Max.ToString(CultureInfo.InvariantCulture)}; fix or unset it.",
            Kind.PositiveNumber => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) && x > variable.Min && x <= variable.Max
                ? null
                : $"{name}='{Shown(text)}' is not a number above {variable.Min.ToString(CultureInfo.InvariantCulture)} and at most {variable.Max.ToString(CultureInfo.InvariantCulture)}; fix or unset it.",
            Kind.Choice => variable.Choices.Contains(text.ToLowerInvariant())
                ? null
                : $"{name}='{Shown(text)}' is not one of {string.Join(", ", variable.Choices)}; fix or unset it.",
            Kind.ChoiceList => ChoiceList(variable, text),
            Kind.Flag => text is "0" or "1" ? null : $"{name}='{Shown(text)}' must be 1 (on) or 0 (off); fix or unset it.",
            _ => null,
        };
    }

    private static string? Url(string name, string text, params string[] schemes) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && schemes.Contains(uri.Scheme) && uri.Host.Length > 0
            ? null
            : $"{name}='{Shown(WithoutUserInfo(text))}' is not an absolute {Either(schemes.Select(s => s + "://").ToList())} URL; fix or unset it.";

    /// <summary><c>a</c>, <c>a or b</c>, <c>a, b or c</c>.</summary>
    private static string Either(IReadOnlyList<string> items) =>
        items.Count == 1 ? items[0] : $"{string.Join(", ", items.Take(items.Count - 1))} or {items[^1]}";

    private static string? PostgresUrl(string text)
    {
        const string expected = "expected postgres://user:password@host:5432/database or a Host=...;Database=... connection string";
        var scheme = text.IndexOf("://", StringComparison.Ordinal) is var at and > 0 ? text[..at] : null;
        if (scheme is not null)
        {
            if (!scheme.Equals("postgres", StringComparison.OrdinalIgnoreCase) && !scheme.Equals("postgresql", StringComparison.OrdinalIgnoreCase))
            {
                return $"DATABASE_URL is a {Shown(scheme)}:// URL, not PostgreSQL; {expected}.";
            }

            return Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Host.Length > 0
                ? null
                : $"DATABASE_URL is not a valid postgres:// URL (no host, or a character that needs %-encoding); {expected}.";
        }

        return Pairs(text) is { } pairs && pairs.ContainsKey("host")
            ? null
            : $"DATABASE_URL is neither a postgres:// URL nor a connection string with Host=; {expected}.";
    }

    private static string? AzureConnectionString(string name, string text)
    {
        var pairs = Pairs(text);
        if (pairs is null)
        {
            return $"{name} is not a connection string of key=value pairs; copy it from the storage account's Access keys (the value is not shown).";
        }

        var development = pairs.TryGetValue("usedevelopmentstorage", out var dev) && dev.Equals("true", StringComparison.OrdinalIgnoreCase);
        return development || pairs.ContainsKey("accountname") || pairs.ContainsKey("blobendpoint")
            ? null
            : $"{name} names no AccountName or BlobEndpoint; copy it from the storage account's Access keys (the value is not shown).";
    }

    /// <summary>A Redis address as StackExchange.Redis reads it: host:port first, options (key=value) after commas.</summary>
    private static string? RedisAddress(string name, string text)
    {
        var endpoint = text.Split(',')[0].Trim();
        var colon = endpoint.LastIndexOf(':');
        var valid = colon > 0 && int.TryParse(endpoint[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535
            && !endpoint.Any(char.IsWhiteSpace);
        return valid ? null : $"{name} is neither an Azure Storage connection string nor a Redis address host:port (e.g. 127.0.0.1:6379); fix it (the value is not shown).";
    }

    private static string? BlobContainerName(string name, string text)
    {
        var valid = text.Length is >= 3 and <= 63
            && text.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
            && char.IsAsciiLetterOrDigit(text[0]) && char.IsAsciiLetterOrDigit(text[^1])
            && !text.Contains("--", StringComparison.Ordinal);
        return valid ? null : $"{name}='{Shown(text)}' is not a container name: 3 to 63 lowercase letters, digits and single hyphens.";
    }

    private static string? ChoiceList(Variable variable, string text)
    {
        var items = text.Split(',', StringSplitOptions.TrimEntries);
        var bad = items.FirstOrDefault(i => !variable.Choices.Contains(i.ToLowerInvariant()));
        return bad is null
            ? null
            : $"{variable.Name}='{Shown(text)}' has '{Shown(bad)}', not one of {string.Join(", ", variable.Choices)}; give a comma-separated list of those or unset it.";
    }

    /// <summary>key=value pairs separated by ';' (keys lower-cased), or null when a part has no '='.</summary>
    private static Dictionary<string, string>? Pairs(string text)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return null;
            }

            pairs[part[..eq].Trim().Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant()] = part[(eq + 1)..].Trim();
        }

        return pairs.Count > 0 ? pairs : null;
    }

    private static string WithoutUserInfo(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? text.Replace(uri.UserInfo + "@", "", StringComparison.Ordinal)
            : text;

    /// <summary>At most 60 characters of a value, on one line.</summary>
    private static string Shown(string text)
    {
        var line = text.ReplaceLineEndings(" ");
        return line.Length <= 60 ? line : line[..57] + "...";
    }
}
