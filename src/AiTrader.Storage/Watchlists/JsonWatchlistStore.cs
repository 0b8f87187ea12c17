using AiTrader.Core.IO;
using AiTrader.Core.Scanning;
using AiTrader.Core.Watchlists;

namespace AiTrader.Storage.Watchlists;

/// <summary>Watchlists as JSON files under <c>{dataDir}/watchlists/{bucket}/{timestamp}.json</c> and scan refreshes under
/// <c>{dataDir}/scans/{yyyy-MM-dd}/{timestamp}.json</c> (the default store).</summary>
/// <remarks>Each file is written to a temporary name in its folder, flushed, then renamed into place: a reader sees a
/// whole file or none. A timestamp is claimed first with an exclusive create of a hidden <c>.{stamp}.claim</c> file,
/// so when two saves want the same timestamp exactly one gets it and the other moves on by 1 µs.</remarks>
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
    }

    /// <summary>The watchlists folder, as <see cref="DisplayPath"/> shows it from the current folder.</summary>
    public string Location => DisplayPath.Of(_watchlists);

    public async Task<Watchlist> SaveAsync(Watchlist watchlist, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(watchlist);
        var bucket = WatchlistBucket.Validate(watchlist.Bucket);
        var saved = watchlist with { Bucket = bucket, CreatedUtc = WatchlistJson.ToKey(watchlist.CreatedUtc) };
        var folder = Path.Combine(_watchlists, bucket);
        var key = await WatchlistJson.TakeFreeKeyAsync(saved.CreatedUtc,
            k => TryClaimAsync(folder, k, WatchlistJson.Serialize(saved with { CreatedUtc = k }), cancellationToken),
            Exhausted(folder)).ConfigureAwait(false);
        return saved with { CreatedUtc = key };
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
        var key = await WatchlistJson.TakeFreeKeyAsync(saved.Window,
            k => TryClaimAsync(folder, k, WatchlistJson.Serialize(saved with { Window = k }), cancellationToken),
            Exhausted(folder)).ConfigureAwait(false);
        return saved with { Window = key };
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

    public Task<IReadOnlyList<DateOnly>> ListRefreshDatesAsync(CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(_scans))
        {
            return Task.FromResult<IReadOnlyList<DateOnly>>([]);
        }

        var dates = new List<DateOnly>();
        foreach (var folder in Directory.EnumerateDirectories(_scans))
        {
            if (DateOnly.TryParseExact(Path.GetFileName(folder), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.None, out var date) && Stamps(folder).Count > 0)
            {
                dates.Add(date);
            }
        }

        dates.Sort();
        return Task.FromResult<IReadOnlyList<DateOnly>>(dates);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static string Exhausted(string folder) =>
        $"could not find a free timestamp in {folder} after {WatchlistJson.MaxKeyAttempts} tries.";

    /// <summary>Claims the timestamp's name, then writes <paramref name="json"/> to it atomically (see
    /// <see cref="AtomicFile"/>); false when another save holds the name.</summary>
    /// <remarks>File.Move without overwrite is not atomic on Linux (it checks, then renames), so two writers could both
    /// pass the check and one would replace the other. The claim is an empty <c>.{stamp}.claim</c> file created with
    /// CreateNew (O_CREAT|O_EXCL: exactly one creator wins); only its owner renames onto the name. Claims are kept, so a
    /// name is never handed out twice; they are hidden and ignored by listings.</remarks>
    private static async Task<bool> TryClaimAsync(string folder, DateTime key, string json, CancellationToken ct)
    {
        Directory.CreateDirectory(folder);
        var stamp = WatchlistJson.Stamp(key);
        var target = Path.Combine(folder, stamp + ".json");
        var claim = Path.Combine(folder, $".{stamp}.claim");
        if (File.Exists(target))
        {
            return false;
        }

        try
        {
            await using (new FileStream(claim, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
            }
        }
        catch (IOException) when (File.Exists(claim))
        {
            return false;
        }

        if (File.Exists(target))
        {
            // Written before claims existed (or by hand): still never replaced.
            return false;
        }

        // Only the claim's owner gets here for this name, so the atomic replace cannot lose another save.
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        await AtomicFile.WriteAsync(target, async (stream, token) => await stream.WriteAsync(bytes, token).ConfigureAwait(false), ct)
            .ConfigureAwait(false);
        return true;
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
