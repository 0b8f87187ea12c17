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

/// <summary>The order router's commands as a broker receives them: entries with their protective stop as one-triggers-other,
/// limits as limits, trails as replaces, exits after releasing the stop's shares.</summary>
public sealed class BrokerVenueCommandTests
{
    private static readonly Symbol Aapl = new("AAPL");
    private static readonly DateTime At = new(2024, 3, 5, 15, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task An_entry_carries_its_stop_as_oto_a_trail_replaces_it_and_an_exit_releases_it_first()
    {
        await using var fake = await StartFakeAsync();
        fake.RefuseStreams = true;
        using var client = Client(fake);
        await using var venue = new BrokerVenue(client);
        await venue.StartAsync();

        venue.SubmitEntry(new EntryTicket(Aapl, OrderSide.Buy, 10, null, 95m, At, "breakout", "run-AAPL-entry", "run-AAPL-stop"));
        await venue.FlushAsync(CancellationToken.None);
        var body = Assert.Single(fake.OrderBodies);
        Assert.Contains("\"type\":\"market\"", body);
        Assert.Contains("\"order_class\":\"oto\"", body);
        Assert.Contains("\"stop_loss\":{\"stop_price\":\"95\"}", body);
        var accepted = Assert.Single(venue.PendingEvents);
        Assert.Equal((ExecutionEventKind.Accepted, "run-AAPL-entry"), (accepted.Kind, accepted.ClientOrderId));
        venue.ClearEvents();

        // Held until the entry fills, the stop then rests: the loop reads it back as the position's protective stop.
        await venue.RefreshAsync(CancellationToken.None);
        Assert.Null(venue.ProtectiveStopOf(Aapl));
        var entryId = fake.Order(accepted.Order.Id).Id;
        fake.Fill(entryId, 10, 100m);
        await venue.RefreshAsync(CancellationToken.None);
        Assert.Equal(10m, venue.PositionOf(Aapl));
        Assert.Equal(95m, venue.ProtectiveStopOf(Aapl));

        // The trail is one replace of the resting stop, never a cancel and a new order.
        venue.MoveStop(new StopTicket(Aapl, OrderSide.Sell, 97.5m, At.AddMinutes(1), "trail", "run-AAPL-trail"));
        await venue.FlushAsync(CancellationToken.None);
        var replace = Assert.Single(fake.ReplaceBodies);
        Assert.Contains("\"stop_price\":\"97.5\"", replace);
        Assert.Contains("\"client_order_id\":\"run-AAPL-trail\"", replace);
        Assert.Single(fake.OrderBodies);
        Assert.Contains(venue.PendingEvents, e => e.Kind == ExecutionEventKind.StopMoved && e.Price == 97.5m);
        await venue.RefreshAsync(CancellationToken.None);
        Assert.Equal(97.5m, venue.ProtectiveStopOf(Aapl));

        // The exit cancels the stop (the broker holds the shares for it) and then sells at market.
        venue.SubmitExit(new ExitTicket(Aapl, OrderSide.Sell, 10, At.AddMinutes(2), "exit", "run-AAPL-exit"));
        await venue.FlushAsync(CancellationToken.None);
        Assert.Equal(2, fake.OrderBodies.Count);
        Assert.Contains("\"side\":\"sell\"", fake.OrderBodies[1]);
        await venue.RefreshAsync(CancellationToken.None);
        Assert.Null(venue.ProtectiveStopOf(Aapl));
    }

    [Fact]
    public async Task A_limit_entry_is_sent_as_a_day_limit_not_a_market_order()
    {
        await using var fake = await StartFakeAsync();
        fake.RefuseStreams = true;
        using var client = Client(fake);
        await using var venue = new BrokerVenue(client);
        await venue.StartAsync();

        venue.SubmitEntry(new EntryTicket(Aapl, OrderSide.Buy, 5, 99.5m, 94m, At, "dip", "run-AAPL-dip"));
        await venue.FlushAsync(CancellationToken.None);
        var body = Assert.Single(fake.OrderBodies);
        Assert.Contains("\"type\":\"limit\"", body);
        Assert.Contains("\"limit_price\":\"99.5\"", body);
        Assert.Contains("\"time_in_force\":\"day\"", body);
    }
}
