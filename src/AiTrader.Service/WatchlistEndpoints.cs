using System.Globalization;
using System.Text.Json;
using AiTrader.Application;
using AiTrader.Application.Watchlists;
using AiTrader.Core.Scanning;
using AiTrader.Core.Watchlists;
using AiTrader.Storage.Watchlists;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AiTrader.Service;

/// <summary>Watchlists and premarket scan refreshes as the store (<c>WATCHLIST_STORE</c>: JSON files, Azure Blob or
/// PostgreSQL) holds them: the buckets, a bucket's latest (or as-of) list with each symbol's source, and a date's
/// refreshes window by window with each row's inputs.</summary>
internal static class WatchlistEndpoints
{
    /// <summary>The most scan dates one request lists (a year of calendar days).</summary>
    public const int MaxDates = 366;

    /// <summary>The scan dates listed when the request does not say.</summary>
    public const int DefaultDates = 30;

    public static void Map(RouteGroupBuilder api, AppSettings settings, Func<string, string?> env)
    {
        IWatchlistStore Open() => RequestChecks.Checked(() => WatchlistStoreFactory.Create(null, env, settings.DataDir), WatchlistStoreFactory.Variable,
            reason => $"the watchlist store is not configured: {reason}");

        api.MapGet("/watchlists", async (CancellationToken ct) =>
            {
                await using var store = Open();
                return Results.Text(await WatchlistDocuments.BucketsAsync(store, ct), "application/json");
            })
            .WithSummary("The watchlist buckets, how many lists each holds and when the latest was saved.");
        api.MapGet("/watchlists/{bucket}", async (string bucket, string? at, CancellationToken ct) =>
            {
                var name = RequestChecks.Checked(() => WatchlistBucket.Validate(bucket), "bucket", reason => $"bucket: {reason}");
                var asOf = UtcTime(at, "at", "a UTC time, e.g. 2013-10-08T13:25:00Z");

                await using var store = Open();
                return await store.LoadAsync(name, asOf, ct) is { } list
                    ? Results.Text(WatchlistDocuments.List(list), "application/json")
                    : Problems.Result(StatusCodes.Status404NotFound, "no watchlist",
                        $"bucket '{name}' holds no watchlist{(asOf is null ? "" : " saved by then")}; see /api/watchlists.", "bucket");
            })
            .WithSummary("A bucket's latest watchlist (or the latest saved at or before 'at'), each symbol with its source.");
        api.MapPost("/watchlists/{bucket}/build", async (HttpRequest request, string bucket, TimeProvider time, CancellationToken ct) =>
            {
                var build = WatchlistBuildSpec.FromJson(await RequestText.ReadAsync(request, ct)).ToRequest(bucket);
                await using var store = Open();
                var list = await WatchlistBuild.RunAsync(build, settings, env, store, time.GetUtcNow().UtcDateTime, ct);
                return Results.Text(WatchlistDocuments.List(list), "application/json", statusCode: StatusCodes.Status201Created);
            })
            .RequireAuthorization(ApiKeyAuthenticationHandler.TraderPolicy)
            .WithSummary("Build a watchlist from a source (auto, manual, alpha, finnhub, twelvedata, textlist, scan, sample) into the bucket and save it; " +
                "body {\"source\", \"date\" (scan: replay that day), \"top\"}; 201 with the list as saved.");
        api.MapGet("/scans/schedule", (LiveScanStatus status) => Results.Json(new
        {
            enabled = status.Enabled,
            schedule = status.Schedule,
            off = status.Off,
            day = status.Day,
            refreshes_today = status.RefreshesToday,
            last_window = status.LastWindowUtc,
            last_ranked = status.LastRanked,
            last_error = status.LastError,
        }))
            .WithSummary("The live premarket scan inside the service (serve --scan-schedule): its windows, why it is off, the day's refreshes so far, the last error.");
        api.MapGet("/scans/refreshes", async (int? limit, CancellationToken ct) =>
            {
                var size = limit ?? DefaultDates;
                if (size is < 1 or > MaxDates)
                {
                    throw new RequestException($"limit must be 1 to {MaxDates} (got {size}).", "limit");
                }

                await using var store = Open();
                var dates = await store.ListRefreshDatesAsync(ct);
                return Results.Json(new
                {
                    store = store.Location,
                    dates = dates.Reverse().Take(size).Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
                    more = dates.Count > size,
                });
            })
            .WithSummary("The New York dates that hold stored premarket scan refreshes, newest first (limit, at most 366).");
        api.MapGet("/scans/refreshes/{date}", async (string date, string? rows, string? window, CancellationToken ct) =>
            {
                var day = DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                    ? d
                    : throw new RequestException($"date '{date}' is not a date; use YYYY-MM-DD (a New York session date).", "date");
                var rankedOnly = rows?.Trim().ToLowerInvariant() switch
                {
                    null or "" or "all" => false,
                    "ranked" => true,
                    _ => throw new RequestException($"rows '{rows}' is not a row filter; use all (the default) or ranked.", "rows"),
                };
                var at = UtcTime(window, "window", "a UTC time; use a refresh's window, e.g. 2013-10-08T13:25:00Z");

                await using var store = Open();
                IEnumerable<ScanRefresh> refreshes = await store.LoadRefreshesAsync(day, ct);
                if (at is { } instant)
                {
                    refreshes = refreshes.Where(r => r.Window == instant).ToList();
                    if (!refreshes.Any())
                    {
                        return Problems.Result(StatusCodes.Status404NotFound, "no such refresh",
                            $"no refresh of {day:yyyy-MM-dd} is stored at {instant:yyyy-MM-ddTHH:mm:ss}Z; list the day's windows at /api/scans/refreshes/{day:yyyy-MM-dd}?rows=ranked.", "window");
                    }
                }

                return Results.Text(JsonText.Write(json =>
                {
                    json.WriteStartObject();
                    json.WriteString("date", day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    json.WriteStartArray("refreshes");
                    foreach (var refresh in refreshes)
                    {
                        var shown = rankedOnly ? refresh with { Rows = [.. refresh.Ranked] } : refresh;
                        json.WriteRawValue(JsonSerializer.Serialize(shown, WatchlistJson.Options));
                    }

                    json.WriteEndArray();
                    json.WriteEndObject();
                }), "application/json");
            })
            .WithSummary("The premarket scan refreshes stored for a New York date, window by window, each row with its inputs; " +
                "rows=ranked keeps only the ranked rows (the day's history), window=<UTC time> only that refresh.");
    }

    /// <summary>A query value read as a UTC instant (a time without an offset is taken as UTC); null when not given.</summary>
    private static DateTime? UtcTime(string? value, string field, string what) =>
        string.IsNullOrWhiteSpace(value)
            ? null
            : DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
                ? t
                : throw new RequestException($"{field} '{value}' is not {what}.", field);
}
