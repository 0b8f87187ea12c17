using AiTrader.Core.Domain;
using AiTrader.MarketData.Streaming;

namespace AiTrader.Integration.Tests.Streaming;

public sealed class AlpacaStreamClientTests
{
    [Fact]
    public async Task Parses_trades_quotes_and_batched_bars_and_ignores_unknown_types()
    {
        await using var fake = await StreamTestKit.StartAsync();
        var bar = StreamTestKit.Spy[0];
        fake.Scripts.Add(new StreamScript([], StreamEnd.Close, RawFrames:
        [
            "[{\"T\":\"t\",\"S\":\"AAPL\",\"i\":96921,\"x\":\"D\",\"p\":126.55,\"s\":1,\"t\":\"2021-02-22T15:51:44.208Z\",\"c\":[\"@\",\"I\"],\"z\":\"C\"},"
            + "{\"T\":\"q\",\"S\":\"AMD\",\"bx\":\"U\",\"bp\":87.66,\"bs\":1,\"ax\":\"Q\",\"ap\":0,\"as\":4,\"t\":\"2021-02-22T15:51:45.3355677Z\",\"c\":[\"R\"],\"z\":\"C\"},"
            + "{\"T\":\"u\",\"S\":\"SPY\",\"o\":1,\"h\":1,\"l\":1,\"c\":1,\"v\":1,\"t\":\"2021-02-22T19:15:00Z\"},"
            + FakeAlpacaStream.BarJson("SPY", bar) + "]",
        ]));
        await using var client = new AlpacaStreamClient(StreamTestKit.StreamOptions(fake));
        await client.ConnectAsync(new StreamSubscription([new Symbol("SPY")], [new Symbol("AAPL")], [new Symbol("AMD")]));

        var got = new List<StreamPayload>();
        var ex = await Assert.ThrowsAsync<AlpacaStreamException>(async () =>
        {
            await foreach (var p in client.ReadAsync())
            {
                got.Add(p);
            }
        });

        Assert.True(ex.IsRetryable);
        Assert.Contains("closed", ex.Message);
        Assert.Equal([StreamPayloadKind.Trade, StreamPayloadKind.Quote, StreamPayloadKind.Bar], got.Select(p => p.Kind));
        var trade = got[0].Trade!;
        Assert.Equal((126.55m, 1m, "D", 96921L, "C"), (trade.Price, trade.Size, trade.Exchange, trade.TradeId!.Value, trade.Tape));
        Assert.Equal(["@", "I"], trade.Conditions);
        Assert.Equal(new DateTime(2021, 2, 22, 15, 51, 44, 208, DateTimeKind.Utc), got[0].TimestampUtc);
        var quote = got[1].Quote!;
        Assert.Equal(87.66m, quote.BidPrice);
        Assert.Null(quote.AskPrice);
        Assert.Equal(4m, quote.AskSize);
        Assert.Equal(bar.Timestamp, got[2].TimestampUtc);
        Assert.Equal(bar.Close, got[2].Bar!.Value.Close);
        Assert.All(got, p => Assert.Equal(StreamSources.Stream, p.Source));

        var subscribe = fake.ClientMessages.Single(m => m.Contains("subscribe"));
        Assert.Contains("\"bars\":[\"SPY\"]", subscribe);
        Assert.Contains("\"trades\":[\"AAPL\"]", subscribe);
        Assert.Contains("\"quotes\":[\"AMD\"]", subscribe);
    }

    [Fact]
    public async Task Missing_keys_fail_before_connecting()
    {
        await using var fake = await StreamTestKit.StartAsync();
        await using var client = new AlpacaStreamClient(StreamTestKit.StreamOptions(fake) with { ApiSecret = null });
        var ex = await Assert.ThrowsAsync<AlpacaStreamException>(() => client.ConnectAsync(StreamSubscription.BarsOnly([new Symbol("SPY")])));
        Assert.False(ex.IsRetryable);
        Assert.Contains("APCA_API_SECRET_KEY", ex.Message);
        Assert.Equal(0, fake.Connections);
    }

    [Fact]
    public async Task Refused_connection_is_retryable_and_names_the_host()
    {
        var options = new AlpacaStreamOptions { Url = new Uri("ws://127.0.0.1:1/v2/iex"), ApiKey = "k", ApiSecret = "s" };
        await using var client = new AlpacaStreamClient(options);
        var ex = await Assert.ThrowsAsync<AlpacaStreamException>(() => client.ConnectAsync(StreamSubscription.BarsOnly([new Symbol("SPY")])));
        Assert.True(ex.IsRetryable);
        Assert.Contains("127.0.0.1:1", ex.Message);
    }

    [Fact]
    public void Options_read_the_stream_url_and_keys_from_the_environment()
    {
        var env = new Dictionary<string, string>
        {
            ["ALPACA_STREAM_URL"] = "http://127.0.0.1:5055/v2/iex",
            ["APCA_API_KEY_ID"] = "K",
            ["APCA_API_SECRET_KEY"] = "S",
        };
        var o = AlpacaStreamOptions.FromEnvironment(n => env.GetValueOrDefault(n));
        Assert.Equal("ws://127.0.0.1:5055/v2/iex", o.Url.ToString());
        Assert.True(o.HasKeys);

        var defaults = AlpacaStreamOptions.FromEnvironment(n => n == "ALPACA_DATA_FEED" ? "sip" : null);
        Assert.Equal("wss://stream.data.alpaca.markets/v2/sip", defaults.Url.ToString());
        Assert.False(defaults.HasKeys);
        Assert.Throws<ArgumentException>(() => AlpacaStreamOptions.FromEnvironment(n => n == "ALPACA_STREAM_URL" ? "ftp://x" : null));

        // The retry budget: ten reconnects unless told.
        Assert.Equal(10, StreamingOptions.FromEnvironment(_ => null).MaxReconnectAttempts);
        Assert.Equal(3, StreamingOptions.FromEnvironment(n => n == "ALPACA_STREAM_MAX_RECONNECTS" ? " 3 " : null).MaxReconnectAttempts);
        Assert.Equal("ALPACA_STREAM_MAX_RECONNECTS='-1' must be a whole number from 0 to 1000; fix or unset it.",
            Assert.Throws<ArgumentException>(() => StreamingOptions.FromEnvironment(n => n == "ALPACA_STREAM_MAX_RECONNECTS" ? "-1" : null)).Message);
    }
}
