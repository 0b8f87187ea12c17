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
