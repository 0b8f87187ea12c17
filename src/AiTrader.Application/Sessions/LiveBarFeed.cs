using System.Runtime.CompilerServices;
using AiTrader.Core.Domain;
using AiTrader.MarketData;
using AiTrader.MarketData.Streaming;
using AiTrader.MarketData.Vendors;

namespace AiTrader.Application.Sessions;

/// <summary>The live Alpaca stream as a trading loop's feed, ended cleanly by a bar count, a time or an interrupt: the
/// loop then finishes the bar it has, so its journal and snapshot are complete. Shared by <c>aitrader trade</c> and
/// the service's paper sessions.</summary>
/// <param name="stream">The stream (reconnecting, deduplicating, bounded).</param>
/// <param name="symbols">The symbols subscribed.</param>
/// <param name="maxBars">Stop after this many bars (all symbols together); null for no limit.</param>
/// <param name="until">Stop at this UTC instant: by bar time, and by the wall clock when it is still ahead at start.</param>
/// <param name="interrupt">Stops the feed (Ctrl+C, a cancelled job, the service stopping).</param>
public sealed class LiveBarFeed(StreamingManager stream, IReadOnlyList<Symbol> symbols, int? maxBars, DateTime? until, CancellationToken interrupt)
{
    /// <summary>Called before each bar is handed on (with the bar's time): the place to journal the stream's reconnects.</summary>
    public Func<DateTime, CancellationToken, Task>? Reconnected { get; init; }

    /// <summary>How the stop reasons read: the CLI names its flags, the service its spec fields.</summary>
    public (string Interrupted, string Until, string MaxBars) StopWords { get; init; } = ("Ctrl+C", "--until reached", "--max-bars reached");

    /// <summary>Bars handed on so far.</summary>
    public int Bars { get; private set; }

    /// <summary>Why the feed ended.</summary>
    public string StopReason { get; private set; } = "the stream ended";

    /// <summary>The Alpaca bar stream from <paramref name="env"/> (ALPACA_STREAM_URL, the keys, ALPACA_DATA_BASE_URL for
    /// the backfill of gaps after a reconnect).</summary>
    /// <param name="connections">Where the socket's state is reported (the service's readiness); null for nowhere.</param>
    public static StreamingManager Alpaca(Func<string, string?> env, Action<string>? onReconnecting = null, StreamConnections? connections = null)
    {
        ArgumentNullException.ThrowIfNull(env);
        return new(AlpacaStreamOptions.FromEnvironment(env), new AlpacaClient(new HttpClient(), VendorSettings.FromEnvironment(env).AlpacaOptions),
            StreamingOptions.FromEnvironment(env) with { OnReconnecting = onReconnecting, Connections = connections });
    }

    /// <summary>The journal's event key of one reconnect: the run, the bar time it was noticed at and the reason's
    /// digest, so a resumed run that sees the same reconnect again journals it once.</summary>
    public static string ReconnectKey(string runId, DateTime at, string reason) =>
        $"{runId}:reconnect:{at:O}:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(reason)))[..12]}";

    public async IAsyncEnumerable<(Symbol Symbol, Bar Bar)> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupt, cancellationToken);
        // The wall clock only stops a run whose end is still ahead of it; a delayed or replayed feed whose bars are
        // older than the wall clock stops on bar time alone.
        if (until is { } at && at > DateTime.UtcNow)
        {
            stop.CancelAfter(at - DateTime.UtcNow);
        }

        await using var bars = stream.StreamBarsAsync(symbols, stop.Token).GetAsyncEnumerator(stop.Token);
        while (true)
        {
            try
            {
                if (!await bars.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                StopReason = interrupt.IsCancellationRequested ? StopWords.Interrupted : StopWords.Until;
                yield break;
            }

            if (bars.Current.Bar is not { } bar)
            {
                continue;
            }

            if (until is { } end && bar.Timestamp >= end)
            {
                StopReason = StopWords.Until;
                yield break;
            }

            if (Reconnected is { } journalReconnects)
            {
                await journalReconnects(bar.Timestamp, CancellationToken.None);
            }

            Bars++;
            yield return (bars.Current.Symbol, bar);
            if (Bars >= maxBars)
            {
                StopReason = StopWords.MaxBars;
                yield break;
            }
        }
    }
}
