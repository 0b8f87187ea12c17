using AiTrader.Core.Brokers;
using AiTrader.MarketData;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace AiTrader.Brokers.Alpaca;

/// <summary>Registers <see cref="AlpacaTradingClient"/> as a typed HttpClient and as the <see cref="IBroker"/>.</summary>
public static class TradingServiceCollectionExtensions
{
    public static IServiceCollection AddAlpacaTrading(this IServiceCollection services, AlpacaTradingOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        // Fail at startup, not at the first order, when a live URL is configured without the live flag.
        options.EnsureEnvironmentAllowed();
        services.AddSingleton(options);
        // One throttle for the process: Alpaca's 200/min budget is per account, not per client instance.
        services.TryAddSingleton<VendorThrottleRegistry>();
        services.AddHttpClient(nameof(AlpacaTradingClient), http => http.Timeout = Timeout.InfiniteTimeSpan)
            .AddTypedClient<AlpacaTradingClient>((http, sp) => new AlpacaTradingClient(http, options,
                sp.GetService<ILogger<AlpacaTradingClient>>(), sp.GetRequiredService<VendorThrottleRegistry>().For(options.BrokerName, options.RateLimit)));
        services.AddTransient<IBroker>(sp => sp.GetRequiredService<AlpacaTradingClient>());
        return services;
    }
}
