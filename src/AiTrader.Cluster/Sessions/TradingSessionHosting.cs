using AiTrader.Application;
using Microsoft.Extensions.DependencyInjection;

namespace AiTrader.Cluster.Sessions;

/// <summary>What the trading-session grains need on a silo.</summary>
public static class TradingSessionHosting
{
    /// <summary>Adds the session grains' shared state: <paramref name="settings"/>' data folder and bundled bars, and the
    /// journal at <paramref name="databaseUrl"/> (SQLite in the data folder when null).</summary>
    public static ISiloBuilder AddTradingSessions(this ISiloBuilder silo, AppSettings settings, string? databaseUrl)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddSingleton(new TradingSessionWork(settings, databaseUrl));
        return silo;
    }
}
