using System.Text.Json;
using AiTrader.Core.Brokers;
using static AiTrader.Integration.Tests.Trading.TradingTestKit;

namespace AiTrader.Integration.Tests.Trading;

public sealed class AlpacaTradeUpdateStreamTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Trade_updates_arrive_in_order_with_exact_fill_numbers(bool binaryFrames)
    {
        await using var fake = await StartFakeAsync();
        fake.BinaryFrames = binaryFrames;
        using var client = Client(fake);
        var order = await client.SubmitOrderAsync(Buy("stream-1", "AAPL", 1790.86m * 2));
        var other = await client.SubmitOrderAsync(Buy("stream-2", "MSFT", 5) with { Type = BrokerOrderType.Limit, LimitPrice = 300m });
        using var cts = new CancellationTokenSource(Deadline);

        var reading = ReadAsync(client, 5, cts.Token);
        await fake.ListeningAsync.WaitAsync(Deadline);
        fake.Acknowledge(order.Id);
        fake.Fill(order.Id, 1790.86m, 105.8988475m);
        fake.Fill(order.Id, 1790.86m, 105.9m);
        await client.CancelOrderAsync(other.Id);
        fake.Expire(other.Id);
        var updates = await reading;

        Assert.Equal(
            [TradeUpdateEvent.New, TradeUpdateEvent.PartialFill, TradeUpdateEvent.Fill, TradeUpdateEvent.Canceled, TradeUpdateEvent.Expired],
            updates.Select(u => u.Event));
        Assert.Equal(BrokerOrderStatus.New, updates[0].Order.Status);
        Assert.Null(updates[0].Price);

        var partial = updates[1];
        Assert.Equal("partial_fill", partial.RawEvent);
        Assert.Equal(105.8988475m, partial.Price);
        Assert.Equal(1790.86m, partial.Quantity);
        Assert.Equal(1790.86m, partial.PositionQuantity);
        Assert.Equal(BrokerOrderStatus.PartiallyFilled, partial.Order.Status);
        Assert.Equal(1790.86m, partial.Order.FilledQuantity);
        Assert.NotNull(partial.ExecutionId);
        Assert.Equal(DateTimeKind.Utc, partial.Timestamp!.Value.Kind);

        var fill = updates[2];
        Assert.Equal(105.9m, fill.Price);
        Assert.Equal(3581.72m, fill.PositionQuantity);
        Assert.Equal(BrokerOrderStatus.Filled, fill.Order.Status);
        Assert.Equal(105.89942375m, fill.Order.AverageFillPrice);

        Assert.Equal(other.Id, updates[3].Order.Id);
        Assert.Equal(BrokerOrderStatus.Cancelled, updates[3].Order.Status);
    }

    [Fact]
    public async Task Authenticates_with_the_documented_message_and_subscribes()
    {
        await using var fake = await StartFakeAsync();
        using var client = Client(fake);
        using var cts = new CancellationTokenSource(Deadline);

        var reading = ReadAsync(client, int.MaxValue, cts.Token);
        await fake.ListeningAsync.WaitAsync(Deadline);
        fake.CloseStreams();
        var updates = await reading;

        Assert.Empty(updates);
        using var auth = JsonDocument.Parse(Assert.Single(fake.StreamAuthMessages));
        Assert.Equal("authenticate", auth.RootElement.GetProperty("action").GetString());
        Assert.Equal(fake.ApiKey, auth.RootElement.GetProperty("data").GetProperty("key_id").GetString());
    }

    [Fact]
    public async Task Refused_stream_credentials_are_Unauthorized_without_the_key()
    {
        await using var fake = await StartFakeAsync();
        fake.StreamAuthorizes = false;
        using var client = Client(fake);
        using var cts = new CancellationTokenSource(Deadline);

        var ex = await Assert.ThrowsAsync<BrokerException>(() => ReadAsync(client, 1, cts.Token));

        Assert.Equal(BrokerErrorKind.Unauthorized, ex.Kind);
        AssertClean(ex, fake);
    }

    [Fact]
    public async Task Unreachable_stream_is_a_typed_error()
    {
        await using var fake = await StartFakeAsync();
        using var client = Client(fake, o => o with { StreamUrl = new Uri($"ws://127.0.0.1:{fake.BaseUrl.Port}/nowhere") });
        using var cts = new CancellationTokenSource(Deadline);

        var ex = await Assert.ThrowsAsync<BrokerException>(() => ReadAsync(client, 1, cts.Token));

        Assert.Equal(BrokerErrorKind.ServerError, ex.Kind);
        AssertClean(ex, fake);
    }

    [Fact]
    public async Task A_dropped_stream_reconnects_relistens_and_reconciles_what_happened_while_it_was_down()
    {
        await using var fake = await StartFakeAsync();
        using var client = Client(fake, o => o with { StreamInitialBackoff = TimeSpan.FromMilliseconds(10), StreamMaxBackoff = TimeSpan.FromMilliseconds(50), StreamMaxReconnects = 50 });
        var a = await client.SubmitOrderAsync(Buy("drop-a", "AAPL", 10));
        var b = await client.SubmitOrderAsync(Buy("drop-b", "MSFT", 5));
        var c = await client.SubmitOrderAsync(Buy("drop-c", "IBM", 3));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = System.Threading.Channels.Channel.CreateUnbounded<TradeUpdate>();
        var reading = Task.Run(async () =>
        {
            await foreach (var u in client.StreamTradeUpdatesAsync(cts.Token))
            {
                await received.Writer.WriteAsync(u, cts.Token);
            }
        }, cts.Token);
        async Task<TradeUpdate> NextAsync() => await received.Reader.ReadAsync(cts.Token);

        await fake.ListeningAsync.WaitAsync(cts.Token);
        fake.Fill(a.Id, 4, 100m);
        var partial = await NextAsync();
        Assert.Equal((TradeUpdateEvent.PartialFill, 4m), (partial.Event, partial.Quantity));

        // The socket drops and stays down while the rest of A fills and B expires: those events are lost on the wire.
        fake.RefuseStreams = true;
        fake.DropStreams();
        fake.Fill(a.Id, 6, 110m);
        fake.Expire(b.Id);
        fake.RefuseStreams = false;

        // Reconnected: the authentication and the listen are sent again, and REST fills in what the stream missed.
        var fill = await NextAsync();
        Assert.Equal((TradeUpdateEvent.Fill, "reconciled", a.Id, 6m, 110m), (fill.Event, fill.RawEvent, fill.Order.Id, fill.Quantity, fill.Price));
        Assert.Equal(BrokerOrderStatus.Filled, fill.Order.Status);
        Assert.Equal("reconciled-10", fill.ExecutionId);
        var expired = await NextAsync();
        Assert.Equal((TradeUpdateEvent.Expired, b.Id), (expired.Event, expired.Order.Id));
        Assert.Equal(2, fake.Listens);
        Assert.Equal(2, fake.StreamAuthMessages.Count);

        // And the new connection carries live events again.
        fake.Acknowledge(c.Id);
        var acknowledged = await NextAsync();
        Assert.Equal((TradeUpdateEvent.New, c.Id), (acknowledged.Event, acknowledged.Order.Id));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
    }

    private static async Task<List<TradeUpdate>> ReadAsync(IBroker broker, int count, CancellationToken token)
    {
        var updates = new List<TradeUpdate>();
        await foreach (var update in broker.StreamTradeUpdatesAsync(token))
        {
            updates.Add(update);
            if (updates.Count == count)
            {
                break;
            }
        }

        return updates;
    }
}
