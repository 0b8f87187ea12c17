using System.Text.Json.Serialization;
using AiTrader.Application.Scans;
using AiTrader.Core.Domain;
using AiTrader.Core.Scanning;
using AiTrader.Core.Watchlists;
using AiTrader.MarketData.Watchlists;

namespace AiTrader.Application.Watchlists;

/// <summary>A watchlist to build: from which source, into which bucket; for the scan source, a past date to replay (today's
/// live scan otherwise) and how many ranked symbols to take.</summary>
public sealed record WatchlistBuildRequest(string? Source, string Bucket, DateOnly? Date = null, int Top = 10);

/// <summary>The JSON body of <c>POST /api/watchlists/{bucket}/build</c>: <c>{"source", "date", "top"}</c>, all optional.</summary>
public sealed record WatchlistBuildSpec
{
    [JsonPropertyName("source")]
    public string? Source { get; init; }

    /// <summary>The scan source: replay this New York date's premarket scan (today's live scan without it).</summary>
    [JsonPropertyName("date")]
    public string? Date { get; init; }

    [JsonPropertyName("top")]
    public int Top { get; init; } = 10;

    public static WatchlistBuildSpec FromJson(string json) =>
        JsonSpec.Parse<WatchlistBuildSpec>(string.IsNullOrWhiteSpace(json) ? "{}" : json, "watchlist build",
            "{\"source\": \"manual\"} or {\"source\": \"scan\", \"date\": \"2013-10-08\", \"top\": 10}");

    public WatchlistBuildRequest ToRequest(string bucket) =>
        new(Source, bucket, Date is null ? null : RequestChecks.Date(Date, "date"), Top);
}

/// <summary>Builds a watchlist from a source (normalized, de-duplicated, capped at MAX_WATCHLIST, each symbol tagged with
/// where it came from) and saves it: <c>aitrader watchlist build</c> and <c>POST /api/watchlists/{bucket}/build</c>.</summary>
public static class WatchlistBuild
{
    /// <summary>Builds and saves; returns the list as stored. A bad field, an unknown source or a source that cannot answer
    /// throws <see cref="RequestException"/> naming the field.</summary>
    /// <param name="dateName">How the caller names the date in its messages (<c>--date</c> on the command line).</param>
    public static async Task<Watchlist> RunAsync(WatchlistBuildRequest request, AppSettings settings, Func<string, string?> env,
        IWatchlistStore store, DateTime nowUtc, CancellationToken ct, string dateName = "date")
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(store);
        var bucket = RequestChecks.Checked(() => WatchlistBucket.Validate(request.Bucket), "bucket");
        if (request.Top is < 1 or > 1000)
        {
            throw new RequestException($"top must be 1 to 1000 (got {request.Top}).", "top");
        }

        var builder = RequestChecks.Checked(() => WatchlistBuilder.FromEnvironment(env), "source");
        var sample = ScanSources.Sample(settings);
        var bundled = sample.AvailableSymbols(Timeframe.OneMinute).Select(s => s.Value).ToList();
        var top = request.Top;
        var scan = new ScanWatchlistSource(
            request.Date is { } day ? async token => await ScanSources.ReplayAsync(sample, day, top, token).ConfigureAwait(false) : ScanSources.LiveScan(env, new ScanOptions(Top: top)),
            top,
            $"a live scan needs APCA_API_KEY_ID and APCA_API_SECRET_KEY; or use {dateName} YYYY-MM-DD to replay a day's premarket scan on the bundled data");
        var sources = RequestChecks.Checked(() => WatchlistSources.FromEnvironment(env, bundled, scan), "source");
        var chosen = request.Source ?? (env(WatchlistSources.SourceVariable) is { Length: > 0 } configured ? configured : "auto");
        var picked = RequestChecks.Checked(() => sources.Get(chosen), "source");
        Watchlist list;
        try
        {
            var validator = picked.Name is "manual" or "textlist" or "auto" ? sources.Validator(env) : null;
            list = await builder.BuildAsync(picked, bucket, nowUtc, validator, ct).ConfigureAwait(false);
        }
        catch (WatchlistSourceException ex) when (ex.Failure is WatchlistSourceFailure.RateLimited or WatchlistSourceFailure.Malformed or WatchlistSourceFailure.Failed)
        {
            // The source was reachable in principle and the request valid: it is the vendor that failed it.
            throw new UpstreamException(ex.Message, "source");
        }
        catch (WatchlistSourceException ex)
        {
            throw new RequestException(ex.Message, "source");
        }

        return await store.SaveAsync(list, ct).ConfigureAwait(false);
    }
}
