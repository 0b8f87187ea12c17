using System.Globalization;
using AiTrader.Application.Jobs;
using AiTrader.Application.Journal;
using AiTrader.Application.MarketData;
using AiTrader.Service.Dashboard;
using AiTrader.Storage.Jobs;

namespace AiTrader.Service;

/// <summary>The service's limits and fixed windows in one list, each read from the constant or option the code uses, so
/// the generated configuration reference (<c>aitrader docs generate</c>) prints what the service does.</summary>
public static class ServiceLimits
{
    /// <summary>One limit: what it bounds, its value, how to change it (a <c>serve</c> flag) or that it is fixed.</summary>
    public sealed record Limit(string Name, string Value, string Set, string What);

    public static IReadOnlyList<Limit> All { get; } = Build();

    private static List<Limit> Build()
    {
        var defaults = new ServiceOptions();
        const string Fixed = "fixed";
        return
        [
            new("request body", $"{Count(defaults.MaxRequestBodyBytes)} bytes", Fixed, "the largest request body accepted; 413 beyond it"),
            new("rate limit", $"{Count(defaults.RequestsPerWindow)} requests per {Span(defaults.RateWindow)}", "`--rate-limit`",
                "per API key (per client address before a key is known), held between all the services on one database; 429 with Retry-After beyond it"),
            new("jobs at once", Count(defaults.MaxConcurrentJobs), "`--max-concurrent-jobs`", "backtests, sweeps, replayed sessions and scan replays running together"),
            new("jobs waiting", Count(JobRunner.QueueCapacity), Fixed, "submitted jobs waiting for a worker; 503 `job queue full` beyond it"),
            new("live paper sessions", Count(JobRunner.MaxLiveSessions), Fixed, "sessions on the live stream at once (they take no job slot)"),
            new("job list page", Paging(JobQuery.DefaultLimit, JobQuery.MaxLimit), Fixed, "`limit` of `GET /api/{backtests,sweeps,sessions,scans}`"),
            new("journal page", Paging(JournalPageRequest.DefaultLimit, JournalPageRequest.MaxLimit), Fixed, "`limit` of `GET /api/journal`"),
            new("bars page", Paging(BarPageRequest.DefaultLimit, BarPageRequest.MaxLimit), Fixed, "`limit` of `GET /api/bars` and `GET /api/signals`"),
            new("chart points", Paging(ChartRequest.DefaultPoints, ChartRequest.MaxPoints), Fixed, "`points` of `GET /api/chart`: candles a window is merged into"),
            new("scan dates", Paging(WatchlistEndpoints.DefaultDates, WatchlistEndpoints.MaxDates), Fixed, "`limit` of `GET /api/scans/refreshes`"),
            new("webhook timestamp window", $"± {Span(WebhookEndpoints.Tolerance)}", Fixed,
                "how far `X-Timestamp` may be from the service's clock, either way"),
            new("webhook secret", $"at least {Count(WebhookEndpoints.MinimumSecretLength)} characters", Fixed, "`AITRADER_WEBHOOK_SECRET`"),
            new("key store outage", Span(ApiKeyUse.RememberFor), Fixed, "keys accepted this recently still authenticate while the key store is unreachable"),
            new("key last use", $"every {Span(ApiKeyUse.RecordEvery)}", Fixed, "a key's `last_used_at` is written at most this often, by all the services on one database together"),
            new("dashboard sign-in", Span(DashboardAuthentication.SessionLifetime), Fixed, "a browser session lasts this long without use (sliding)"),
            new("stream freshness", Span(HealthEndpoints.StreamFreshFor), Fixed, "readiness notes a connected stream as quiet when no live bar arrived for this long"),
            new("readiness database probe", Span(HealthEndpoints.DatabaseTimeout), Fixed, "the database check gives up after this long"),
        ];
    }

    private static string Count(long n) => n.ToString("#,##0", CultureInfo.InvariantCulture);

    private static string Paging(int byDefault, int most) => $"{Count(byDefault)} (at most {Count(most)})";

    /// <summary>A whole number of hours, minutes or seconds.</summary>
    private static string Span(TimeSpan span) => span switch
    {
        { TotalHours: >= 1 } when span.TotalHours % 1 == 0 => $"{span.TotalHours.ToString(CultureInfo.InvariantCulture)} h",
        { TotalMinutes: >= 1 } when span.TotalMinutes % 1 == 0 => $"{span.TotalMinutes.ToString(CultureInfo.InvariantCulture)} min",
        _ => $"{span.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s",
    };
}
