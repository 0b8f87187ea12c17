namespace AiTrader.MarketData.Streaming;

/// <summary>Where a market-data socket stands: opening its first connection, connected (subscribed), waiting to
/// reconnect after a drop or a failed connection, or given up.</summary>
public enum StreamSocketState
{
    Connecting,
    Connected,
    Reconnecting,
    Failed,
}

/// <summary>One stream's socket as last reported: its state, since when, and on a reconnect or a failure the attempt
/// (1-based, of <paramref name="MaxAttempts"/>) and the one-line reason.</summary>
public sealed record StreamSocket(StreamSocketState State, DateTime SinceUtc, int Attempt = 0, int MaxAttempts = 0, string? Reason = null);

/// <summary>The market-data sockets of one owner (the service), as the <see cref="StreamingManager"/>s driving them report
/// them: the sockets open now and the last one that gave up. Readiness reads it; each owner has its own, so two services
/// in one process (tests) do not see each other's sockets.</summary>
public sealed class StreamConnections
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, StreamSocket> _open = [];
    private readonly TimeProvider _time;
    private StreamSocket? _lastFailure;
    private long _next;

    public StreamConnections(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    /// <summary>The sockets open now (connecting, connected or reconnecting), oldest first.</summary>
    public IReadOnlyList<StreamSocket> Open
    {
        get
        {
            lock (_gate)
            {
                return [.. _open.OrderBy(p => p.Key).Select(p => p.Value)];
            }
        }
    }

    /// <summary>The last stream that gave up, until a socket connects again.</summary>
    public StreamSocket? LastFailure
    {
        get
        {
            lock (_gate)
            {
                return _lastFailure;
            }
        }
    }

    /// <summary>A new stream, connecting; the id names it in the calls that follow.</summary>
    internal long Opening()
    {
        var id = Interlocked.Increment(ref _next);
        Set(id, new StreamSocket(StreamSocketState.Connecting, Now));
        return id;
    }

    internal void Connected(long id)
    {
        lock (_gate)
        {
            _open[id] = new StreamSocket(StreamSocketState.Connected, Now);
            _lastFailure = null;
        }
    }

    internal void Reconnecting(long id, int attempt, int maxAttempts, string reason) =>
        Set(id, new StreamSocket(StreamSocketState.Reconnecting, Now, attempt, maxAttempts, reason));

    /// <summary>The stream gave up (too many reconnects, or a failure no reconnect mends): it is no longer open.</summary>
    internal void Failed(long id, int attempts, int maxAttempts, string reason)
    {
        lock (_gate)
        {
            _open.Remove(id);
            _lastFailure = new StreamSocket(StreamSocketState.Failed, Now, attempts, maxAttempts, reason);
        }
    }

    /// <summary>The stream ended (its reader stopped, or it failed and said so already).</summary>
    internal void Closed(long id)
    {
        lock (_gate)
        {
            _open.Remove(id);
        }
    }

    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    private void Set(long id, StreamSocket socket)
    {
        lock (_gate)
        {
            _open[id] = socket;
        }
    }
}
