using System.Globalization;
using System.Text.Json;
using AiTrader.Application;
using AiTrader.Application.Watchlists;
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
    public static void Map(RouteGroupBuilder api, AppSettings settings, Func<string, string?> env)
    {
        IWatchlistStore Open()
        {
            try
            {
                return WatchlistStoreFactory.Create(null, env, settings.DataDir);
            }
            catch (ArgumentException ex)
            {
                throw new RequestException($"the watchlist store is not configured: {ex.Message}", WatchlistStoreFactory.Variable);
            }
        }

        api.MapGet("/watchlists", async (CancellationToken ct) =>
            {
                await using var store = Open();
                var buckets = new List<object>();
                foreach (var bucket in await store.ListBucketsAsync(ct))
                {
                    var saved = await store.ListAsync(bucket, ct);
                    buckets.Add(new { bucket, saved = saved.Count, latest = saved.Count > 0 ? saved[^1] : (DateTime?)null });
                }

                return Results.Json(new { store = store.Location, buckets });
            })
            .WithSummary("The watchlist buckets, how many lists each holds and when the latest was saved.");
        api.MapGet("/watchlists/{bucket}", async (string bucket, string? at, CancellationToken ct) =>
            {
                string name;
                try
                {
                    name = WatchlistBucket.Validate(bucket);
                }
                catch (ArgumentException ex)
                {
                    throw new RequestException($"bucket: {ex.Message}", "bucket");
                }

                DateTime? asOf = null;
                if (!string.IsNullOrWhiteSpace(at))
                {
                    asOf = DateTime.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t)
                        ? t
                        : throw new RequestException($"at '{at}' is not a UTC time, e.g. 2013-10-08T13:25:00Z.", "at");
                }

                await using var store = Open();
                return await store.LoadAsync(name, asOf, ct) is { } list
                    ? Results.Text(JsonSerializer.Serialize(list, WatchlistJson.Options), "application/json")
                    : Problems.Result(StatusCodes.Status404NotFound, "no watchlist",
                        $"bucket '{name}' holds no watchlist{(asOf is null ? "" : " saved by then")}; see /api/watchlists.", "bucket");
            })
            .WithSummary("A bucket's latest watchlist (or the latest saved at or before 'at'), each symbol with its source.");
        api.MapPost("/watchlists/{bucket}/build", async (HttpRequest request, string bucket, TimeProvider time, CancellationToken ct) =>
            {
                var build = WatchlistBuildSpec.FromJson(await RequestText.ReadAsync(request, ct)).ToRequest(bucket);
                await using var store = Open();
                var list = await WatchlistBuild.RunAsync(build, settings, env, store, time.GetUtcNow().UtcDateTime, ct);
                return Results.Text(JsonSerializer.Serialize(list, WatchlistJson.Options), "application/json", statusCode: StatusCodes.Status201Created);
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
        api.MapGet("/scans/refreshes/{date}", async (string date, CancellationToken ct) =>
            {
                var day = DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                    ? d
                    : throw new RequestException($"date '{date}' is not a date; use YYYY-MM-DD (a New York session date).", "date");
                await using var store = Open();
                var refreshes = await store.LoadRefreshesAsync(day, ct);
                return Results.Text(JsonText.Write(json =>
                {
                    json.WriteStartObject();
                    json.WriteString("date", day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    json.WriteStartArray("refreshes");
                    foreach (var refresh in refreshes)
                    {
                        json.WriteRawValue(JsonSerializer.Serialize(refresh, WatchlistJson.Options));
                    }

                    json.WriteEndArray();
                    json.WriteEndObject();
                }), "application/json");
            })
            .WithSummary("The premarket scan refreshes stored for a New York date, window by window, each row with its inputs.");
    }
}
