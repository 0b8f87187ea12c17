using AiTrader.Core.Scanning;
using AiTrader.Core.Watchlists;

namespace AiTrader.Core.Tests.Scanning;

/// <summary>An in-memory <see cref="IWatchlistStore"/> for unit tests (the real stores are tested against real
/// servers in the integration tests).</summary>
internal sealed class InMemoryWatchlistStore : IWatchlistStore
{
    private readonly object _gate = new();

    public List<Watchlist> Saved { get; } = [];

    public List<ScanRefresh> Refreshes { get; } = [];

    public string Location => "memory";

    public Task<Watchlist> SaveAsync(Watchlist watchlist, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            Saved.Add(watchlist);
        }

        return Task.FromResult(watchlist);
    }

    public Task<IReadOnlyList<string>> ListBucketsAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<string>>(Saved.Select(w => w.Bucket).Distinct().Order().ToList());
        }
    }

    public Task<IReadOnlyList<DateTime>> ListAsync(string bucket, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<DateTime>>(Saved.Where(w => w.Bucket == bucket).Select(w => w.CreatedUtc).Order().ToList());
        }
    }

    public Task<Watchlist?> LoadAsync(string bucket, DateTime? atOrBeforeUtc = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(Saved.Where(w => w.Bucket == bucket && (atOrBeforeUtc is null || w.CreatedUtc <= atOrBeforeUtc))
                .OrderBy(w => w.CreatedUtc).LastOrDefault());
        }
    }

    public Task<ScanRefresh> SaveRefreshAsync(ScanRefresh refresh, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            Refreshes.Add(refresh);
        }

        return Task.FromResult(refresh);
    }

    public Task<IReadOnlyList<ScanRefresh>> LoadRefreshesAsync(DateOnly sessionDate, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<ScanRefresh>>(Refreshes.Where(r => r.SessionDate == sessionDate).OrderBy(r => r.Window).ToList());
        }
    }

    public Task<IReadOnlyList<DateOnly>> ListRefreshDatesAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<DateOnly>>(Refreshes.Select(r => r.SessionDate).Distinct().Order().ToList());
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
