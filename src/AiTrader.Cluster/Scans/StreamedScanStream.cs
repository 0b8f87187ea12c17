using AiTrader.Core.Agents;
using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;

namespace AiTrader.Cluster.Scans;

/// <summary>A live market-data stream (a <see cref="BarFeed"/>: the Alpaca WebSocket through <c>LiveBarFeed</c>) as the
/// symbol grains' feed: a pump reads the stream into a buffer per symbol as the bars come, and before each window each
/// grain is fed its symbol's bars of the stretch since the last window, as <see cref="ReplayScanStream"/> feeds it the
/// replayed ones. A window waits until the stream has passed it (a bar at or after the window has come, so the stream,
/// in time order, has sent every bar before it), the stream has ended, or <see cref="MaxWait"/> has gone by.</summary>
public sealed class StreamedScanStream : IScanStream, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Symbol, List<Bar>> _bars = [];
    private readonly Dictionary<Symbol, DateTime> _sent = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private TaskCompletionSource _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTime _newest = DateTime.MinValue;
    private bool _ended;
    private int _received;

    public StreamedScanStream(BarFeed feed)
    {
        ArgumentNullException.ThrowIfNull(feed);
        _pump = Task.Run(() => PumpAsync(feed, _stop.Token));
    }

    /// <summary>How long a window waits, at most, for the stream to pass it (a quiet stream, a late minute).</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Bars the stream has brought so far.</summary>
    public int BarsReceived => Volatile.Read(ref _received);

    /// <summary>Why the stream stopped early, if it failed.</summary>
    public Exception? Failure { get; private set; }

    public async Task BringUpToAsync(IScanSymbolGrain grain, UniverseScanJob job, Symbol symbol, DateTime windowUtc, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(grain);
        ArgumentNullException.ThrowIfNull(job);
        await PassedAsync(windowUtc, ct).ConfigureAwait(false);
        var open = NyseCalendar.Instance.GetSession(job.Date)!.PremarketOpenUtc;
        Bar[] bars;
        DateTime from;
        lock (_gate)
        {
            from = _sent.TryGetValue(symbol, out var sent) && sent > open ? sent : open;
            if (windowUtc <= from)
            {
                return;
            }

            bars = _bars.TryGetValue(symbol, out var buffered) ? [.. buffered.Where(b => b.Timestamp >= from && b.Timestamp < windowUtc)] : [];
        }

        await grain.Feed(job, new ScanBarBatch(from, windowUtc, bars)).WaitAsync(ct).ConfigureAwait(false);
        lock (_gate)
        {
            _sent[symbol] = windowUtc;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _pump.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped on purpose.
        }

        _stop.Dispose();
    }

    /// <summary>Waits until a bar at or after <paramref name="windowUtc"/> has come, the stream has ended, or
    /// <see cref="MaxWait"/> has gone by.</summary>
    private async Task PassedAsync(DateTime windowUtc, CancellationToken ct)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(ct);
        patience.CancelAfter(MaxWait);
        while (true)
        {
            Task advanced;
            lock (_gate)
            {
                if (_ended || _newest >= windowUtc)
                {
                    return;
                }

                advanced = _advanced.Task;
            }

            try
            {
                await advanced.WaitAsync(patience.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task PumpAsync(BarFeed feed, CancellationToken ct)
    {
        try
        {
            await foreach (var (symbol, bar) in feed(ct).ConfigureAwait(false))
            {
                lock (_gate)
                {
                    if (!_bars.TryGetValue(symbol, out var list))
                    {
                        _bars[symbol] = list = [];
                    }

                    list.Add(bar);
                    _received++;
                    if (bar.Timestamp > _newest)
                    {
                        _newest = bar.Timestamp;
                        Advance();
                    }
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Failure = ex;
        }
        finally
        {
            lock (_gate)
            {
                _ended = true;
                Advance();
            }
        }
    }

    private void Advance()
    {
        _advanced.TrySetResult();
        _advanced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
