namespace AiTrader.Service;

/// <summary>How <c>aitrader serve</c> listens and what it allows.</summary>
public sealed record ServiceOptions
{
    /// <summary>Where to listen; loopback only unless told otherwise (<c>--urls</c>).</summary>
    public string Urls { get; init; } = "http://127.0.0.1:5080";

    /// <summary>Largest request body accepted (413 beyond it).</summary>
    public long MaxRequestBodyBytes { get; init; } = 1 << 20;

    /// <summary>Requests per key (or per client address, before a key is known) per window; 429 beyond it.</summary>
    public int RequestsPerWindow { get; init; } = 300;

    /// <summary>The rate limit's window.</summary>
    public TimeSpan RateWindow { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Browser origins allowed to call the API; none by default (CORS closed).</summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];

    /// <summary>Queued jobs run at once (backtests, sweeps, replayed sessions, scan replays); live paper sessions take no slot.</summary>
    public int MaxConcurrentJobs { get; init; } = 1;

    /// <summary>Serve the metrics at <c>/metrics</c> in Prometheus' text format (<c>--metrics</c>).</summary>
    public bool PrometheusMetrics { get; init; }

    /// <summary>The live premarket scan's windows (<c>--scan-schedule</c>); null runs no scan.</summary>
    public AiTrader.Core.Scanning.ScanSchedule? ScanSchedule { get; init; }

    /// <summary>Ranked symbols each live refresh publishes as the <c>scan</c> watchlist.</summary>
    public int ScanTop { get; init; } = 10;

    /// <summary>Where sweep jobs run their backtests: null on this service's job workers; <c>serve --cluster</c> sets the
    /// cluster's (<see cref="AiTrader.Application.Jobs.JobRunner.Sweeps"/>).</summary>
    public AiTrader.Application.Sweeps.SweepExecutor? ClusterSweeps { get; init; }
}
