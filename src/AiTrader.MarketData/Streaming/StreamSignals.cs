using System.Runtime.CompilerServices;
using AiTrader.Core.Domain;
using AiTrader.Core.Signals;

namespace AiTrader.MarketData.Streaming;

/// <summary>A stream payload with the probabilistic signal computed for its bar (null for trades and quotes).</summary>
public sealed record SignalPayload(StreamPayload Payload, SignalFrame? Signal);

/// <summary>Attaches a <see cref="SignalFrame"/> (Kalman filter, regime, indicators) to every bar of a stream.</summary>
/// <remarks>One streaming <see cref="SignalPipeline"/> per symbol, fed in arrival order, so each frame uses only the bars
/// delivered before it: the same numbers a batch run over the same bars gives.</remarks>
public static class StreamSignals
{
    public static async IAsyncEnumerable<SignalPayload> WithSignalsAsync(
        this IAsyncEnumerable<StreamPayload> payloads,
        Timeframe timeframe,
        SignalPipelineOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var pipelines = new Dictionary<Symbol, SignalPipeline>();
        await foreach (var payload in payloads.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (payload.Bar is not { } bar)
            {
                yield return new SignalPayload(payload, null);
                continue;
            }

            if (!pipelines.TryGetValue(payload.Symbol, out var pipeline))
            {
                pipeline = new SignalPipeline(timeframe, options);
                pipelines[payload.Symbol] = pipeline;
            }

            yield return new SignalPayload(payload, pipeline.Update(bar));
        }
    }
}
