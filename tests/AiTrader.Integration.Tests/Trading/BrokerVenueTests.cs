using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using static AiTrader.Integration.Tests.Trading.TradingTestKit;

namespace AiTrader.Integration.Tests.Trading;

/// <summary>The loop's view of a real broker (<see cref="BrokerVenue"/>) against the fake Alpaca trading server.</summary>
public sealed class BrokerVenueTests
{
    [Fact]
    public async Task Fills_the_stream_never_delivered_are_reconciled_from_the_orders_once()
    {
        await using var fake = await StartFakeAsync();
        fake.RefuseStreams = true; // the trade-updates stream is down for the whole test
        using var client = Client(fake);
        var before = await client.SubmitOrderAsync(Buy("old-1", "MSFT", 2));
        fake.Fill(before.Id, 2, 300m); // history: filled before the run started
        await using var venue = new BrokerVenue(client);
        await venue.StartAsync();

        var order = await client.SubmitOrderAsync(Buy("venue-1", "AAPL", 10));
        fake.Fill(order.Id, 4, 100m);
        await venue.RefreshAsync(CancellationToken.None);
        var first = venue.PendingEvents.ToList();
        venue.ClearEvents();
        fake.Fill(order.Id, 6, 110m);
        await venue.RefreshAsync(CancellationToken.None);
        var second = venue.PendingEvents.ToList();
        venue.ClearEvents();
        await venue.RefreshAsync(CancellationToken.None);

        var partial = Assert.Single(first);
        Assert.Equal((ExecutionEventKind.Fill, false, 4m, 100m), (partial.Kind, partial.IsComplete, partial.Fill!.Quantity, partial.Fill.Price));
        Assert.Equal("reconciled-4", partial.ExecutionId);
        var rest = Assert.Single(second);
        Assert.True(rest.IsComplete);
        Assert.Equal(6m, rest.Fill!.Quantity);
        Assert.Equal(110m, rest.Fill.Price); // the execution's price, recovered from the order's new average
        Assert.Empty(venue.PendingEvents);
        Assert.Equal(10m, venue.PositionOf(new Symbol("AAPL")));
        Assert.Equal(2m, venue.PositionOf(new Symbol("MSFT")));
        // The stream is read on a background task; its refused connection surfaces there, so wait for it (bounded).
        for (var i = 0; i < 300 && venue.StreamFault is null; i++)
        {
            await Task.Delay(100);
        }

        Assert.NotNull(venue.StreamFault);
    }
}
