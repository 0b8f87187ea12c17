using AiTrader.Application;
using AiTrader.Storage.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AiTrader.Service;

/// <summary>Readiness (<c>/health/ready</c>: the database, the cache folder, which vendor keys are set) and the details
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
        app.MapGet("/health/ready", (AppSettings s, IApiKeyStore keys, ServiceActivity activity, TimeProvider time, CancellationToken ct) =>
                ReadyAsync(s, keys, env, StreamState(activity.Stream, time.GetUtcNow().UtcDateTime), ct))
            .RequireAuthorization(ApiKeyAuthenticationHandler.ReadPolicy)
            .WithSummary("Readiness: the database, the cache folder, which vendor keys are set, the market-data stream.");
        app.MapGet("/health/details", (ServiceActivity activity, TimeProvider time) => Details(activity, time, env))
            .RequireAuthorization(ApiKeyAuthenticationHandler.ReadPolicy)
            .WithSummary("Since the service started: each vendor's keys (set or not), requests and last typed error; the market-data stream's lag; " +
                "the latest warnings and errors it logged (newest first, at most 50).");
    }

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

    /// <summary>A live bar within this long counts as a stream that is receiving.</summary>
    public static readonly TimeSpan StreamFreshFor = TimeSpan.FromMinutes(5);

    /// <summary>Readiness' <c>stream</c>: <c>not started</c> before the first live bar, <c>receiving</c> while bars keep
    /// coming, <c>idle since …</c> after that (outside the session, or a feed that went quiet). It never makes the service
    /// unready: the API works without a stream.</summary>
    public static string StreamState(StreamActivity stream, DateTime nowUtc) => stream.LastBarUtc is not { } last || stream.Bars == 0
        ? "not started"
        : nowUtc - last <= StreamFreshFor
            ? "receiving"
            : $"idle since {last:yyyy-MM-dd'T'HH:mm:ss'Z'}";

    private static async Task<IResult> ReadyAsync(AppSettings settings, IApiKeyStore keys, Func<string, string?> env, string stream, CancellationToken ct)
    {
        string database;
        try
        {
            await keys.ListAsync(ct);
            database = "ok";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            database = $"error: {e.Message.ReplaceLineEndings(" ")}";
        }

        var cache = CacheFolderCheck(settings);
        var ready = database == "ok" && (cache == "ok" || cache == "off");
        var body = new ReadinessDto(ready ? "ready" : "not ready", database, cache, KeysSet(env), stream);
        return Results.Json(body, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    private static string CacheFolderCheck(AppSettings settings)
    {
        if (settings.BarCache() is not { } cache)
        {
            return "off";
        }

        try
        {
            Directory.CreateDirectory(cache.Directory);
            var probe = Path.Combine(cache.Directory, $".ready-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return "ok";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"error: {cache.Directory} is not writable ({e.Message.ReplaceLineEndings(" ")})";
        }
    }
}

/// <summary><c>GET /health/ready</c>: each dependency's state.</summary>
public sealed record ReadinessDto(string Status, string Database, string Cache, IReadOnlyDictionary<string, bool> VendorKeys, string Stream);
