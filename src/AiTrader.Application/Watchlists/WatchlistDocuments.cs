using System.Text.Json;
using AiTrader.Core.Watchlists;

namespace AiTrader.Application.Watchlists;

/// <summary>Watchlists as JSON, one shape for the service (<c>GET /api/watchlists</c>, <c>GET /api/watchlists/{bucket}</c>)
/// and the command line (<c>aitrader watchlist list|show --json</c>).</summary>
public static class WatchlistDocuments
{
    /// <summary>One list as the store keeps it: bucket, created time, source, entries (symbol, source, rank, score,
    /// note) and notes.</summary>
    public static string List(Watchlist list) => JsonSerializer.Serialize(list, WatchlistJson.Options);

    /// <summary>The store's buckets: <c>store</c> (where), <c>buckets</c> of <c>bucket</c>, <c>saved</c> (how many lists)
    /// and <c>latest</c> (when the newest was saved, UTC; null when none).</summary>
    public static async Task<string> BucketsAsync(IWatchlistStore store, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(store);
        var buckets = new List<(string Bucket, int Saved, DateTime? Latest)>();
        foreach (var bucket in await store.ListBucketsAsync(ct).ConfigureAwait(false))
        {
            var saved = await store.ListAsync(bucket, ct).ConfigureAwait(false);
            buckets.Add((bucket, saved.Count, saved.Count > 0 ? DateTime.SpecifyKind(saved[^1], DateTimeKind.Utc) : null));
        }

        return JsonText.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("store", store.Location);
            json.WriteObjects("buckets", buckets, (w, b) =>
            {
                w.WriteString("bucket", b.Bucket);
                w.WriteNumber("saved", b.Saved);
                w.WriteTimeOrNull("latest", b.Latest);
            });
            json.WriteEndObject();
        });
    }
}
