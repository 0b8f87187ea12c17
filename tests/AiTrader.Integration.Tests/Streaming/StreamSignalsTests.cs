using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using AiTrader.Core.Signals;
using AiTrader.Integration.Tests.TestSupport;
using AiTrader.MarketData.Streaming;

namespace AiTrader.Integration.Tests.Streaming;

/// <summary>Streamed bars carry the same signals and regimes as a batch run over the same bars.</summary>
public sealed class StreamSignalsTests
{
    [Fact]
    public async Task Replayed_minutes_carry_the_batch_pipelines_signals_per_symbol()
    {
        var source = new CsvBarSource(TestPaths.SampleRoot, NyseCalendar.Instance);
        var replay = new ReplayStream(source, new ReplayOptions { RegularSessionOnly = true });
        var symbols = new[] { new Symbol("SPY"), new Symbol("IBM") };

        var streamed = new List<SignalPayload>();
        await foreach (var p in replay.StreamBarsAsync(symbols, new DateOnly(2013, 10, 7), new DateOnly(2013, 10, 8))
                           .WithSignalsAsync(Timeframe.OneMinute))
        {
            streamed.Add(p);
        }

        Assert.NotEmpty(streamed);
        foreach (var symbol in symbols)
        {
            var mine = streamed.Where(p => p.Payload.Symbol == symbol).ToList();
            var bars = mine.Select(p => p.Payload.Bar!.Value).ToList();
            var batch = SignalPipeline.Run(bars, Timeframe.OneMinute);
            Assert.Equal(batch.Count, mine.Count);
            for (var i = 0; i < batch.Count; i++)
            {
                Assert.Equal(batch[i].Timestamp, mine[i].Signal!.Timestamp);
                Assert.Equal(batch[i].FilteredPrice, mine[i].Signal!.FilteredPrice);
                Assert.Equal(batch[i].ProbabilityUp, mine[i].Signal!.ProbabilityUp);
                Assert.Equal(batch[i].Regime, mine[i].Signal!.Regime);
            }

            // Two sessions of minutes are enough for the filter to leave warm-up and label regimes.
            Assert.Contains(mine, p => !p.Signal!.IsWarmup);
        }
    }
}
