using AiTrader.Application;
using AiTrader.Application.Sessions;
using AiTrader.Core.IO;
using AiTrader.Storage;

namespace AiTrader.Cluster.Sessions;

/// <summary>A silo's side of trading runs: the platform's state they read and write (the data folder's run registry and
/// snapshots, the bundled bars, and the journal: PostgreSQL at <paramref name="databaseUrl"/>, else SQLite in the data
/// folder), shared by every silo that may drive a run, and how often a run's keep-alive reminder checks that it has a
/// driver (<paramref name="keepAlive"/>, <see cref="DefaultKeepAlive"/> when null).</summary>
public sealed class TradingSessionWork(AppSettings settings, string? databaseUrl, TimeSpan? keepAlive = null)
{
    /// <summary>The keep-alive reminder's period unless the silo names another (Orleans' shortest reminder period by default).</summary>
    public static readonly TimeSpan DefaultKeepAlive = TimeSpan.FromMinutes(1);

    public AppSettings Settings { get; } = settings ?? throw new ArgumentNullException(nameof(settings));

    /// <summary>The keep-alive reminder's period: a run whose silo died is taken up by another silo within about this long
    /// after the cluster votes the silo dead, with or without a client.</summary>
    public TimeSpan KeepAlive { get; } = keepAlive is { } k && k <= TimeSpan.Zero
        ? throw new ArgumentOutOfRangeException(nameof(keepAlive), k, "The keep-alive period must be positive.")
        : keepAlive ?? DefaultKeepAlive;

    /// <summary>The sessions use case over the shared state, as <c>aitrader trade</c> runs it.</summary>
    public TradingSessions Sessions() => new(Settings, () => JournalFactory.Create(databaseUrl, Settings.DataDir));

    /// <summary>Keeps the session spec of run <paramref name="runId"/> in the shared data folder
    /// (<c>cluster/sessions/&lt;run-id&gt;.json</c>), for the silo that resumes the run when no client asks.</summary>
    public void SaveSpec(string runId, string specJson)
    {
        var path = SpecPath(runId);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        AtomicFile.WriteAllText(path, specJson);
    }

    /// <summary>The spec <see cref="SaveSpec"/> kept for <paramref name="runId"/>, or null.</summary>
    public string? LoadSpec(string runId) => File.Exists(SpecPath(runId)) ? File.ReadAllText(SpecPath(runId)) : null;

    /// <summary>Drops run <paramref name="runId"/>'s spec: the run has ended, nothing is left to resume.</summary>
    public void ForgetSpec(string runId) => File.Delete(SpecPath(runId));

    private string SpecPath(string runId) => Path.Combine(Settings.DataDir, "cluster", "sessions", runId + ".json");
}
