using AiTrader.Application;
using AiTrader.Application.Sessions;
using AiTrader.Storage;

namespace AiTrader.Cluster.Sessions;

/// <summary>A silo's side of trading runs: the platform's state they read and write (the data folder's run registry and
/// snapshots, the bundled bars, and the journal: PostgreSQL at <paramref name="databaseUrl"/>, else SQLite in the data
/// folder), shared by every silo that may drive a run.</summary>
public sealed class TradingSessionWork(AppSettings settings, string? databaseUrl)
{
    public AppSettings Settings { get; } = settings ?? throw new ArgumentNullException(nameof(settings));

    /// <summary>The sessions use case over the shared state, as <c>aitrader trade</c> runs it.</summary>
    public TradingSessions Sessions() => new(Settings, () => JournalFactory.Create(databaseUrl, Settings.DataDir));
}
