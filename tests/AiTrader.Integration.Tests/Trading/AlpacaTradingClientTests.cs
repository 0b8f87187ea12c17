using AiTrader.Brokers.Alpaca;
using AiTrader.Core.Brokers;
using AiTrader.Core.Domain;
using AiTrader.Integration.Tests.Vendors.Fakes;
using static AiTrader.Integration.Tests.Trading.TradingTestKit;

namespace AiTrader.Integration.Tests.Trading;

public sealed class AlpacaTradingClientTests
{
    [Fact]
    public async Task Account_parses_balances_exactly_and_the_pdt_fields()
    {
        await using var fake = await StartFakeAsync();
        using var client = Client(fake);

        var account = await client.GetAccountAsync();

        Assert.Equal("e6fe16f3-64a4-4921-8928-cadf02f92f98", account.AccountId);
        Assert.Equal("ACTIVE", account.Status);
        Assert.Equal(103820.56m, account.Equity);
        Assert.Equal(103529.24m, account.LastEquity);
        Assert.Equal(-23140.2m, account.Cash);
        Assert.Equal(262113.632m, account.BuyingPower);
        Assert.Equal(80680.36m, account.RegTBuyingPower);
        Assert.Equal(4m, account.Multiplier);
        Assert.True(account.PatternDayTrader);
        Assert.Equal(3, account.DaytradeCount);
        Assert.False(account.TradingBlocked);
        Assert.False(account.CannotTrade);
        Assert.True(account.ShortingEnabled);
    }

    [Fact]
    public async Task Account_without_pdt_fields_reads_as_not_flagged()
    {
        await using var fake = await StartFakeAsync();
        fake.AccountJson = """{"id":"a1","status":"ACTIVE","currency":"USD","cash":"1000","equity":"1000","buying_power":"2000","trading_blocked":true}""";
        using var client = Client(fake);

        var account = await client.GetAccountAsync();

        Assert.False(account.PatternDayTrader);
        Assert.Equal(0, account.DaytradeCount);
        Assert.True(account.CannotTrade);
    }

