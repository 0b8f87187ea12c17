namespace AiTrader.Storage.Jobs;

/// <summary>Jobs (backtests, sweeps) as the service runs them: submitted, started, reported, finished, kept across
/// restarts. Every change of state is one conditional statement, so two processes cannot both finish a job.</summary>
public interface IJobStore : IAsyncDisposable
{
    /// <summary>Stores a new queued job.</summary>
    Task<JobRecord> CreateAsync(string kind, string requestJson, CancellationToken ct = default);

    /// <summary>The job, or null when there is none with that id.</summary>
    Task<JobRecord?> GetAsync(string id, CancellationToken ct = default);

    /// <summary>Jobs newest first, filtered and paged by <paramref name="query"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Limit outside 1..200.</exception>
    Task<IReadOnlyList<JobRecord>> ListAsync(JobQuery query, CancellationToken ct = default);

    /// <summary>Queued -> running; false when the job is not queued (taken, cancelled, unknown).</summary>
    Task<bool> StartAsync(string id, CancellationToken ct = default);

    /// <summary>A running job's progress (clamped to 0..1; never goes down) and phase; ignored for a job not running.</summary>
    Task ReportAsync(string id, double progress, string? phase, CancellationToken ct = default);

    /// <summary>Running -> succeeded with its files and result; false when the job is not running.</summary>
    Task<bool> CompleteAsync(string id, string outputDirectory, string resultJson, CancellationToken ct = default);

    /// <summary>Queued or running -> failed with <paramref name="error"/>; false when finished or unknown.</summary>
    Task<bool> FailAsync(string id, string error, CancellationToken ct = default);

    /// <summary>Queued or running -> cancelled with <paramref name="reason"/> as its error; false when finished or unknown.</summary>
    Task<bool> CancelAsync(string id, string reason, CancellationToken ct = default);

    /// <summary>At service start: every queued or running job (left by a process that stopped) becomes failed with
    /// <see cref="SqlJobStore.InterruptedError"/>. Returns how many.</summary>
    Task<int> RecoverAsync(CancellationToken ct = default);
}
