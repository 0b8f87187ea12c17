using AiTrader.MarketData.Vendors;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiTrader.MarketData;

/// <summary>Registers the vendor clients as typed HttpClients, their shared throttles and the fallback fetcher.</summary>
public static class VendorServiceCollectionExtensions
{
    public static IServiceCollection AddAiTraderVendors(this IServiceCollection services, VendorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(settings);
        services.AddSingleton(settings);
        services.AddSingleton<VendorThrottleRegistry>();

        // Per-attempt timeouts are enforced by the clients, so HttpClient's own 100 s default must not cut in first.
        static void NoTimeout(HttpClient http) => http.Timeout = Timeout.InfiniteTimeSpan;

        services.AddHttpClient(typeof(AlpacaClient).Name, NoTimeout).AddTypedClient<AlpacaClient>((http, sp) => new AlpacaClient(http, settings.AlpacaOptions,
            Throttle(sp, VendorSettings.Alpaca, settings.AlpacaOptions), sp.GetService<ILogger<AlpacaClient>>()));
        services.AddHttpClient(typeof(AlphaVantageClient).Name, NoTimeout).AddTypedClient<AlphaVantageClient>((http, sp) => new AlphaVantageClient(http, settings.AlphaVantageOptions,
            Throttle(sp, VendorSettings.AlphaVantage, settings.AlphaVantageOptions), sp.GetService<ILogger<AlphaVantageClient>>()));
        services.AddHttpClient(typeof(YahooClient).Name, NoTimeout).AddTypedClient<YahooClient>((http, sp) => new YahooClient(http, settings.YahooOptions,
            Throttle(sp, VendorSettings.Yahoo, settings.YahooOptions), sp.GetService<ILogger<YahooClient>>()));
        services.AddHttpClient(typeof(TwelveDataClient).Name, NoTimeout).AddTypedClient<TwelveDataClient>((http, sp) => new TwelveDataClient(http, settings.TwelveDataOptions,
            Throttle(sp, VendorSettings.TwelveData, settings.TwelveDataOptions), sp.GetService<ILogger<TwelveDataClient>>()));
        services.AddHttpClient(typeof(FinnhubClient).Name, NoTimeout).AddTypedClient<FinnhubClient>((http, sp) => new FinnhubClient(http, settings.FinnhubOptions,
            Throttle(sp, VendorSettings.Finnhub, settings.FinnhubOptions), sp.GetService<ILogger<FinnhubClient>>()));

        services.AddTransient<IVendorClient>(sp => sp.GetRequiredService<AlpacaClient>());
        services.AddTransient<IVendorClient>(sp => sp.GetRequiredService<AlphaVantageClient>());
        services.AddTransient<IVendorClient>(sp => sp.GetRequiredService<YahooClient>());
        services.AddTransient<IVendorClient>(sp => sp.GetRequiredService<TwelveDataClient>());
        services.AddTransient<IVendorClient>(sp => sp.GetRequiredService<FinnhubClient>());
        services.AddTransient(sp => FallbackBarFetcher.FromOrder(
            sp.GetServices<IVendorClient>(), settings.FallbackOrder, sp.GetService<ILogger<FallbackBarFetcher>>()));
        return services;
    }

    private static VendorThrottle Throttle(IServiceProvider sp, string vendor, VendorOptions options) =>
        sp.GetRequiredService<VendorThrottleRegistry>().For(vendor, options.RateLimit);
}
