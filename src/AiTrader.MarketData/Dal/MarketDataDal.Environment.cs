using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using AiTrader.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiTrader.MarketData.Dal;

public sealed partial class MarketDataDal
{
    /// <summary>
    /// Wires the DAL from environment variables: vendor URLs and keys (<see cref="VendorSettings.FromEnvironment(Func{string, string?})"/>)
    /// registered with <see cref="VendorServiceCollectionExtensions.AddAiTraderVendors"/>; the cache under AITRADER_CACHE_DIR
    /// (default artifacts/marketdata/cache) with its catalog in DATABASE_URL (PostgreSQL) or SQLite under AITRADER_DATA_DIR;
    /// the sample data from AITRADER_SAMPLE_DATA or <see cref="SampleData.LocateRoot"/>. The DAL owns and disposes them.
    /// </summary>
    /// <param name="environment">Variable lookup; the process environment when null (tests pass a dictionary's lookup).</param>
    /// <param name="options">Behaviour switches; defaults when null.</param>
    /// <param name="configureVendors">Adjusts the vendor settings before the clients are built (tests shorten retries).</param>
    /// <param name="loggerFactory">Receives vendor, cache and DAL logs; none when null.</param>
    public static MarketDataDal FromEnvironment(
        Func<string, string?>? environment = null,
        MarketDataDalOptions? options = null,
        Func<VendorSettings, VendorSettings>? configureVendors = null,
        ILoggerFactory? loggerFactory = null)
    {
        var env = environment ?? Environment.GetEnvironmentVariable;
        options ??= new MarketDataDalOptions();
        var settings = VendorSettings.FromEnvironment(env);
        if (configureVendors is not null)
        {
            settings = configureVendors(settings);
        }

        var services = new ServiceCollection();
        services.AddAiTraderVendors(settings);
        if (loggerFactory is not null)
        {
            services.AddSingleton(loggerFactory);
        }

        var provider = services.BuildServiceProvider();
        var owned = new List<IAsyncDisposable> { provider };

        BarCache OpenCache()
        {
            // Opened on first vendor fetch: a sample-only run never parses DATABASE_URL or creates the SQLite file.
            var catalog = SnapshotCatalogFactory.Create(env(SnapshotCatalogFactory.DatabaseUrlVariable), CachePaths.ResolveDataDirectory(env));
            lock (owned)
            {
                owned.Add(catalog);
            }

            return new BarCache(catalog, CachePaths.ResolveCacheDirectory(env), options.TimeProvider, loggerFactory?.CreateLogger<BarCache>());
        }

        IBarSource OpenSample()
        {
            var root = env(SampleData.RootVariable) is { Length: > 0 } configured
                ? (Directory.Exists(Path.Combine(configured, "daily"))
                    ? configured
                    : throw new MarketDataException(
                        $"{SampleData.RootVariable}={configured} has no daily/ folder; point it at a folder laid out like data/sample or unset it."))
                : SampleData.LocateRoot();
            return new CsvBarSource(root, NyseCalendar.Instance);
        }

        // Typed HttpClients are resolved per fetch so the factory can rotate handlers in a long-lived process.
        return new MarketDataDal(settings, () => provider.GetServices<IVendorClient>().ToList(), OpenCache, OpenSample, options,
            loggerFactory?.CreateLogger<MarketDataDal>(), owned);
    }
}
