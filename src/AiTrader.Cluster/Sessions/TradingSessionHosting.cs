using AiTrader.Application;
using Microsoft.Extensions.DependencyInjection;

namespace AiTrader.Cluster.Sessions;

/// <summary>What the trading-session grains need on a silo.</summary>
public static class TradingSessionHosting
{
    /// <summary>Adds the session grains' shared state: <paramref name="settings"/>' data folder and bundled bars, and the
    /// journal at <paramref name="databaseUrl"/> (SQLite in the data folder when null), with the keep-alive reminder's
    /// period (<see cref="TradingSessionWork.KeepAlive"/>). The reminders need a reminder service: Azure Table storage's
    /// beside that membership, in-memory in a localhost cluster (<see cref="ClusterHosting.BuildLocalSilo"/> picks it).</summary>
    public static ISiloBuilder AddTradingSessions(this ISiloBuilder silo, AppSettings settings, string? databaseUrl, TimeSpan? keepAlive = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var work = new TradingSessionWork(settings, databaseUrl, keepAlive);
        silo.Services.AddSingleton(work);
        silo.Services.Configure<ReminderOptions>(o =>
            o.MinimumReminderPeriod = work.KeepAlive < o.MinimumReminderPeriod ? work.KeepAlive : o.MinimumReminderPeriod);
        return silo;
    }
}
