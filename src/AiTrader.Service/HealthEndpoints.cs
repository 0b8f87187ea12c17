using AiTrader.Application;
using AiTrader.Core.IO;
using AiTrader.MarketData.Streaming;
using AiTrader.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AiTrader.Service;

/// <summary>Readiness (<c>/health/ready</c>: the database, the cache folder, which vendor keys are set, the stream) and the details
/// behind the dashboard's health page (<c>/health/details</c>: each vendor's requests and last error, the stream's lag,
/// the latest warnings and errors).</summary>
public static class HealthEndpoints
{
    /// <summary>The vendor keys readiness reports as present or not (never their values).</summary>
    private static readonly (string Vendor, string[] Variables)[] VendorKeys =
    [
        ("alpaca", ["APCA_API_KEY_ID", "APCA_API_SECRET_KEY"]),
        ("alphavantage", ["ALPHAVANTAGE_API_KEY"]),
        ("twelvedata", ["TWELVEDATA_API_KEY"]),
        ("finnhub", ["FINNHUB_API_KEY"]),
    ];

    public static void Map(WebApplication app, Func<string, string?> env)
    {
        app.MapGet("/health/ready", (AppSettings s, ServiceActivity activity, TimeProvider time, CancellationToken ct) =>
                ReadyAsync(s, env, StreamCheck(activity.Streams.Open, activity.Streams.LastFailure, activity.Stream, time.GetUtcNow().UtcDateTime), ct))
            .RequireAuthorization(ApiKeyAuthenticationHandler.ReadPolicy)
            .WithSummary("Readiness, check by check (status, required, a one-line reason): the database (reachable, migrated), the cache folder " +
                "(exists, writable), which vendor keys are set (names only), the market-data socket (connected, reconnecting with the attempt, failed); 503 when a required one fails.");
        app.MapGet("/health/details", (ServiceActivity activity, TimeProvider time) => Details(activity, time, env))
            .RequireAuthorization(ApiKeyAuthenticationHandler.ReadPolicy)
            .WithSummary("Since the service started: each vendor's keys (set or not), requests and last typed error; the market-data stream's lag; " +
                "the market-data sockets' states; the latest warnings and errors it logged (newest first, at most 50).");
    }

    private static object Socket(StreamSocket s) => new
    {
        state = s.State.ToString().ToLowerInvariant(),
        since = s.SinceUtc,
        attempt = s.Attempt == 0 ? (int?)null : s.Attempt,
        max_attempts = s.MaxAttempts == 0 ? (int?)null : s.MaxAttempts,
        reason = s.Reason,
    };

    private static Dictionary<string, bool> KeysSet(Func<string, string?> env) =>
        VendorKeys.ToDictionary(v => v.Vendor, v => v.Variables.All(name => !string.IsNullOrWhiteSpace(env(name))));

    private static IResult Details(ServiceActivity activity, TimeProvider time, Func<string, string?> env)
    {
        var keys = KeysSet(env);
        var seen = activity.Vendors;
        var now = time.GetUtcNow().UtcDateTime;
        var stream = activity.Stream;
        return Results.Json(new
        {
            started_at = activity.StartedUtc,
            uptime_seconds = Math.Round((now - activity.StartedUtc).TotalSeconds, 1),
            vendors = keys.Keys.Concat(seen.Keys).Distinct(StringComparer.Ordinal).Select(vendor =>
            {
                var v = seen.GetValueOrDefault(vendor);
                return new
                {
                    vendor,
                    keys_set = keys.TryGetValue(vendor, out var set) ? set : (bool?)null,
                    requests = v?.Requests ?? 0,
                    last_request_at = v?.LastRequestUtc,
                    last_status = v?.LastStatus,
                    errors = v?.Errors ?? 0,
                    last_error = v?.LastErrorKind is { } kind ? new { kind, at = v.LastErrorUtc } : null,
                };
            }),
            stream = new
            {
                bars = stream.Bars,
                last_bar_at = stream.LastBarUtc,
                last_lag_seconds = stream.LastLagSeconds,
                mean_lag_seconds = stream.MeanLagSeconds,
                max_lag_seconds = stream.Bars == 0 ? (double?)null : stream.MaxLagSeconds,
                sockets = activity.Streams.Open.Select(Socket),
                last_failure = activity.Streams.LastFailure is { } failed ? Socket(failed) : null,
            },
            recent_errors = activity.Recent.Select(p => new
            {
                at = p.AtUtc,
                level = p.Level == LogLevel.Warning ? "warning" : p.Level == LogLevel.Critical ? "critical" : "error",
                category = p.Category,
                message = p.Message,
            }),
        });
    }

