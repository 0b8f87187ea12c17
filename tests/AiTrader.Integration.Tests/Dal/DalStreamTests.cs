using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.MarketData.Dal;
using AiTrader.MarketData.Streaming;

namespace AiTrader.Integration.Tests.Dal;

/// <summary>The DAL facade's stream: replayed bundled minutes with signals, and clear errors for what cannot stream.</summary>
public sealed class DalStreamTests
{
    private static MarketDataDal Dal() => MarketDataDal.FromEnvironment(_ => null);

    [Fact]
    public async Task Replay_through_the_facade_yields_every_minute_in_order_with_signals()
    {
        await using var dal = Dal();
        var received = new List<SignalPayload>();
        await foreach (var p in dal.StreamBarsAsync([new Symbol("SPY")], "replay",
                           replayStart: new DateOnly(2013, 10, 7), replayEnd: new DateOnly(2013, 10, 7)))
        {
            received.Add(p);
        }

        Assert.NotEmpty(received);
        Assert.All(received, p => Assert.NotNull(p.Signal));
        Assert.All(received.Zip(received.Skip(1)), pair =>
            Assert.True(pair.First.Payload.TimestampUtc < pair.Second.Payload.TimestampUtc));
        Assert.Equal(received.Count, received.Select(p => p.Payload.TimestampUtc).Distinct().Count());
    }

    [Theory]
    [InlineData("alpaca", "APCA_API_KEY_ID")]
    [InlineData("yahoo", "does not stream")]
    [InlineData("replay", "start and an end")]
    public async Task What_cannot_stream_gets_one_clear_error(string vendor, string expected)
    {
        await using var dal = Dal();
        var options = new AlpacaStreamOptions { Url = new Uri("ws://127.0.0.1:9/v2/iex") };
        var ex = await Assert.ThrowsAsync<MarketDataException>(async () =>
        {
            await foreach (var _ in dal.StreamBarsAsync([new Symbol("SPY")], vendor, options))
            {
            }
        });
        Assert.Contains(expected, ex.Message);
    }
}
