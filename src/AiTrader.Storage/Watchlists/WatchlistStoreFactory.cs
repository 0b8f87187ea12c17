using AiTrader.Core.Watchlists;

namespace AiTrader.Storage.Watchlists;

/// <summary>Opens the watchlist store that WATCHLIST_STORE (or <c>--store</c>) names: <c>json</c> (default, files under
/// AITRADER_DATA_DIR/watchlists), <c>blob</c> (AZURE_BLOB_CONNECTION_STRING, AZURE_BLOB_CONTAINER) or <c>postgres</c>
/// (DATABASE_URL).</summary>
public static class WatchlistStoreFactory
{
    public const string Variable = "WATCHLIST_STORE";

    public static readonly IReadOnlyList<string> Kinds = ["json", "blob", "postgres"];

    /// <exception cref="ArgumentException">An unknown kind, or the variable the kind needs is not set.</exception>
    public static IWatchlistStore Create(string? kind, Func<string, string?> env, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(env);
        string? Get(string name) => env(name) is { } v && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        var chosen = (kind ?? Get(Variable) ?? "json").Trim().ToLowerInvariant();
        return chosen switch
        {
            "json" => new JsonWatchlistStore(dataDirectory),
            "blob" => new BlobWatchlistStore(
                Get("AZURE_BLOB_CONNECTION_STRING") ?? throw new ArgumentException("the blob watchlist store needs AZURE_BLOB_CONNECTION_STRING; set it (and AZURE_BLOB_CONTAINER) or use --store json."),
                Get("AZURE_BLOB_CONTAINER")),
            "postgres" => new PostgresWatchlistStore(
                Get("DATABASE_URL") ?? throw new ArgumentException("the postgres watchlist store needs DATABASE_URL; set it or use --store json.")),
            _ => throw new ArgumentException($"unknown watchlist store '{(chosen.Length <= 12 && chosen.All(char.IsAsciiLetter) ? chosen : "?")}'; use {string.Join(", ", Kinds)} ({Variable} or --store)."),
        };
    }
}
