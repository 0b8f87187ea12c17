using System.Threading.RateLimiting;

namespace AiTrader.MarketData;

/// <summary>Client-side request budget for one vendor, shared by every client instance of that vendor.</summary>
public sealed class VendorThrottle : IAsyncDisposable, IDisposable
{
    private readonly RateLimiter _limiter;

    public VendorThrottle(string vendor, RateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.PermitLimit <= 0 || options.Window <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{vendor}: rate limit must allow at least one request per positive window.");
        }

        Vendor = vendor;
        Options = options;
        // Sliding window matches how vendors count ("N calls per minute"), so a burst cannot straddle two windows.
        _limiter = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = options.PermitLimit,
            Window = options.Window,
            SegmentsPerWindow = Math.Max(1, Math.Min(options.PermitLimit, 10)),
            QueueLimit = options.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    public string Vendor { get; }

    public RateLimitOptions Options { get; }

    /// <summary>Waits for a request permit; throws RateLimited when the local queue is full.</summary>
    public async ValueTask<IDisposable> AcquireAsync(CancellationToken cancellationToken)
    {
        var lease = await _limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        if (!lease.IsAcquired)
        {
            lease.Dispose();
            throw new VendorException(Vendor, VendorErrorKind.RateLimited,
                $"{Vendor}: client-side request queue is full ({Options.QueueLimit} waiting); fix: lower the request rate or raise RateLimit.QueueLimit.");
        }

        return lease;
    }

    public void Dispose() => _limiter.Dispose();

    public ValueTask DisposeAsync() => _limiter.DisposeAsync();
}

/// <summary>One <see cref="VendorThrottle"/> per vendor name, so typed clients created per request share a budget.</summary>
public sealed class VendorThrottleRegistry : IDisposable
{
    private readonly Dictionary<string, VendorThrottle> _throttles = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _gate = new();

    public VendorThrottle For(string vendor, RateLimitOptions options)
    {
        lock (_gate)
        {
            if (!_throttles.TryGetValue(vendor, out var t))
            {
                t = new VendorThrottle(vendor, options);
                _throttles[vendor] = t;
            }

            return t;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var t in _throttles.Values)
            {
                t.Dispose();
            }

            _throttles.Clear();
        }
    }
}
