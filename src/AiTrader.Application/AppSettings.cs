using Microsoft.Extensions.Configuration;

namespace AiTrader.Application;

/// <summary>Settings from appsettings.json and environment variables (environment wins).</summary>
public sealed class AppSettings
{
    /// <summary>Local state (SQLite, journal, caches): AITRADER_DATA_DIR, default ./data.</summary>
    public required string DataDir { get; init; }

    /// <summary>Run outputs: AITRADER_ARTIFACTS_DIR, default ./artifacts.</summary>
    public required string ArtifactsDir { get; init; }

    /// <summary>Bundled sample data root override: AITRADER_SAMPLE_DATA (default: next to the binary).</summary>
    public string? SampleDataDir { get; init; }

    /// <summary>Where parsed bar files are kept as columns for later runs: AITRADER_BAR_CACHE (a folder, or <c>off</c>),
    /// default <c>&lt;DataDir&gt;/cache/bars</c>.</summary>
    public string? BarCacheDir { get; init; }

    /// <summary>The environment variable of <see cref="BarCacheBlobContainer"/>.</summary>
    public const string BarCacheBlobVariable = "AITRADER_BAR_CACHE_BLOB";

    /// <summary>The Azure Blob container a cluster's sweeps share their bars through (<c>sweep --cluster</c> uploads them,
    /// each silo downloads them once into its bar cache folder): AITRADER_BAR_CACHE_BLOB, in the account of
    /// <see cref="BlobConnectionString"/>; null: the silos share the cache folder only.</summary>
    public string? BarCacheBlobContainer { get; init; }

    /// <summary>The Azure Storage connection string of the blob stores (AZURE_BLOB_CONNECTION_STRING). A secret: never printed.</summary>
    public string? BlobConnectionString { get; init; }

    /// <summary>The environment variable of <see cref="ClusterConnectionString"/>.</summary>
    public const string ClusterConnectionStringVariable = "AITRADER_CLUSTER_CONNECTION_STRING";

    /// <summary>The Azure Storage connection string of the cluster's membership table (<c>aitrader silo --clustering
    /// azuretable</c> and its clients): AITRADER_CLUSTER_CONNECTION_STRING, or AiTrader:ClusterConnectionString in
    /// appsettings.json. A secret: never printed.</summary>
    public string? ClusterConnectionString { get; init; }

    /// <summary>Whether a new cache entry is written on another core while the command goes on (the CLI, which waits
    /// for such writes before it exits: <see cref="AiTrader.Core.MarketData.BarFileCache.WaitForPendingWrites"/>), or
    /// before the bars are returned (the default, for hosts and tests that may remove the folder right after).</summary>
    public bool BarCacheWriteBehind { get; set; }

    /// <summary>The bar-file cache these settings ask for (null when it is off).</summary>
    public AiTrader.Core.MarketData.BarFileCache? BarCache() =>
        BarCacheDir is null || BarCacheDir.Equals("off", StringComparison.OrdinalIgnoreCase)
            ? null
            : new AiTrader.Core.MarketData.BarFileCache(BarCacheDir, BarCacheWriteBehind);

    /// <summary>Reads the settings after checking every variable AI Trader reads (<see cref="EnvironmentCheck"/>).</summary>
    /// <exception cref="SettingsException">A variable is set but malformed or empty.</exception>
    public static AppSettings Load()
    {
        EnvironmentCheck.Validate(PlatformEnvironment.Lookup ?? Environment.GetEnvironmentVariable);
        return LoadUnchecked();
    }

    /// <summary>Reads the settings without the check (for <c>--help</c>, which must work whatever the environment).</summary>
    public static AppSettings LoadUnchecked()
    {
        var config = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .Build();

        string Get(string envName, string section, string fallback) =>
            NonEmpty(config[envName]) ?? NonEmpty(config[$"AiTrader:{section}"]) ?? fallback;

        var dataDir = Get("AITRADER_DATA_DIR", "DataDir", "./data");
        return new AppSettings
        {
            DataDir = dataDir,
            BarCacheDir = NonEmpty(config["AITRADER_BAR_CACHE"]) ?? Path.Combine(dataDir, "cache", "bars"),
            ArtifactsDir = Get("AITRADER_ARTIFACTS_DIR", "ArtifactsDir", "artifacts"),
            SampleDataDir = NonEmpty(config["AITRADER_SAMPLE_DATA"]),
            BarCacheBlobContainer = NonEmpty(config[BarCacheBlobVariable]) is { } container && !container.Trim().Equals("off", StringComparison.OrdinalIgnoreCase)
                ? container.Trim()
                : null,
            BlobConnectionString = NonEmpty(config["AZURE_BLOB_CONNECTION_STRING"]),
            ClusterConnectionString = NonEmpty(config[ClusterConnectionStringVariable]) ?? NonEmpty(config["AiTrader:ClusterConnectionString"]),
        };
    }

    private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
