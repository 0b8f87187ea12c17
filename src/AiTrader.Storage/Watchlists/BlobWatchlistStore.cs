using System.Globalization;
using System.Text;
using AiTrader.Core.Scanning;
using AiTrader.Core.Watchlists;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace AiTrader.Storage.Watchlists;

/// <summary>Watchlists and scan refreshes as JSON blobs in an Azure Blob container (AZURE_BLOB_CONNECTION_STRING,
/// AZURE_BLOB_CONTAINER): <c>watchlists/{bucket}/{timestamp}.json</c> and <c>scans/{yyyy-MM-dd}/{timestamp}.json</c>.</summary>
/// <remarks>A blob is uploaded with If-None-Match: *, so the service itself refuses to replace an existing name; on
/// that 409 the save moves its timestamp on by 1 µs and tries again. Listings are paged by the SDK and bounded by
/// <see cref="MaxListed"/>.</remarks>
public sealed class BlobWatchlistStore : IWatchlistStore
{
    /// <summary>The container used when AZURE_BLOB_CONTAINER is not set.</summary>
    public const string DefaultContainer = "aitrader";

    /// <summary>Most blob names read by one listing; a bucket with more is reported, not silently cut.</summary>
    public const int MaxListed = 100_000;

    private readonly BlobContainerClient _container;
    private readonly BlobContainerOnce _containerOnce;

    public BlobWatchlistStore(string connectionString, string? container = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var name = string.IsNullOrWhiteSpace(container) ? DefaultContainer : container.Trim();
        _container = BlobConnections.Container(connectionString, name);
        _containerOnce = new BlobContainerOnce(_container);

        Location = $"azure blob {_container.Uri.GetLeftPart(UriPartial.Path)}";
    }

    /// <summary>The account endpoint and container; never the key.</summary>
    public string Location { get; }

    public async Task<Watchlist> SaveAsync(Watchlist watchlist, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(watchlist);
        var saved = watchlist with { Bucket = WatchlistBucket.Validate(watchlist.Bucket), CreatedUtc = WatchlistJson.ToKey(watchlist.CreatedUtc) };
        var key = await WatchlistJson.TakeFreeKeyAsync(saved.CreatedUtc,
            k => TryUploadAsync($"watchlists/{saved.Bucket}/{WatchlistJson.Stamp(k)}.json", WatchlistJson.Serialize(saved with { CreatedUtc = k }), cancellationToken),
            $"could not find a free timestamp in bucket {saved.Bucket} after {WatchlistJson.MaxKeyAttempts} tries.").ConfigureAwait(false);
        return saved with { CreatedUtc = key };
    }

    public async Task<IReadOnlyList<string>> ListBucketsAsync(CancellationToken cancellationToken = default)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var buckets = new SortedSet<string>(StringComparer.Ordinal);
        var seen = 0;
        await foreach (var item in _container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", "watchlists/", cancellationToken).ConfigureAwait(false))
        {
            if (item.IsPrefix && item.Prefix.Split('/', StringSplitOptions.RemoveEmptyEntries) is [_, var bucket])
            {
                buckets.Add(bucket);
            }

            if (++seen >= MaxListed)
            {
                throw new InvalidOperationException($"more than {MaxListed} entries under watchlists/ in {Location}; prune old watchlists.");
            }
        }

        return buckets.ToList();
    }

    public async Task<IReadOnlyList<DateTime>> ListAsync(string bucket, CancellationToken cancellationToken = default) =>
        await StampsAsync($"watchlists/{WatchlistBucket.Validate(bucket)}/", cancellationToken).ConfigureAwait(false);

    public async Task<Watchlist?> LoadAsync(string bucket, DateTime? atOrBeforeUtc = null, CancellationToken cancellationToken = default)
    {
        var prefix = $"watchlists/{WatchlistBucket.Validate(bucket)}/";
        var stamps = await StampsAsync(prefix, cancellationToken).ConfigureAwait(false);
        var pick = stamps.LastOrDefault(s => atOrBeforeUtc is null || s <= atOrBeforeUtc.Value);
        if (pick == default)
        {
            return null;
        }

        var name = prefix + WatchlistJson.Stamp(pick) + ".json";
        return WatchlistJson.DeserializeWatchlist(await DownloadAsync(name, cancellationToken).ConfigureAwait(false), $"blob {name}");
    }