    /// <summary>A connected socket whose last live bar is older than this is noted as quiet (outside the session, or a
    /// feed that went quiet); the check stays ok, since the socket is up.</summary>
    public static readonly TimeSpan StreamFreshFor = TimeSpan.FromMinutes(5);

    /// <summary>Readiness' <c>stream</c>, from the market-data sockets of the service's live sessions: <c>off</c> when
    /// none is open; <c>ok</c> when every open one is connected (with when the last live bar came); <c>warn</c> while one
    /// connects or waits to reconnect (the attempt, of how many, and why); <c>fail</c> when the last one gave up and none
    /// is open. It is never required: the API works without a stream.</summary>
    public static ReadinessCheck StreamCheck(IReadOnlyList<StreamSocket> open, StreamSocket? lastFailure, StreamActivity bars, DateTime nowUtc)
    {
        if (open.Count == 0)
        {
            return lastFailure is not { } failed
                ? new ReadinessCheck(ReadinessCheck.Off, false, "not started: no market-data socket is open (a paper or live session on the stream opens one)")
                : new ReadinessCheck(ReadinessCheck.Fail, false, $"failed at {Utc(failed.SinceUtc)}: " +
                    (failed.Attempt > 0 ? $"gave up after {failed.Attempt} reconnect attempt(s); last error: " : "") +
                    $"{failed.Reason}; the session's job says how it ended, start it again once the stream is back");
        }

        var sockets = open.Count == 1 ? "" : $" ({open.Count} sockets)";
        if (open.Where(s => s.State == StreamSocketState.Reconnecting).MaxBy(s => s.Attempt) is { } worst)
        {
            return new ReadinessCheck(ReadinessCheck.Warn, false,
                $"reconnecting{sockets}: attempt {worst.Attempt} of {worst.MaxAttempts} since {Utc(worst.SinceUtc)}, after: {worst.Reason}");
        }

        if (open.FirstOrDefault(s => s.State == StreamSocketState.Connecting) is { } connecting)
        {
            return new ReadinessCheck(ReadinessCheck.Warn, false, $"connecting{sockets}: since {Utc(connecting.SinceUtc)}");
        }

        var since = open.Max(s => s.SinceUtc);
        var lastBar = bars.LastBarUtc is not { } last || bars.Bars == 0
            ? "no live bar yet"
            : nowUtc - last <= StreamFreshFor
                ? $"last live bar at {Utc(last)}"
                : $"no live bar since {Utc(last)} (outside the session, or a quiet feed)";
        return new ReadinessCheck(ReadinessCheck.Ok, false, $"connected{sockets}: since {Utc(since)}; {lastBar}");
    }

    private static string Utc(DateTime at) => at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>How long readiness waits for the database before calling it unreachable.</summary>
    public static readonly TimeSpan DatabaseTimeout = TimeSpan.FromSeconds(5);

