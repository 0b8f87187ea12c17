using System.Runtime.CompilerServices;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiTrader.MarketData.Streaming;

/// <summary>Live minute bars that survive drops: reconnects with backoff and backfills missed minutes over HTTP so each
/// symbol's bars arrive exactly once and in order.</summary>
/// <remarks>
/// Gap rule: for each symbol the last delivered minute L is kept. A bar at or before L is dropped (duplicate or stale).
/// A bar later than L + 1 min whose missing window [L + 1 min, bar - 1 min] overlaps a regular session is preceded by
/// the bars REST returns for that window (Source = backfill). A reconnect needs no separate step: whatever the socket
/// missed shows up as exactly such a gap when the symbol's next bar arrives. Quiet minutes are legal on IEX (no trades,
/// no bar), so a gap may backfill nothing. Gaps wholly outside regular hours (overnight) are not backfilled.
/// </remarks>
public sealed class StreamingManager
{
    private readonly AlpacaStreamOptions _streamOptions;
    private readonly IVendorClient? _backfill;
    private readonly StreamingOptions _options;
    private readonly ITradingCalendar _calendar;
    private readonly ILogger _logger;
    private int _connections;
    private int _reconnects;
    private int _liveBars;
    private int _backfilledBars;
    private int _backfillRequests;
    private int _backfillFailures;
    private int _dropped;

    /// <param name="streamOptions">WebSocket URL and keys.</param>
    /// <param name="backfill">REST client for missed minutes (normally <see cref="Vendors.AlpacaClient"/>); null disables backfill.</param>
    public StreamingManager(AlpacaStreamOptions streamOptions, IVendorClient? backfill, StreamingOptions? options = null,
        ITradingCalendar? calendar = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(streamOptions);
        _streamOptions = streamOptions;
        _backfill = backfill;
        _options = options ?? new StreamingOptions();
        _calendar = calendar ?? NyseCalendar.Instance;
        _logger = logger ?? NullLogger.Instance;
    }

    public StreamingStats Stats => new(Volatile.Read(ref _connections), Volatile.Read(ref _reconnects), Volatile.Read(ref _liveBars),
        Volatile.Read(ref _backfilledBars), Volatile.Read(ref _backfillRequests), Volatile.Read(ref _backfillFailures), Volatile.Read(ref _dropped));

    /// <summary>Minute bars for <paramref name="symbols"/> until cancelled; Source is stream or backfill.</summary>
    /// <param name="backfillFromUtc">When set, each symbol's first live bar is preceded by the bars from this instant
    /// (a warm-up or resume point); otherwise a symbol starts with its first live bar.</param>
    /// <exception cref="AlpacaStreamException">Non-retryable failure (bad keys, plan limits) or too many failed reconnects.</exception>
    public async IAsyncEnumerable<StreamPayload> StreamBarsAsync(IReadOnlyList<Symbol> symbols,
        [EnumeratorCancellation] CancellationToken cancellationToken = default, DateTime? backfillFromUtc = null)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        if (symbols.Count == 0)
        {
            throw new ArgumentException("StreamBarsAsync needs at least one symbol.", nameof(symbols));
        }

        var wanted = symbols.ToHashSet();
        var subscription = StreamSubscription.BarsOnly(wanted.ToList());
        var last = new Dictionary<Symbol, DateTime>();
        if (backfillFromUtc is { } from)
        {
            // One minute before the resume point, so the resume minute itself is backfilled.
            foreach (var s in wanted)
            {
                last[s] = from.ToUniversalTime().AddMinutes(-1);
            }
        }

