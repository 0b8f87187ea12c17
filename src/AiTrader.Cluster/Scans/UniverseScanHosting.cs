using AiTrader.Application;
using Microsoft.Extensions.DependencyInjection;

namespace AiTrader.Cluster.Scans;

/// <summary>What the symbol grains of universe scans need on a silo.</summary>
public static class UniverseScanHosting
{
    /// <summary>Adds the symbol grains' bar reading (over <paramref name="settings"/>' bundled bars and bar cache).</summary>
    public static ISiloBuilder AddUniverseScans(this ISiloBuilder silo, AppSettings settings)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddSingleton(new UniverseScanWork(settings));
        return silo;
    }
}
