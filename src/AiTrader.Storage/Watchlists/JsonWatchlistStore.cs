using AiTrader.Core.Scanning;
using AiTrader.Core.Watchlists;

namespace AiTrader.Storage.Watchlists;

/// <summary>Watchlists as JSON files under <c>{dataDir}/watchlists/{bucket}/{timestamp}.json</c> and scan refreshes under
/// <c>{dataDir}/scans/{yyyy-MM-dd}/{timestamp}.json</c> (the default store).</summary>
/// <remarks>Each file is written to a temporary name in its folder, flushed, then moved into place without overwriting:
/// a reader sees a whole file or none, and when two saves want the same timestamp the second moves it on by 1 µs
/// (the move fails if the name exists, so the check and the claim are one step).</remarks>
public sealed class JsonWatchlistStore : IWatchlistStore
{
    private readonly string _watchlists;
    private readonly string _scans;

    public JsonWatchlistStore(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        var root = Path.GetFullPath(dataDirectory);
        _watchlists = Path.Combine(root, "watchlists");
        _scans = Path.Combine(root, "scans");
        Location = _watchlists;
    }

    public string Location { get; }

    public async Task<Watchlist> SaveAsync(Watchlist watchlist, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(watchlist);
        var bucket = WatchlistBucket.Validate(watchlist.Bucket);
        var saved = watchlist with { Bucket = bucket, CreatedUtc = WatchlistJson.ToKey(watchlist.CreatedUtc) };
        var folder = Path.Combine(_watchlists, bucket);
        for (var attempt = 0; attempt < WatchlistJson.MaxKeyAttempts; attempt++)
        {
            if (await TryClaimAsync(folder, saved.CreatedUtc, WatchlistJson.Serialize(saved), cancellationToken).ConfigureAwait(false))
            {
                return saved;
            }

            saved = saved with { CreatedUtc = saved.CreatedUtc + WatchlistJson.KeyStep };
        }

        throw new IOException($"could not find a free timestamp in {folder} after {WatchlistJson.MaxKeyAttempts} tries.");
    }

    public Task<IReadOnlyList<string>> ListBucketsAsync(CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(_watchlists))
        {
            return Task.FromResult<IReadOnlyList<string>>([]);
        }

        var buckets = Directory.EnumerateDirectories(_watchlists)
            .Select(Path.GetFileName)
            .Where(name => name is not null && IsBucket(name) && Stamps(Path.Combine(_watchlists, name)).Count > 0)
            .Select(name => name!)
            .Order(StringComparer.Ordinal)
            .ToList();
        return Task.FromResult<IReadOnlyList<string>>(buckets);
    }

    public Task<IReadOnlyList<DateTime>> ListAsync(string bucket, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<DateTime>>(Stamps(Path.Combine(_watchlists, WatchlistBucket.Validate(bucket))));

    public async Task<Watchlist?> LoadAsync(string bucket, DateTime? atOrBeforeUtc = null, CancellationToken cancellationToken = default)
    {
        var folder = Path.Combine(_watchlists, WatchlistBucket.Validate(bucket));
        var stamps = Stamps(folder);
        var pick = stamps.LastOrDefault(s => atOrBeforeUtc is null || s <= atOrBeforeUtc.Value);
        if (pick == default)
        {
            return null;
        }

        var path = Path.Combine(folder, WatchlistJson.Stamp(pick) + ".json");
        return WatchlistJson.DeserializeWatchlist(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), path);
    }

    public async Task<ScanRefresh> SaveRefreshAsync(ScanRefresh refresh, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(refresh);
        var saved = refresh with { Window = WatchlistJson.ToKey(refresh.Window) };
        var folder = Path.Combine(_scans, refresh.SessionDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        for (var attempt = 0; attempt < WatchlistJson.MaxKeyAttempts; attempt++)
        {
            if (await TryClaimAsync(folder, saved.Window, WatchlistJson.Serialize(saved), cancellationToken).ConfigureAwait(false))
            {
                return saved;
            }

            saved = saved with { Window = saved.Window + WatchlistJson.KeyStep };
        }

        throw new IOException($"could not find a free timestamp in {folder} after {WatchlistJson.MaxKeyAttempts} tries.");
    }

    public async Task<IReadOnlyList<ScanRefresh>> LoadRefreshesAsync(DateOnly sessionDate, CancellationToken cancellationToken = default)
    {
        var folder = Path.Combine(_scans, sessionDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        var result = new List<ScanRefresh>();
        foreach (var stamp in Stamps(folder))
        {
            var path = Path.Combine(folder, WatchlistJson.Stamp(stamp) + ".json");
            result.Add(WatchlistJson.DeserializeRefresh(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), path));
        }

        return result;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Writes <paramref name="json"/> to a temp file and moves it to the timestamp's name; false when taken.</summary>
    private static async Task<bool> TryClaimAsync(string folder, DateTime key, string json, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        var target = Path.Combine(folder, WatchlistJson.Stamp(key) + ".json");
        if (File.Exists(target))
        {
            return false;
        }

        var temp = Path.Combine(folder, $".{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(json), ct).ConfigureAwait(false);
                await stream.FlushAsync(ct).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(temp, target, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(target))
            {
                // Another writer claimed the name between the check and the move.
                return false;
            }
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    private static List<DateTime> Stamps(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var stamps = new List<DateTime>();
        foreach (var file in Directory.EnumerateFiles(folder, "*.json"))
        {
            if (WatchlistJson.TryParseStamp(Path.GetFileNameWithoutExtension(file), out var utc))
            {
                stamps.Add(utc);
            }
        }

        stamps.Sort();
        return stamps;
    }

    private static bool IsBucket(string name)
    {
        try
        {
            return WatchlistBucket.Validate(name) == name;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