        var failures = 0;
        AlpacaStreamException? lastFailure = null;
        var sockets = _options.Connections;
        var socket = sockets?.Opening() ?? 0;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (failures > 0)
                {
                    if (failures > _options.MaxReconnectAttempts)
                    {
                        sockets?.Failed(socket, _options.MaxReconnectAttempts, _options.MaxReconnectAttempts, lastFailure!.Message);
                        throw new AlpacaStreamException(
                            $"alpaca stream: gave up after {_options.MaxReconnectAttempts} reconnect attempts; last error: {lastFailure!.Message}",
                            lastFailure.Code, isRetryable: false, inner: lastFailure);
                    }

                    var delay = Backoff(failures);
                    _logger.LogWarning("{Failure}; reconnecting in {Delay} (attempt {Attempt})", lastFailure!.Message, delay, failures);
                    sockets?.Reconnecting(socket, failures, _options.MaxReconnectAttempts, lastFailure.Message);
                    _options.OnReconnecting?.Invoke(lastFailure.Message);
                    await Task.Delay(delay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
                    Interlocked.Increment(ref _reconnects);
                }

                await using var client = new AlpacaStreamClient(_streamOptions, _logger, _options.TimeProvider);
                Interlocked.Increment(ref _connections);
                try
                {
                    await client.ConnectAsync(subscription, cancellationToken).ConfigureAwait(false);
                    failures = 0;
                    sockets?.Connected(socket);
                }
                catch (AlpacaStreamException ex) when (ex.IsRetryable)
                {
                    failures++;
                    lastFailure = ex;
                    continue;
                }
                catch (AlpacaStreamException ex)
                {
                    sockets?.Failed(socket, failures, _options.MaxReconnectAttempts, ex.Message);
                    throw;
                }

                // Enumerated by hand: a yield cannot sit inside a try with a catch.
                var reader = client.ReadAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
                try
                {
                    while (true)
                    {
                        try
                        {
                            if (!await reader.MoveNextAsync().ConfigureAwait(false))
                            {
                                break;
                            }
                        }
                        catch (AlpacaStreamException ex) when (ex.IsRetryable)
                        {
                            failures = 1;
                            lastFailure = ex;
                            break;
                        }
                        catch (AlpacaStreamException ex)
                        {
                            sockets?.Failed(socket, 0, _options.MaxReconnectAttempts, ex.Message);
                            throw;
                        }

                        var payload = reader.Current;
                        if (payload.Kind != StreamPayloadKind.Bar || !wanted.Contains(payload.Symbol))
                        {
                            continue;
                        }

                        var bar = payload.Bar!.Value;
                        var hasLast = last.TryGetValue(payload.Symbol, out var previous);
                        if (hasLast && bar.Timestamp <= previous)
                        {
                            Interlocked.Increment(ref _dropped);
                            continue;
                        }

                        if (hasLast && bar.Timestamp > previous.AddMinutes(1) && ShouldBackfill(previous, bar.Timestamp))
                        {
                            foreach (var filled in await BackfillAsync(payload.Symbol, previous.AddMinutes(1), bar.Timestamp.AddMinutes(-1), cancellationToken)
                                         .ConfigureAwait(false))
                            {
                                last[payload.Symbol] = filled.Bar!.Value.Timestamp;
                                Interlocked.Increment(ref _backfilledBars);
                                yield return filled;
                            }
                        }

                        last[payload.Symbol] = bar.Timestamp;
                        Interlocked.Increment(ref _liveBars);
                        // Lag: from the bar's close (its open plus a minute) to its arrival here.
                        StreamMetrics.Lag(_options.TimeProvider.GetUtcNow().UtcDateTime - bar.Timestamp.AddMinutes(1));
                        yield return payload;
                    }
                }
                finally
                {
                    await reader.DisposeAsync().ConfigureAwait(false);
                }

                if (lastFailure is null || failures == 0)
                {
                    // ReadAsync only ends by throwing; an orderly end still means the socket is gone.
                    failures = 1;
                    lastFailure = new AlpacaStreamException("alpaca stream: connection ended", null, isRetryable: true);
                }
            }
        }
        finally
        {
            // The reader stopped (a cancel, its end) or the stream failed, which said so already.
            sockets?.Closed(socket);
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var factor = Math.Pow(2, Math.Min(failures - 1, 30));
        var ticks = Math.Min(_options.InitialBackoff.Ticks * factor, _options.MaxBackoff.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>True when the missing window (previous, next) contains a regular-session minute.</summary>
    private bool ShouldBackfill(DateTime previous, DateTime next)
    {
        if (!_options.BackfillGaps || _backfill is null)
        {
            return false;
        }

        var from = previous.AddMinutes(1);
        var to = next.AddMinutes(-1);
        foreach (var session in _calendar.GetSessions(ExchangeTime.SessionDate(from), ExchangeTime.SessionDate(to)))
        {
            if (from < session.CloseUtc && to >= session.OpenUtc)
            {
                return true;
            }
        }

        return false;
    }

    private async Task<IReadOnlyList<StreamPayload>> BackfillAsync(Symbol symbol, DateTime fromUtc, DateTime toUtc, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _backfillRequests);
        try
        {
            // Stream bars are unadjusted, so the fill must be too.
            var request = new VendorBarRequest(symbol, Timeframe.OneMinute, fromUtc, toUtc, PriceAdjustment.Raw);
            var result = await _backfill!.GetBarsAsync(request, cancellationToken).ConfigureAwait(false);
            var now = _options.TimeProvider.GetUtcNow().UtcDateTime;
            return result.Bars
                .Where(b => b.Timestamp >= fromUtc && b.Timestamp <= toUtc)
                .OrderBy(b => b.Timestamp)
                .Select(b => StreamPayload.ForBar(symbol, b, StreamSources.Backfill, now))
                .ToList();
        }
        catch (MarketDataException ex)
        {
            // A failed fill must not stop the live stream; the gap stays and is reported.
            Interlocked.Increment(ref _backfillFailures);
            _logger.LogWarning("backfill of {Symbol} {From:O}..{To:O} failed: {Message}", symbol, fromUtc, toUtc, ex.Message);
            return [];
        }
    }
}