    [Fact]
    public async Task Order_lifecycle_accepted_new_partially_filled_filled_with_exact_prices()
    {
        await using var fake = await StartFakeAsync();
        using var client = Client(fake);

        var submitted = await client.SubmitOrderAsync(Buy("life-1", qty: 10));
        Assert.Equal(BrokerOrderStatus.Accepted, submitted.Status);
        Assert.Equal("life-1", submitted.ClientOrderId);
        Assert.Equal(new Symbol("AAPL"), submitted.Symbol);
        Assert.Equal(10m, submitted.Quantity);
        Assert.Equal(0m, submitted.FilledQuantity);
        Assert.Null(submitted.AverageFillPrice);
        Assert.Equal(DateTimeKind.Utc, submitted.CreatedAt.Kind);

        fake.Acknowledge(submitted.Id);
        Assert.Equal(BrokerOrderStatus.New, (await client.GetOrderAsync(submitted.Id)).Status);

        fake.Fill(submitted.Id, 3, 187.1234m);
        var partial = await client.GetOrderAsync(submitted.Id);
        Assert.Equal(BrokerOrderStatus.PartiallyFilled, partial.Status);
        Assert.Equal(3m, partial.FilledQuantity);
        Assert.Equal(7m, partial.RemainingQuantity);
        Assert.Equal(187.1234m, partial.AverageFillPrice);
        Assert.False(partial.IsTerminal);

        fake.Fill(submitted.Id, 7, 187.5678m);
        var filled = await client.GetOrderAsync(submitted.Id);
        Assert.Equal(BrokerOrderStatus.Filled, filled.Status);
        Assert.Equal(10m, filled.FilledQuantity);
        Assert.Equal(187.43448m, filled.AverageFillPrice);
        Assert.NotNull(filled.FilledAt);
        Assert.True(filled.IsTerminal);

        Assert.Empty(await client.GetOrdersAsync(OrderStatusFilter.Open));
        var closed = Assert.Single(await client.GetOrdersAsync(OrderStatusFilter.Closed));
        Assert.Equal(submitted.Id, closed.Id);
        Assert.Contains(fake.Requests, r => r.StartsWith("/v2/orders?status=closed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bracket_order_body_follows_alpaca_shape_and_legs_come_back()
    {
        await using var fake = await StartFakeAsync();
        using var client = Client(fake);
        var request = new BrokerOrderRequest("br-1", new Symbol("AAPL"), OrderSide.Buy, 10, BrokerOrderType.Limit, TimeInForce.Gtc,
            LimitPrice: 150.25m, Bracket: new BracketLegs(160m, 145m, 144.5m));

        var order = await client.SubmitOrderAsync(request);

        using var body = System.Text.Json.JsonDocument.Parse(Assert.Single(fake.OrderBodies));
        var r = body.RootElement;
        Assert.Equal("AAPL", r.GetProperty("symbol").GetString());
        Assert.Equal("10", r.GetProperty("qty").GetString());
        Assert.Equal("buy", r.GetProperty("side").GetString());
        Assert.Equal("limit", r.GetProperty("type").GetString());
        Assert.Equal("gtc", r.GetProperty("time_in_force").GetString());
        Assert.Equal("150.25", r.GetProperty("limit_price").GetString());
        Assert.Equal("br-1", r.GetProperty("client_order_id").GetString());
        Assert.Equal("bracket", r.GetProperty("order_class").GetString());
        Assert.Equal("160", r.GetProperty("take_profit").GetProperty("limit_price").GetString());
        Assert.Equal("145", r.GetProperty("stop_loss").GetProperty("stop_price").GetString());
        Assert.Equal("144.5", r.GetProperty("stop_loss").GetProperty("limit_price").GetString());
        Assert.False(r.TryGetProperty("stop_price", out _));

        Assert.Equal(BrokerOrderClass.Bracket, order.OrderClass);
        Assert.Equal(2, order.Legs.Count);
        Assert.All(order.Legs, l => Assert.Equal(OrderSide.Sell, l.Side));
        Assert.Contains(order.Legs, l => l.Type == BrokerOrderType.Limit && l.LimitPrice == 160m && l.Status == BrokerOrderStatus.Held);
        Assert.Contains(order.Legs, l => l.Type == BrokerOrderType.StopLimit && l.StopPrice == 145m && l.LimitPrice == 144.5m);
    }

    [Fact]
    public async Task Invalid_bracket_is_refused_before_anything_is_sent()
    {
        await using var fake = await StartFakeAsync();
        using var client = Client(fake);
        var request = Buy("br-bad") with { Bracket = new BracketLegs(140m, 145m) };

        var ex = await Assert.ThrowsAsync<BrokerException>(() => client.SubmitOrderAsync(request));

        Assert.Equal(BrokerErrorKind.Rejected, ex.Kind);
        Assert.Equal(0, fake.RequestCount);
    }

    [Fact]
    public async Task Cancel_moves_the_order_to_cancelled_and_a_second_cancel_is_not_cancelable()
    {
        await using var fake = await StartFakeAsync();
        using var client = Client(fake);
        var order = await client.SubmitOrderAsync(Buy("cx-1") with { Type = BrokerOrderType.Limit, LimitPrice = 100m });

        await client.CancelOrderAsync(order.Id);

        Assert.Equal(BrokerOrderStatus.Cancelled, (await client.GetOrderAsync(order.Id)).Status);
        var again = await Assert.ThrowsAsync<BrokerException>(() => client.CancelOrderAsync(order.Id));
        Assert.Equal(BrokerErrorKind.NotCancelable, again.Kind);
        var unknown = await Assert.ThrowsAsync<BrokerException>(() => client.CancelOrderAsync("no-such-order"));
        Assert.Equal(BrokerErrorKind.NotFound, unknown.Kind);
    }

    [Fact]
    public async Task Unknown_order_is_not_found_and_unknown_client_order_id_is_null()
    {
        await using var fake = await StartFakeAsync();
        using var client = Client(fake);

        var ex = await Assert.ThrowsAsync<BrokerException>(() => client.GetOrderAsync("missing"));
        Assert.Equal(BrokerErrorKind.NotFound, ex.Kind);
        Assert.Null(await client.FindOrderByClientOrderIdAsync("missing"));

        var order = await client.SubmitOrderAsync(Buy("find-me"));
        Assert.Equal(order.Id, (await client.FindOrderByClientOrderIdAsync("find-me"))!.Id);
    }

    [Fact]
    public async Task Validation_422_is_rejected_with_the_broker_message()
    {
        await using var fake = await StartFakeAsync();
        fake.Reject422Message = "potential wash trade detected. use complex orders";
        using var client = Client(fake);

        var ex = await Assert.ThrowsAsync<BrokerException>(() => client.SubmitOrderAsync(Buy("rej-1")));

        Assert.Equal(BrokerErrorKind.Rejected, ex.Kind);
        Assert.Equal(422, ex.HttpStatus);
        Assert.Contains("potential wash trade detected", ex.Message);
        Assert.Equal(1, fake.RequestCount);
        AssertClean(ex, fake);
    }

    [Fact]
    public async Task Pdt_403_is_PdtRejected_and_not_retried()
    {
        await using var fake = await StartFakeAsync();
        fake.Refusal = FakeOrderRefusal.PatternDayTrader;
        using var client = Client(fake);

        var ex = await Assert.ThrowsAsync<BrokerException>(() => client.SubmitOrderAsync(Buy("pdt-1")));

        Assert.Equal(BrokerErrorKind.PdtRejected, ex.Kind);
        Assert.Equal(403, ex.HttpStatus);
        Assert.Contains("pattern day trading protection", ex.Message);
        Assert.Equal(1, fake.RequestCount);
        Assert.Equal(0, fake.OrderCount);
        AssertClean(ex, fake);
    }

    [Fact]
    public async Task Insufficient_buying_power_403_has_its_own_kind()
    {
        await using var fake = await StartFakeAsync();
        fake.Refusal = FakeOrderRefusal.InsufficientBuyingPower;
        using var client = Client(fake);

        var ex = await Assert.ThrowsAsync<BrokerException>(() => client.SubmitOrderAsync(Buy("ibp-1")));

        Assert.Equal(BrokerErrorKind.InsufficientBuyingPower, ex.Kind);
        Assert.Equal(1, fake.RequestCount);
    }

    [Fact]
    public async Task Rate_limit_429_once_is_retried_to_success()
    {
        await using var fake = await StartFakeAsync();
        fake.Mode = FakeMode.Http429;
        fake.FailTimes = 1;
        using var client = Client(fake);

        var order = await client.SubmitOrderAsync(Buy("rl-1"));

        Assert.Equal("rl-1", order.ClientOrderId);
        Assert.Equal(2, fake.RequestCount);
        Assert.Equal(1, fake.OrderCount);
    }

    [Fact]
    public async Task Persistent_429_surfaces_RateLimited_after_a_bounded_number_of_attempts()
    {
        await using var fake = await StartFakeAsync();
        fake.Mode = FakeMode.Http429;
        using var client = Client(fake);

        var ex = await Assert.ThrowsAsync<BrokerException>(() => client.GetAccountAsync());

        Assert.Equal(BrokerErrorKind.RateLimited, ex.Kind);
        Assert.True(ex.IsTransient);
        Assert.Equal(1 + FastRetry.MaxRetries, fake.RequestCount);
        AssertClean(ex, fake);
    }

    [Fact]
    public async Task Server_errors_are_retried_a_bounded_number_of_times()
    {
        await using var fake = await StartFakeAsync();
        fake.Mode = FakeMode.ServerError;
        using var client = Client(fake);

        var ex = await Assert.ThrowsAsync<BrokerException>(() => client.GetPositionsAsync());

        Assert.Equal(BrokerErrorKind.ServerError, ex.Kind);
        Assert.Equal(1 + FastRetry.MaxRetries, fake.RequestCount);
    }

    [Fact]
    public async Task A_body_that_never_ends_is_cut_at_the_size_limit_as_a_malformed_answer()
    {
        await using var fake = await StartFakeAsync();
        fake.Mode = FakeMode.Endless;
        using var client = Client(fake, o => o with { MaxResponseBytes = 1024 * 1024 });

        var ex = await Assert.ThrowsAsync<BrokerException>(() => client.GetAccountAsync().WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Equal(BrokerErrorKind.MalformedResponse, ex.Kind);
        Assert.Contains("exceeds 1048576 bytes", ex.Message);
        Assert.Equal(1, fake.RequestCount);
        AssertClean(ex, fake);
    }

    [Fact]
    public async Task Unauthorized_401_is_not_retried_and_names_the_variables()
    {
        await using var fake = await StartFakeAsync();
        using var client = Client(fake, o => o with { ApiKey = "PKWRONGKEY0000000001", ApiSecret = "wrong-secret-value-xyz" });

        var ex = await Assert.ThrowsAsync<BrokerException>(() => client.GetAccountAsync());

        Assert.Equal(BrokerErrorKind.Unauthorized, ex.Kind);
        Assert.Equal(1, fake.RequestCount);
        Assert.Contains("APCA_API_KEY_ID", ex.Message);
        Assert.DoesNotContain("PKWRONGKEY0000000001", ex.Message);
        Assert.DoesNotContain("wrong-secret-value-xyz", ex.Message);
    }

    [Fact]
    public async Task Resubmitting_a_client_order_id_returns_the_existing_order_without_a_duplicate()
    {
        await using var fake = await StartFakeAsync();
        using var client = Client(fake);

        var first = await client.SubmitOrderAsync(Buy("idem-1"));
        var second = await client.SubmitOrderAsync(Buy("idem-1"));

        Assert.Equal(first.Id, second.Id);
        Assert.Equal(1, fake.OrderCount);
        Assert.Equal(2, fake.OrderBodies.Count);
    }

    [Fact]
    public async Task Lost_response_after_booking_is_retried_into_the_same_order()
    {
        await using var fake = await StartFakeAsync();
        fake.LoseResponsesAfterBooking = 1;
        using var client = Client(fake);

        var order = await client.SubmitOrderAsync(Buy("lost-1"));

        Assert.Equal("lost-1", order.ClientOrderId);
        Assert.Equal(1, fake.OrderCount);
        Assert.Equal(2, fake.OrderBodies.Count);
    }

    [Fact]
    public async Task Reusing_a_client_order_id_for_a_different_order_fails_instead_of_returning_the_wrong_order()
    {
        await using var fake = await StartFakeAsync();
        using var client = Client(fake);
        await client.SubmitOrderAsync(Buy("reuse-1", "AAPL", 10));

        var ex = await Assert.ThrowsAsync<BrokerException>(() => client.SubmitOrderAsync(Buy("reuse-1", "MSFT", 5)));

        Assert.Equal(BrokerErrorKind.DuplicateClientOrderId, ex.Kind);
        Assert.Equal(1, fake.OrderCount);
    }

    [Fact]
    public async Task Positions_parse_signed_quantities_and_close_flattens()
    {
        await using var fake = await StartFakeAsync();
        fake.SetPosition("AAPL", 12, 170.105m, 175.25m);
        fake.SetPosition("TSLA", -5, 250.5m, 240m);
        using var client = Client(fake);

        var positions = await client.GetPositionsAsync();

        var aapl = Assert.Single(positions, p => p.Symbol == new Symbol("AAPL"));
        Assert.Equal(12m, aapl.Quantity);
        Assert.Equal(170.105m, aapl.AverageEntryPrice);
        Assert.Equal(175.25m, aapl.CurrentPrice);
        Assert.Equal(2103.00m, aapl.MarketValue);
        Assert.Equal(PositionSide.Long, aapl.Side);
        var tsla = Assert.Single(positions, p => p.Symbol == new Symbol("TSLA"));
        Assert.Equal(-5m, tsla.Quantity);
        Assert.Equal(PositionSide.Short, tsla.Side);

        var close = await client.ClosePositionAsync(new Symbol("AAPL"));
        Assert.Equal(OrderSide.Sell, close.Side);
        Assert.Equal(12m, close.Quantity);
        Assert.Equal(BrokerOrderType.Market, close.Type);
        Assert.DoesNotContain(await client.GetPositionsAsync(), p => p.Symbol == new Symbol("AAPL"));

        var ex = await Assert.ThrowsAsync<BrokerException>(() => client.ClosePositionAsync(new Symbol("AAPL")));
        Assert.Equal(BrokerErrorKind.NotFound, ex.Kind);
    }

    [Fact]
    public async Task Clock_converts_new_york_offsets_to_utc()
    {
        await using var fake = await StartFakeAsync();
        using var client = Client(fake);

        var clock = await client.GetClockAsync();

        Assert.False(clock.IsOpen);
        Assert.Equal(DateTimeKind.Utc, clock.Timestamp.Kind);
        Assert.Equal(new DateTime(2022, 5, 16, 20, 32, 24, DateTimeKind.Utc), clock.Timestamp.AddTicks(-(clock.Timestamp.Ticks % TimeSpan.TicksPerSecond)));
        Assert.Equal(new DateTime(2022, 5, 17, 13, 30, 0, DateTimeKind.Utc), clock.NextOpen);
        Assert.Equal(new DateTime(2022, 5, 17, 20, 0, 0, DateTimeKind.Utc), clock.NextClose);
    }

    [Fact]
    public async Task Calendar_converts_per_date_with_dst_and_early_closes()
    {
        await using var fake = await StartFakeAsync();
        using var client = Client(fake);

        var days = await client.GetCalendarAsync(new DateOnly(2025, 1, 1), new DateOnly(2025, 7, 3));

        Assert.Equal(4, days.Count);
        Assert.Contains("/v2/calendar?start=2025-01-01&end=2025-07-03", fake.Requests);
        var winter = days[0];
        Assert.Equal(new DateOnly(2025, 1, 2), winter.Date);
        Assert.Equal(new DateTime(2025, 1, 2, 14, 30, 0, DateTimeKind.Utc), winter.Open);
        Assert.Equal(new DateTime(2025, 1, 2, 21, 0, 0, DateTimeKind.Utc), winter.Close);
        Assert.Equal(new DateTime(2025, 1, 2, 9, 0, 0, DateTimeKind.Utc), winter.SessionOpen);
        Assert.Equal(new DateTime(2025, 1, 3, 1, 0, 0, DateTimeKind.Utc), winter.SessionClose);
        Assert.False(winter.IsEarlyClose);
        var early = days[3];
        Assert.Equal(new DateOnly(2025, 7, 3), early.Date);
        Assert.Equal(new DateTime(2025, 7, 3, 13, 30, 0, DateTimeKind.Utc), early.Open);
        Assert.Equal(new DateTime(2025, 7, 3, 17, 0, 0, DateTimeKind.Utc), early.Close);
        Assert.True(early.IsEarlyClose);
    }

    [Fact]
    public async Task Keys_never_appear_in_exception_messages_even_when_the_broker_echoes_them()
    {
        await using var fake = await StartFakeAsync();
        fake.Reject422Message = $"bad request from key {fake.ApiKey} with secret {fake.ApiSecret}";
        using var client = Client(fake);

        var ex = await Assert.ThrowsAsync<BrokerException>(() => client.SubmitOrderAsync(Buy("leak-1")));

        AssertClean(ex, fake);
        Assert.Contains("***", ex.Message);
    }

    [Fact]
    public void Missing_keys_is_a_configuration_error()
    {
        var client = new AlpacaTradingClient(new HttpClient(), new AlpacaTradingOptions());
        var ex = Assert.Throws<BrokerException>(() => client.GetAccountAsync().GetAwaiter().GetResult());
        Assert.Equal(BrokerErrorKind.Configuration, ex.Kind);
    }
}
