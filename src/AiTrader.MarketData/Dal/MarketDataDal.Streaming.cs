using System.Runtime.CompilerServices;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.MarketData.Streaming;

namespace AiTrader.MarketData.Dal;

public sealed partial class MarketDataDal
{
    /// <summary>Streams minute bars with their signals: <c>alpaca</c> (live WebSocket with reconnect and gap backfill, needs
    /// keys) or <c>replay</c>/<c>sample</c> (bundled minute bars played as if live from <paramref name="replayStart"/>
    /// to <paramref name="replayEnd"/>, New York dates). Each payload carries its <see cref="Core.Signals.SignalFrame"/>.</summary>
    /// <exception cref="MarketDataException">Unknown vendor, missing Alpaca keys or replay dates.</exception>
    public async IAsyncEnumerable<SignalPayload> StreamBarsAsync(
        IReadOnlyList<Symbol> symbols,
        string? vendor,
        AlpacaStreamOptions? alpacaStream = null,
        DateOnly? replayStart = null,
        DateOnly? replayEnd = null,
        ReplayOptions? replayOptions = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        var name = string.IsNullOrWhiteSpace(vendor) ? "replay" : vendor.Trim().ToLowerInvariant();
        IAsyncEnumerable<StreamPayload> payloads;
        switch (name)
        {
            case "replay" or DalVendors.Sample:
                if (replayStart is not { } first || replayEnd is not { } last)
                {
                    throw new MarketDataException("a replay stream needs a start and an end date; pass both (New York dates).");
                }

                payloads = new ReplayStream(_sample.Value, replayOptions).StreamBarsAsync(symbols, first, last, cancellationToken);
                break;
            case "alpaca":
                var options = alpacaStream ?? AlpacaStreamOptions.FromEnvironment();
                if (!options.HasKeys)
                {
                    throw new MarketDataException("streaming from alpaca needs APCA_API_KEY_ID and APCA_API_SECRET_KEY; set them or stream the replay.");
                }

                var backfill = _clients().FirstOrDefault(c => c.Name == "alpaca");
                payloads = new StreamingManager(options, backfill, StreamingOptions.FromEnvironment(Environment.GetEnvironmentVariable))
                    .StreamBarsAsync(symbols, cancellationToken);
                break;
            default:
                throw new MarketDataException(DalVendors.All.Contains(name)
                    ? $"vendor '{name}' does not stream; use alpaca or replay."
                    : $"{UnknownVendor.Message(vendor, ["alpaca", "replay"], "streaming vendor")}.");
        }

        await foreach (var p in payloads.WithSignalsAsync(Timeframe.OneMinute, cancellationToken: cancellationToken)
                           .ConfigureAwait(false))
        {
            yield return p;
        }
    }
}