    public async Task<ScanRefresh> SaveRefreshAsync(ScanRefresh refresh, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(refresh);
        var saved = refresh with { Window = WatchlistJson.ToKey(refresh.Window) };
        var key = await WatchlistJson.TakeFreeKeyAsync(saved.Window,
            k => TryUploadAsync($"{ScanPrefix(refresh.SessionDate)}{WatchlistJson.Stamp(k)}.json", WatchlistJson.Serialize(saved with { Window = k }), cancellationToken),
            $"could not find a free timestamp for the {refresh.SessionDate:yyyy-MM-dd} refreshes after {WatchlistJson.MaxKeyAttempts} tries.").ConfigureAwait(false);
        return saved with { Window = key };
    }

    public async Task<IReadOnlyList<ScanRefresh>> LoadRefreshesAsync(DateOnly sessionDate, CancellationToken cancellationToken = default)
    {
        var prefix = ScanPrefix(sessionDate);
        var result = new List<ScanRefresh>();
        foreach (var stamp in await StampsAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            var name = prefix + WatchlistJson.Stamp(stamp) + ".json";
            result.Add(WatchlistJson.DeserializeRefresh(await DownloadAsync(name, cancellationToken).ConfigureAwait(false), $"blob {name}"));
        }

        return result;
    }

    public async Task<IReadOnlyList<DateOnly>> ListRefreshDatesAsync(CancellationToken cancellationToken = default)
    {
        await EnsureContainerAsync(cancellationToken).ConfigureAwait(false);
        var dates = new SortedSet<DateOnly>();
        var seen = 0;
        try
        {
            await foreach (var item in _container.GetBlobsByHierarchyAsync(BlobTraits.None, BlobStates.None, "/", "scans/", cancellationToken).ConfigureAwait(false))
            {
                if (item.IsPrefix && item.Prefix.Split('/', StringSplitOptions.RemoveEmptyEntries) is [_, var folder]
                    && DateOnly.TryParseExact(folder, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    dates.Add(date);
                }

                if (++seen >= MaxListed)
                {
                    throw new InvalidOperationException($"more than {MaxListed} entries under scans/ in {Location}; prune old refreshes.");
                }
            }
        }
        catch (RequestFailedException ex)
        {
            throw Failure("list", "scans/", ex);
        }

        return dates.ToList();
    }

    public ValueTask DisposeAsync()
    {
        _containerOnce.Dispose();
        return ValueTask.CompletedTask;
    }

    private static string ScanPrefix(DateOnly date) => $"scans/{date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}/";

    private async Task<bool> TryUploadAsync(string name, string json, CancellationToken ct)
    {
        await EnsureContainerAsync(ct).ConfigureAwait(false);
        try
        {
            await _container.GetBlobClient(name).UploadAsync(new BinaryData(Encoding.UTF8.GetBytes(json)), new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
            }, ct).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
        catch (RequestFailedException ex)
        {
            throw Failure("upload", name, ex);
        }
    }

    private async Task<string> DownloadAsync(string name, CancellationToken ct)
    {
        try
        {
            var content = await _container.GetBlobClient(name).DownloadContentAsync(ct).ConfigureAwait(false);
            return content.Value.Content.ToString();
        }
        catch (RequestFailedException ex)
        {
            throw Failure("download", name, ex);
        }
    }

    private async Task<List<DateTime>> StampsAsync(string prefix, CancellationToken ct)
    {
        await EnsureContainerAsync(ct).ConfigureAwait(false);
        var stamps = new List<DateTime>();
        try
        {
            await foreach (var blob in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, ct).ConfigureAwait(false))
            {
                var leaf = blob.Name[prefix.Length..];
                if (leaf.EndsWith(".json", StringComparison.Ordinal) && WatchlistJson.TryParseStamp(leaf[..^5], out var utc))
                {
                    stamps.Add(utc);
                }

                if (stamps.Count >= MaxListed)
                {
                    throw new InvalidOperationException($"more than {MaxListed} blobs under {prefix} in {Location}; prune old entries.");
                }
            }
        }
        catch (RequestFailedException ex)
        {
            throw Failure("list", prefix, ex);
        }

        stamps.Sort();
        return stamps;
    }

    private async Task EnsureContainerAsync(CancellationToken ct)
    {
        try
        {
            await _containerOnce.EnsureAsync(ct).ConfigureAwait(false);
        }
        catch (RequestFailedException ex)
        {
            throw Failure("create the container", _container.Name, ex);
        }
        catch (AggregateException ex)
        {
            throw new IOException($"{Location}: cannot reach the blob service ({ex.InnerException?.Message ?? ex.Message}); check AZURE_BLOB_CONNECTION_STRING and that the service runs.", ex);
        }
    }

    private InvalidOperationException Failure(string what, string name, RequestFailedException ex) =>
        new($"{Location}: could not {what} {name} (HTTP {ex.Status} {ex.ErrorCode}); check AZURE_BLOB_CONNECTION_STRING and AZURE_BLOB_CONTAINER.", ex);
}
