using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using AiTrader.Storage.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AiTrader.Service;

/// <summary>The per-key rate limit (per client address before a key is known), held across every service on one database:
/// fixed windows aligned to the Unix epoch, counted in the key store (<see cref="IApiKeyStore.LeaseRequestsAsync"/>, one
/// UPSERT). A service does not ask the store on every request: it leases <see cref="LeaseSize"/> requests of a window at a
/// time and hands them out locally, so a busy key costs one round trip per lease. Requests a service leased and did not use
/// are lost to the others in that window, so several services together may allow a little less than the limit, never more.
/// While the store cannot be reached each service falls back to the limit on its own, until the next window.</summary>
internal sealed partial class SharedRateLimiter : PartitionedRateLimiter<HttpContext>
{
    private readonly IApiKeyStore _store;
    private readonly int _limit;
    private readonly TimeSpan _window;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Func<HttpContext, string> _partitionOf;
    private readonly ConcurrentDictionary<string, Partition> _partitions = new(StringComparer.Ordinal);
    private long _forgotten = long.MinValue;

    /// <summary>The window in which the store last failed to answer: not asked again before the next.</summary>
    private long _storeDownIn = long.MinValue;

    /// <param name="partitionOf">The partition of a request: its key, or its client address.</param>
    public SharedRateLimiter(IApiKeyStore store, int limit, TimeSpan window, TimeProvider time, ILogger logger, Func<HttpContext, string> partitionOf)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, TimeSpan.FromSeconds(1));
        _store = store;
        _limit = limit;
        _window = window;
        _time = time;
        _logger = logger;
        _partitionOf = partitionOf;
        LeaseSize = Math.Clamp(limit / 10, 1, 100);
    }

    /// <summary>Requests leased from the store at a time: a tenth of the limit, 1 to 100.</summary>
    public int LeaseSize { get; }

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => null;

    /// <summary>From this service's lease; when it has none left (and the window is not used up) the lease fails without a
    /// Retry-After, and the rate-limiting middleware goes on to <see cref="AcquireAsyncCore"/>, which asks the store.</summary>
    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount) =>
        TryTake(PartitionOf(resource), CurrentWindow(), permitCount) ?? WindowLease.NotYet;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken)
    {
        var partition = PartitionOf(resource);
        await partition.Leasing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var window = CurrentWindow();
            if (TryTake(partition, window, permitCount) is { } taken)
            {
                return taken;
            }

            var wanted = Math.Max(LeaseSize, permitCount);
            int granted;
            try
            {
                if (Volatile.Read(ref _storeDownIn) == window)
                {
                    throw new TimeoutException("it failed earlier in this window");
                }

                var forget = Interlocked.Exchange(ref _forgotten, window) != window;
                granted = await _store.LeaseRequestsAsync(partition.Name, new DateTime(window, DateTimeKind.Utc), wanted, _limit, forget, cancellationToken)
                    .ConfigureAwait(false);
            }
            catch (Exception e) when (ApiKeyUse.IsUnreachable(e) && !cancellationToken.IsCancellationRequested)
            {
                // The store is down: this service keeps the limit on its own, and asks the store again in the next window
                // (a store that does not answer would otherwise hold up every lease until its timeout).
                lock (partition.Gate)
                {
                    granted = Math.Max(0, Math.Min(wanted, _limit - partition.Leased));
                }

                if (Interlocked.Exchange(ref _storeDownIn, window) != window)
                {
                    StoreUnreachable(_logger, e.Message);
                }
            }

            lock (partition.Gate)
            {
                if (partition.Window == window)
                {
                    partition.Leased += granted;
                    partition.UsedUp |= granted < wanted;
                }
            }

            return TryTake(partition, window, permitCount) ?? Refused(window);
        }
        finally
        {
            partition.Leasing.Release();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var partition in _partitions.Values)
            {
                partition.Leasing.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>A granted lease when the partition's lease covers the request, a refusal with Retry-After when the window is
    /// used up, null when the store must be asked.</summary>
    private RateLimitLease? TryTake(Partition partition, long window, int count)
    {
        lock (partition.Gate)
        {
            if (partition.Window != window)
            {
                (partition.Window, partition.Leased, partition.Used, partition.UsedUp) = (window, 0, 0, false);
            }

            if (partition.Used + count <= partition.Leased)
            {
                partition.Used += count;
                return WindowLease.Granted;
            }

            return partition.UsedUp ? Refused(window) : null;
        }
    }

    private WindowLease Refused(long window) =>
        new(false, TimeSpan.FromTicks(window + _window.Ticks) - TimeSpan.FromTicks(_time.GetUtcNow().UtcTicks));

    /// <summary>The start of the window now, in ticks: windows are aligned to the Unix epoch, so every service agrees.</summary>
    private long CurrentWindow()
    {
        var sinceEpoch = _time.GetUtcNow().UtcTicks - DateTime.UnixEpoch.Ticks;
        return DateTime.UnixEpoch.Ticks + (sinceEpoch - (sinceEpoch % _window.Ticks));
    }

    private Partition PartitionOf(HttpContext context) => _partitions.GetOrAdd(_partitionOf(context), name => new Partition(name));

    [LoggerMessage(Level = LogLevel.Warning, Message = "the shared rate limit's store cannot be reached ({Reason}); this service keeps the limit on its own meanwhile")]
    private static partial void StoreUnreachable(ILogger logger, string reason);

    /// <summary>One key's (or address's) share of the current window in this service.</summary>
    private sealed class Partition(string name)
    {
        public string Name { get; } = name;

        public Lock Gate { get; } = new();

        /// <summary>One lease request to the store at a time per partition.</summary>
        public SemaphoreSlim Leasing { get; } = new(1, 1);

        public long Window { get; set; } = long.MinValue;

        public int Leased { get; set; }

        public int Used { get; set; }

        /// <summary>The store granted less than asked: the window is used up across the services.</summary>
        public bool UsedUp { get; set; }
    }

    private sealed class WindowLease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly WindowLease Granted = new(true, null);

        /// <summary>Not from this service's lease; the store decides.</summary>
        public static readonly WindowLease NotYet = new(false, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter is { } wait && metadataName == MetadataName.RetryAfter.Name ? wait : null;
            return metadata is not null;
        }
    }
}