    private static async Task<IResult> ReadyAsync(AppSettings settings, Func<string, string?> env, ReadinessCheck stream, CancellationToken ct)
    {
        var checks = new Dictionary<string, ReadinessCheck>(StringComparer.Ordinal)
        {
            ["database"] = await DatabaseCheckAsync(settings, env, ct),
            ["cache"] = CacheFolderCheck(settings),
            ["vendor_keys"] = VendorKeysCheck(env),
            ["stream"] = stream,
        };
        var ready = checks.Values.All(c => !c.Required || c.Status != ReadinessCheck.Fail);
        return Results.Json(new ReadinessDto(ready ? "ready" : "not ready", checks),
            statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>Reachable and migrated: every store's schema at this build's version, read with plain reads (no schema step,
    /// no write lock: a probe never holds up a writer), within <see cref="DatabaseTimeout"/>. The service migrates as it
    /// starts; a schema behind this build fails the check with the fix.</summary>
    private static async Task<ReadinessCheck> DatabaseCheckAsync(AppSettings settings, Func<string, string?> env, CancellationToken ct)
    {
        var url = env(SnapshotCatalogFactory.DatabaseUrlVariable);
        var where = string.IsNullOrWhiteSpace(url) ? $"sqlite in {DisplayPath.Of(settings.DataDir)}" : "postgresql (DATABASE_URL)";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(DatabaseTimeout);
        try
        {
            var statuses = await PlatformDatabase.InspectAsync(url, settings.DataDir, timeout.Token);
            var behind = statuses.Where(s => !s.IsCurrent).ToList();
            return behind.Count == 0
                ? new ReadinessCheck(ReadinessCheck.Ok, true,
                    $"{where}: reachable, schema current ({string.Join(", ", statuses.Select(r => $"{r.Store} v{r.Version}"))})")
                : new ReadinessCheck(ReadinessCheck.Fail, true,
                    $"{where}: reachable, schema behind this build ({string.Join(", ", behind.Select(r => $"{r.Store} v{r.Version} of v{r.Known}"))}); " +
                    "run `aitrader db migrate` or restart the service, which migrates as it starts");
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var why = e is OperationCanceledException ? $"no answer within {DatabaseTimeout.TotalSeconds:0} s" : OneLine(e);
            var fix = e is SchemaNewerThanBuildException ? "" : "; check that the database runs and DATABASE_URL points at it";
            return new ReadinessCheck(ReadinessCheck.Fail, true, $"{where}: {why}{fix}");
        }
    }

    private static ReadinessCheck CacheFolderCheck(AppSettings settings)
    {
        if (settings.BarCache() is not { } cache)
        {
            return new ReadinessCheck(ReadinessCheck.Off, false, "the bar cache is off (AITRADER_BAR_CACHE=off)");
        }

        try
        {
            Directory.CreateDirectory(cache.Directory);
            var probe = Path.Combine(cache.Directory, $".ready-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return new ReadinessCheck(ReadinessCheck.Ok, true, $"{DisplayPath.Of(cache.Directory)}: exists and is writable");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ReadinessCheck(ReadinessCheck.Fail, true,
                $"{DisplayPath.Of(cache.Directory)} is not writable ({OneLine(e)}); give the service's user write access, or set AITRADER_BAR_CACHE to a folder it can write");
        }
    }

    /// <summary>Which vendors have their keys set, by name (never a value); the bundled data serves without any.</summary>
    private static ReadinessCheck VendorKeysCheck(Func<string, string?> env)
    {
        var missing = VendorKeys.Select(v => (v.Vendor, Unset: v.Variables.Where(name => string.IsNullOrWhiteSpace(env(name))).ToList()))
            .Where(v => v.Unset.Count > 0).ToList();
        var set = VendorKeys.Select(v => v.Vendor).Except(missing.Select(m => m.Vendor)).ToList();
        var reason = $"set: {(set.Count > 0 ? string.Join(", ", set) : "none")}" +
            (missing.Count > 0 ? $"; not set: {string.Join(", ", missing.Select(m => $"{m.Vendor} ({string.Join(", ", m.Unset)})"))}" : "");
        return new ReadinessCheck(missing.Count == 0 ? ReadinessCheck.Ok : ReadinessCheck.Warn, false, reason);
    }

    private static string OneLine(Exception e) => e.Message.ReplaceLineEndings(" ").Trim();
}

/// <summary>One readiness check: <c>ok</c>, <c>fail</c>, <c>warn</c> or <c>off</c>; a <c>fail</c> of a required check makes
/// the service unready (503); the reason is one line.</summary>
public sealed record ReadinessCheck(string Status, bool Required, string Reason)
{
    public const string Ok = "ok";
    public const string Fail = "fail";
    public const string Warn = "warn";
    public const string Off = "off";
}

/// <summary><c>GET /health/ready</c>: ready or not, and each check by name.</summary>
public sealed record ReadinessDto(string Status, IReadOnlyDictionary<string, ReadinessCheck> Checks);
