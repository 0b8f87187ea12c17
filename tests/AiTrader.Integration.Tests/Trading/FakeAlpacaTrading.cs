using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using AiTrader.Integration.Tests.Vendors.Fakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AiTrader.Integration.Tests.Trading;

/// <summary>How the fake answers POST /v2/orders when told to refuse, with Alpaca's documented codes and texts.</summary>
public enum FakeOrderRefusal
{
    None,
    PatternDayTrader,
    InsufficientBuyingPower,
}

/// <summary>One order in the fake's book; mutable because the fake advances it through Alpaca's statuses.</summary>
public sealed class FakeTradingOrder
{
    public required string Id { get; init; }
    public required string ClientOrderId { get; init; }
    public required string Symbol { get; init; }
    public required string Side { get; init; }
    public required string Type { get; init; }
    public required string TimeInForce { get; init; }
    public required decimal Qty { get; init; }
    public decimal? LimitPrice { get; init; }
    public decimal? StopPrice { get; set; }
    public string OrderClass { get; init; } = "";
    public List<FakeTradingOrder> Legs { get; } = [];
    public bool IsLeg { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? FilledAt { get; set; }
    public DateTime? CanceledAt { get; set; }
    public string Status { get; set; } = "accepted";
    public string? ReplacedBy { get; set; }
    public string? Replaces { get; init; }
    public decimal FilledQty { get; set; }
    public decimal? FilledAvgPrice { get; set; }

    public bool IsOpen => Status is "accepted" or "new" or "partially_filled" or "pending_new" or "held";
}

/// <summary>Loopback Alpaca Trading API v2: in-memory order book following the documented JSON shapes and status
/// transitions (accepted → new → partially_filled → filled, canceled, expired), positions, clock, calendar and a
/// trade_updates WebSocket. Orders move only when a test calls a hook, so every transition is deterministic.</summary>
public sealed class FakeAlpacaTrading : FakeVendorServer
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly Lock _gate = new();
    private readonly List<FakeTradingOrder> _orders = [];
    private readonly Dictionary<string, (decimal Qty, decimal Avg, decimal Price)> _positions = new(StringComparer.Ordinal);
    private readonly List<Channel<string>> _subscribers = [];
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<HttpContext> _streamContexts = [];
    private int _sequence;
    private int _listens;

    public string ApiSecret { get; set; } = "TESTSECRET-456";

    public string AccountJson { get; set; } = """
        {"id":"e6fe16f3-64a4-4921-8928-cadf02f92f98","account_number":"010203ABCD","status":"ACTIVE","currency":"USD",
         "cash":"-23140.2","equity":"103820.56","last_equity":"103529.24","buying_power":"262113.632","multiplier":"4",
         "daytrading_buying_power":"262113.632","regt_buying_power":"80680.36","pattern_day_trader":true,"daytrade_count":3,
         "long_market_value":"126960.76","short_market_value":"0","initial_margin":"63480.38","maintenance_margin":"38088.228",
         "last_maintenance_margin":"38000.832","sma":"0","portfolio_value":"103820.56","shorting_enabled":true,"trading_blocked":false,
         "transfers_blocked":false,"account_blocked":false,"trade_suspended_by_user":false,"created_at":"2019-06-12T22:47:07.99658Z",
         "non_marginable_buying_power":"51000.1","crypto_status":"ACTIVE"}
        """;

    public string ClockJson { get; set; } =
        """{"timestamp":"2022-05-16T16:32:24.14373588-04:00","is_open":false,"next_open":"2022-05-17T09:30:00-04:00","next_close":"2022-05-17T16:00:00-04:00"}""";

    /// <summary>Calendar rows served by /v2/calendar, filtered by start/end.</summary>
    public List<(string Date, string Open, string Close)> Calendar { get; } =
    [
        ("2025-01-02", "09:30", "16:00"),
        ("2025-01-03", "09:30", "16:00"),
        ("2025-07-02", "09:30", "16:00"),
        ("2025-07-03", "09:30", "13:00"),
        ("2025-07-07", "09:30", "16:00"),
    ];

    public FakeOrderRefusal Refusal { get; set; }

    /// <summary>When set, the next orders are refused with 422 and this message (code 42210000).</summary>
    public string? Reject422Message { get; set; }

    /// <summary>Books the order, then answers 500 this many times: a response lost after the order landed.</summary>
    public int LoseResponsesAfterBooking { get; set; }

    /// <summary>Send stream messages as binary frames containing JSON, as the paper endpoint does.</summary>
    public bool BinaryFrames { get; set; } = true;

    public bool StreamAuthorizes { get; set; } = true;

    /// <summary>Raw body of every POST /v2/orders, in order.</summary>
    public List<string> OrderBodies { get; } = [];

    /// <summary>Bodies of PATCH /v2/orders/{id} (replace) requests, in arrival order.</summary>
    public List<string> ReplaceBodies { get; } = [];

    /// <summary>Auth messages received on the stream (they contain the key; tests only inspect their shape).</summary>
    public List<string> StreamAuthMessages { get; } = [];

    /// <summary>Parent orders in the book (legs excluded).</summary>
    public int OrderCount
    {
        get
        {
            lock (_gate)
            {
                return _orders.Count(o => !o.IsLeg);
            }
        }
    }

    public FakeTradingOrder Order(string id)
    {
        lock (_gate)
        {
            return _orders.Single(o => o.Id == id);
        }
    }

    /// <summary>Completes once a stream client has authenticated and subscribed to trade_updates.</summary>
    public Task ListeningAsync => _listening.Task;

    public void SetPosition(string symbol, decimal qty, decimal avgEntry, decimal currentPrice)
    {
        lock (_gate)
        {
            _positions[symbol] = (qty, avgEntry, currentPrice);
        }
    }

    /// <summary>accepted → new, with a "new" trade update.</summary>
    public void Acknowledge(string id) => Advance(id, o => o.Status = "new", "new");

    /// <summary>Executes <paramref name="qty"/> at <paramref name="price"/>: partially_filled until the order is complete, then filled.</summary>
    public void Fill(string id, decimal qty, decimal price, DateTime? at = null)
    {
        var now = at ?? DateTime.UtcNow;
        FakeTradingOrder? order = null;
        decimal positionQty;
        lock (_gate)
        {
            order = _orders.Single(o => o.Id == id);
            if (!order.IsOpen || qty <= 0 || order.FilledQty + qty > order.Qty)
            {
                throw new InvalidOperationException($"cannot fill {qty} of {order.Status} order {id}");
            }

            order.FilledAvgPrice = ((order.FilledAvgPrice ?? 0) * order.FilledQty + price * qty) / (order.FilledQty + qty);
            order.FilledQty += qty;
            order.Status = order.FilledQty == order.Qty ? "filled" : "partially_filled";
            order.UpdatedAt = now;
            if (order.Status == "filled")
            {
                order.FilledAt = now;
                foreach (var leg in order.Legs)
                {
                    leg.Status = "new";
                }
            }

            var signed = order.Side == "buy" ? qty : -qty;
            var (q, avg, _) = _positions.TryGetValue(order.Symbol, out var p) ? p : (0m, 0m, price);
            var newQty = q + signed;
            var newAvg = newQty == 0 ? 0 : Math.Sign(q) == Math.Sign(signed) || q == 0 ? (avg * q + price * signed) / newQty : avg;
            if (newQty == 0)
            {
                _positions.Remove(order.Symbol);
            }
            else
            {
                _positions[order.Symbol] = (newQty, newAvg, price);
            }

            positionQty = newQty;
        }

        var ev = order.Status == "filled" ? "fill" : "partial_fill";
        Publish(Update(ev, order, now,
            $",\"execution_id\":\"exec-{Interlocked.Increment(ref _sequence)}\",\"price\":\"{price.ToString(Inv)}\",\"qty\":\"{qty.ToString(Inv)}\",\"position_qty\":\"{positionQty.ToString(Inv)}\""));
    }

    public void Expire(string id) => Advance(id, o => o.Status = "expired", "expired");

    protected override void Map(WebApplication app)
    {
        app.UseWebSockets();
        app.MapGet("/v2/account", ctx => Gated(ctx, () => WriteJsonAsync(ctx, AccountJson)));
        app.MapPost("/v2/orders", ctx => Gated(ctx, () => SubmitAsync(ctx)));
        app.MapGet("/v2/orders", ctx => Gated(ctx, () => ListOrdersAsync(ctx)));
        app.MapGet("/v2/orders:by_client_order_id", ctx => Gated(ctx, () =>
        {
            var coid = ctx.Request.Query["client_order_id"].ToString();
            FakeTradingOrder? o;
            lock (_gate)
            {
                o = _orders.FirstOrDefault(x => x.ClientOrderId == coid);
            }

            return o is null ? NotFoundAsync(ctx) : WriteJsonAsync(ctx, OrderJson(o));
        }));
        app.MapGet("/v2/orders/{id}", (HttpContext ctx, string id) => Gated(ctx, () =>
        {
            FakeTradingOrder? o;
            lock (_gate)
            {
                o = _orders.FirstOrDefault(x => x.Id == id);
            }

            return o is null ? NotFoundAsync(ctx) : WriteJsonAsync(ctx, OrderJson(o));
        }));
        app.MapDelete("/v2/orders/{id}", (HttpContext ctx, string id) => Gated(ctx, () => CancelAsync(ctx, id)));
        app.MapMethods("/v2/orders/{id}", ["PATCH"], (HttpContext ctx, string id) => Gated(ctx, () => ReplaceAsync(ctx, id)));
        app.MapGet("/v2/positions", ctx => Gated(ctx, () => WriteJsonAsync(ctx, PositionsJson())));
        app.MapDelete("/v2/positions/{symbol}", (HttpContext ctx, string symbol) => Gated(ctx, () => ClosePositionAsync(ctx, symbol)));
        app.MapGet("/v2/clock", ctx => Gated(ctx, () => WriteJsonAsync(ctx, ClockJson)));
        app.MapGet("/v2/calendar", ctx => Gated(ctx, () =>
        {
            var start = ctx.Request.Query["start"].ToString();
            var end = ctx.Request.Query["end"].ToString();
            var rows = Calendar.Where(c => string.CompareOrdinal(c.Date, start) >= 0 && string.CompareOrdinal(c.Date, end) <= 0)
                .Select(c => $"{{\"date\":\"{c.Date}\",\"open\":\"{c.Open}\",\"close\":\"{c.Close}\",\"session_open\":\"0400\",\"session_close\":\"2000\",\"settlement_date\":\"{c.Date}\"}}");
            return WriteJsonAsync(ctx, "[" + string.Join(",", rows) + "]");
        }));
        app.Map("/stream", StreamAsync);
    }

    private async Task Gated(HttpContext ctx, Func<Task> handler)
    {
        if (ctx.Request.Headers["APCA-API-KEY-ID"] != ApiKey || ctx.Request.Headers["APCA-API-SECRET-KEY"] != ApiSecret)
        {
            await WriteJsonAsync(ctx, "{\"code\":40110000,\"message\":\"request is not authorized\"}", 401);
            return;
        }

        switch (CurrentFailure())
        {
            case FakeMode.Http429:
                ctx.Response.Headers["X-Ratelimit-Limit"] = "200";
                ctx.Response.Headers["X-Ratelimit-Remaining"] = "0";
                ctx.Response.Headers["X-Ratelimit-Reset"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(Inv);
                await WriteJsonAsync(ctx, "{\"code\":42910000,\"message\":\"rate limit exceeded\"}", 429);
                return;
            case FakeMode.ServerError:
                await WriteJsonAsync(ctx, "{\"code\":50010000,\"message\":\"internal server error occurred\"}", 500);
                return;
            case FakeMode.Unauthorized:
                await WriteJsonAsync(ctx, "{\"code\":40110000,\"message\":\"request is not authorized\"}", 401);
                return;
            case FakeMode.Endless:
                await TryWriteGenericFailureAsync(ctx, FakeMode.Endless, "", "");
                return;
            default:
                await handler();
                return;
        }
    }

    /// <summary>Reads a request's JSON body and logs it in <paramref name="log"/>.</summary>
    private async Task<string> ReadBodyAsync(HttpContext ctx, List<string> log)
    {
        string body;
        using (var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync();
        }

        lock (_gate)
        {
            log.Add(body);
        }

        return body;
    }

    /// <summary>A price or quantity field. Alpaca's examples send numbers as strings; whether JSON numbers are accepted is
    /// unconfirmed, so take both.</summary>
    private static decimal? D(JsonElement e, string n) => e.TryGetProperty(n, out var v)
        ? v.ValueKind switch
        {
            JsonValueKind.String => decimal.Parse(v.GetString()!, NumberStyles.Float, Inv),
            JsonValueKind.Number => v.GetDecimal(),
            _ => null,
        }
        : null;

    private async Task SubmitAsync(HttpContext ctx)
    {
        var body = await ReadBodyAsync(ctx, OrderBodies);
        using var doc = JsonDocument.Parse(body);
        var r = doc.RootElement;
        string? S(JsonElement e, string n) => e.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        Task Unprocessable(string message) => WriteJsonAsync(ctx, JsonSerializer.Serialize(new { code = 40010001, message }), 422);

        if (Refusal == FakeOrderRefusal.PatternDayTrader)
        {
            await WriteJsonAsync(ctx, "{\"code\":40310100,\"message\":\"trade denied due to pattern day trading protection\"}", 403);
            return;
        }

        if (Refusal == FakeOrderRefusal.InsufficientBuyingPower)
        {
            await WriteJsonAsync(ctx, "{\"code\":40310000,\"message\":\"insufficient buying power\"}", 403);
            return;
        }

        if (Reject422Message is { } rejection)
        {
            await WriteJsonAsync(ctx, JsonSerializer.Serialize(new { code = 42210000, message = rejection }), 422);
            return;
        }

        var symbol = S(r, "symbol");
        var qty = D(r, "qty");
        var type = S(r, "type") ?? "market";
        if (symbol is null || qty is not > 0)
        {
            await Unprocessable("qty must be > 0");
            return;
        }

        if (type is "limit" or "stop_limit" && D(r, "limit_price") is null)
        {
            await Unprocessable("limit_price is required");
            return;
        }

        if (type is "stop" or "stop_limit" && D(r, "stop_price") is null)
        {
            await Unprocessable("stop_price is required");
            return;
        }

        var orderClass = S(r, "order_class") ?? "";
        var hasTp = r.TryGetProperty("take_profit", out var tp);
        var hasSl = r.TryGetProperty("stop_loss", out var sl);
        if (orderClass == "bracket" && (!hasTp || !hasSl || D(tp, "limit_price") is null || D(sl, "stop_price") is null))
        {
            await Unprocessable("bracket orders require take_profit.limit_price and stop_loss.stop_price");
            return;
        }

        if (orderClass == "oto" && !(hasTp && D(tp, "limit_price") is not null) && !(hasSl && D(sl, "stop_price") is not null))
        {
            await Unprocessable("oto orders require either take_profit or stop_loss");
            return;
        }

        var coid = S(r, "client_order_id") ?? Guid.NewGuid().ToString();
        var now = DateTime.UtcNow;
        FakeTradingOrder order;
        lock (_gate)
        {
            if (_orders.Any(o => o.ClientOrderId == coid))
            {
                order = null!;
            }
            else
            {
                var side = S(r, "side") ?? "buy";
                var tif = S(r, "time_in_force") ?? "day";
                order = new FakeTradingOrder
                {
                    Id = Guid.NewGuid().ToString(),
                    ClientOrderId = coid,
                    Symbol = symbol,
                    Side = side,
                    Type = type,
                    TimeInForce = tif,
                    Qty = qty.Value,
                    LimitPrice = D(r, "limit_price"),
                    StopPrice = D(r, "stop_price"),
                    OrderClass = orderClass,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                if (orderClass == "bracket")
                {
                    var exit = side == "buy" ? "sell" : "buy";
                    order.Legs.Add(new FakeTradingOrder
                    {
                        Id = Guid.NewGuid().ToString(),
                        ClientOrderId = Guid.NewGuid().ToString(),
                        Symbol = symbol,
                        Side = exit,
                        Type = "limit",
                        TimeInForce = tif,
                        Qty = qty.Value,
                        LimitPrice = D(tp, "limit_price"),
                        IsLeg = true,
                        OrderClass = "bracket",
                        CreatedAt = now,
                        UpdatedAt = now,
                        Status = "held",
                    });
                    order.Legs.Add(new FakeTradingOrder
                    {
                        Id = Guid.NewGuid().ToString(),
                        ClientOrderId = Guid.NewGuid().ToString(),
                        Symbol = symbol,
                        Side = exit,
                        Type = D(sl, "limit_price") is null ? "stop" : "stop_limit",
                        TimeInForce = tif,
                        Qty = qty.Value,
                        StopPrice = D(sl, "stop_price"),
                        LimitPrice = D(sl, "limit_price"),
                        IsLeg = true,
                        OrderClass = "bracket",
                        CreatedAt = now,
                        UpdatedAt = now,
                        Status = "held",
                    });
                }

                if (orderClass == "oto" && hasSl)
                {
                    // One-triggers-other: the stop loss is held until its parent fills, then rests.
                    order.Legs.Add(new FakeTradingOrder
                    {
                        Id = Guid.NewGuid().ToString(),
                        ClientOrderId = Guid.NewGuid().ToString(),
                        Symbol = symbol,
                        Side = side == "buy" ? "sell" : "buy",
                        Type = "stop",
                        TimeInForce = tif,
                        Qty = qty.Value,
                        StopPrice = D(sl, "stop_price"),
                        IsLeg = true,
                        OrderClass = "oto",
                        CreatedAt = now,
                        UpdatedAt = now,
                        Status = "held",
                    });
                }

                _orders.Add(order);
                _orders.AddRange(order.Legs);
            }
        }

        if (order is null)
        {
            await Unprocessable("client_order_id must be unique");
            return;
        }

        if (LoseResponsesAfterBooking > 0)
        {
            LoseResponsesAfterBooking--;
            await WriteJsonAsync(ctx, "{\"code\":50010000,\"message\":\"internal server error occurred\"}", 500);
            return;
        }

        await WriteJsonAsync(ctx, OrderJson(order));
    }

    private Task ListOrdersAsync(HttpContext ctx)
    {
        var status = ctx.Request.Query["status"].Count > 0 ? ctx.Request.Query["status"].ToString() : "open";
        var limit = int.TryParse(ctx.Request.Query["limit"], out var l) ? l : 50;
        List<FakeTradingOrder> rows;
        lock (_gate)
        {
            rows = _orders.Where(o => !o.IsLeg && status switch
            {
                "open" => o.IsOpen,
                "closed" => !o.IsOpen,
                _ => true,
            }).OrderByDescending(o => o.CreatedAt).Take(limit).ToList();
        }

        return WriteJsonAsync(ctx, "[" + string.Join(",", rows.Select(OrderJson)) + "]");
    }

    /// <summary>PATCH /v2/orders/{id}: a new order (new id) takes the open one's place; the old one ends as replaced.</summary>
    private async Task ReplaceAsync(HttpContext ctx, string id)
    {
        var body = await ReadBodyAsync(ctx, ReplaceBodies);
        using var doc = JsonDocument.Parse(body);
        var r = doc.RootElement;
        FakeTradingOrder? replacing = null;
        FakeTradingOrder? old;
        var now = DateTime.UtcNow;
        lock (_gate)
        {
            old = _orders.FirstOrDefault(o => o.Id == id);
            if (old is { IsOpen: true } && old.Status != "held")
            {
                replacing = new FakeTradingOrder
                {
                    Id = Guid.NewGuid().ToString(),
                    ClientOrderId = r.TryGetProperty("client_order_id", out var c) ? c.GetString()! : Guid.NewGuid().ToString(),
                    Symbol = old.Symbol,
                    Side = old.Side,
                    Type = old.Type,
                    TimeInForce = old.TimeInForce,
                    Qty = D(r, "qty") ?? old.Qty,
                    LimitPrice = D(r, "limit_price") ?? old.LimitPrice,
                    StopPrice = D(r, "stop_price") ?? old.StopPrice,
                    // Listed on its own: the book lists parents, and the replacing order has no parent to hang from.
                    OrderClass = old.OrderClass,
                    CreatedAt = now,
                    UpdatedAt = now,
                    Status = "new",
                    Replaces = old.Id,
                };
                old.Status = "replaced";
                old.ReplacedBy = replacing.Id;
                old.UpdatedAt = now;
                _orders.Add(replacing);
            }
        }

        if (old is null)
        {
            await NotFoundAsync(ctx);
            return;
        }

        if (replacing is null)
        {
            await WriteJsonAsync(ctx, "{\"code\":42210000,\"message\":\"order is not replaceable\"}", 422);
            return;
        }

        Publish(Update("replaced", old, now, ""));
        await WriteJsonAsync(ctx, OrderJson(replacing));
    }

    private async Task CancelAsync(HttpContext ctx, string id)
    {
        FakeTradingOrder? order;
        var canceled = false;
        lock (_gate)
        {
            order = _orders.FirstOrDefault(o => o.Id == id);
            if (order is { IsOpen: true })
            {
                order.Status = "canceled";
                order.CanceledAt = order.UpdatedAt = DateTime.UtcNow;
                foreach (var leg in order.Legs)
                {
                    leg.Status = "canceled";
                }

                canceled = true;
            }
        }

        if (order is null)
        {
            await NotFoundAsync(ctx);
            return;
        }

        if (!canceled)
        {
            await WriteJsonAsync(ctx, "{\"code\":42210000,\"message\":\"order is not cancelable\"}", 422);
            return;
        }

        Publish(Update("canceled", order, order.UpdatedAt, ""));
        ctx.Response.StatusCode = 204;
    }

    /// <summary>Closing books a market order for the opposite side and fills it at the last price at once.</summary>
    private async Task ClosePositionAsync(HttpContext ctx, string symbol)
    {
        (decimal Qty, decimal Avg, decimal Price) position;
        lock (_gate)
        {
            if (!_positions.TryGetValue(symbol, out position))
            {
                position = default;
            }
        }

        if (position.Qty == 0)
        {
            await WriteJsonAsync(ctx, "{\"code\":40410000,\"message\":\"position does not exist\"}", 404);
            return;
        }

        var now = DateTime.UtcNow;
        var order = new FakeTradingOrder
        {
            Id = Guid.NewGuid().ToString(),
            ClientOrderId = Guid.NewGuid().ToString(),
            Symbol = symbol,
            Side = position.Qty > 0 ? "sell" : "buy",
            Type = "market",
            TimeInForce = "day",
            Qty = Math.Abs(position.Qty),
            CreatedAt = now,
            UpdatedAt = now,
        };
        lock (_gate)
        {
            _orders.Add(order);
        }

        var json = OrderJson(order);
        Fill(order.Id, order.Qty, position.Price, now);
        await WriteJsonAsync(ctx, json);
    }

    private async Task StreamAsync(HttpContext ctx)
    {
        if (!ctx.WebSockets.IsWebSocketRequest || RefuseStreams)
        {
            ctx.Response.StatusCode = RefuseStreams ? 503 : 400;
            return;
        }

        using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
        var token = ctx.RequestAborted;
        var auth = await ReceiveAsync(socket, token);
        if (auth is null)
        {
            return;
        }

        lock (_gate)
        {
            StreamAuthMessages.Add(auth);
        }

        using (var a = JsonDocument.Parse(auth))
        {
            var data = a.RootElement.TryGetProperty("data", out var d) ? d : a.RootElement;
            string? Field(params string[] names) => names.Select(n => data.TryGetProperty(n, out var v) ? v.GetString() : null).FirstOrDefault(v => v is not null);
            var ok = StreamAuthorizes && Field("key_id", "key") == ApiKey && Field("secret_key", "secret") == ApiSecret;
            await SendAsync(socket, $"{{\"stream\":\"authorization\",\"data\":{{\"status\":\"{(ok ? "authorized" : "unauthorized")}\",\"action\":\"authenticate\"}}}}", token);
            if (!ok)
            {
                await socket.CloseAsync(WebSocketCloseStatus.PolicyViolation, "unauthorized", token);
                return;
            }
        }

        var listen = await ReceiveAsync(socket, token);
        if (listen is null)
        {
            return;
        }

        var channel = Channel.CreateUnbounded<string>();
        lock (_gate)
        {
            _subscribers.Add(channel);
            _streamContexts.Add(ctx);
            Interlocked.Increment(ref _listens);
        }

        await SendAsync(socket, "{\"stream\":\"listening\",\"data\":{\"streams\":[\"trade_updates\"]}}", token);
        _listening.TrySetResult();
        try
        {
            await foreach (var message in channel.Reader.ReadAllAsync(token))
            {
                await SendAsync(socket, message, token);
            }

            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // The client went away; nothing to tidy beyond unsubscribing.
        }
        finally
        {
            lock (_gate)
            {
                _subscribers.Remove(channel);
                _streamContexts.Remove(ctx);
            }
        }
    }

    /// <summary>Stream connections refused (HTTP 503 on the upgrade) while set: the trading stream is down.</summary>
    public bool RefuseStreams { get; set; }

    /// <summary>How many stream connections have authenticated and listened.</summary>
    public int Listens => Volatile.Read(ref _listens);

    /// <summary>Aborts every stream connection without a close handshake (a dropped TCP connection).</summary>
    public void DropStreams()
    {
        lock (_gate)
        {
            foreach (var ctx in _streamContexts)
            {
                ctx.Abort();
            }

            _streamContexts.Clear();
            _subscribers.Clear();
        }
    }

    /// <summary>Ends every stream connection with a normal close after the queued events are sent.</summary>
    public void CloseStreams()
    {
        lock (_gate)
        {
            foreach (var s in _subscribers)
            {
                s.Writer.TryComplete();
            }
        }
    }

    private void Advance(string id, Action<FakeTradingOrder> change, string ev)
    {
        FakeTradingOrder order;
        lock (_gate)
        {
            order = _orders.Single(o => o.Id == id);
            change(order);
            order.UpdatedAt = DateTime.UtcNow;
        }

        Publish(Update(ev, order, order.UpdatedAt, ""));
    }

    private string Update(string ev, FakeTradingOrder order, DateTime at, string extra) =>
        $"{{\"stream\":\"trade_updates\",\"data\":{{\"event\":\"{ev}\",\"timestamp\":\"{Time(at)}\",\"order\":{OrderJson(order)}{extra}}}}}";

    private void Publish(string message)
    {
        lock (_gate)
        {
            foreach (var s in _subscribers)
            {
                s.Writer.TryWrite(message);
            }
        }
    }

    private Task SendAsync(WebSocket socket, string text, CancellationToken token) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), BinaryFrames ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, token);

    private static async Task<string?> ReceiveAsync(WebSocket socket, CancellationToken token)
    {
        var buffer = new byte[4096];
        using var ms = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            ms.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return Encoding.UTF8.GetString(ms.ToArray());
            }
        }
    }

    private static Task NotFoundAsync(HttpContext ctx) =>
        WriteJsonAsync(ctx, "{\"code\":40410000,\"message\":\"order not found for the given id\"}", 404);

    private string PositionsJson()
    {
        lock (_gate)
        {
            return "[" + string.Join(",", _positions.Select(p =>
            {
                var (qty, avg, price) = p.Value;
                return $"{{\"asset_id\":\"904837e3-3b76-47ec-b432-046db621571b\",\"symbol\":\"{p.Key}\",\"exchange\":\"NASDAQ\",\"asset_class\":\"us_equity\"," +
                    $"\"avg_entry_price\":\"{avg.ToString(Inv)}\",\"qty\":\"{qty.ToString(Inv)}\",\"qty_available\":\"{qty.ToString(Inv)}\",\"side\":\"{(qty < 0 ? "short" : "long")}\"," +
                    $"\"market_value\":\"{(qty * price).ToString(Inv)}\",\"cost_basis\":\"{(qty * avg).ToString(Inv)}\",\"unrealized_pl\":\"{(qty * (price - avg)).ToString(Inv)}\"," +
                    $"\"unrealized_plpc\":\"0\",\"current_price\":\"{price.ToString(Inv)}\",\"lastday_price\":\"{price.ToString(Inv)}\",\"change_today\":\"0\"}}";
            })) + "]";
        }
    }

    private static string OrderJson(FakeTradingOrder o)
    {
        static string Q(decimal? d) => d is { } v ? $"\"{v.ToString(Inv)}\"" : "null";
        static string T(DateTime? t) => t is { } v ? $"\"{Time(v)}\"" : "null";
        var legs = o.Legs.Count == 0 ? "null" : "[" + string.Join(",", o.Legs.Select(OrderJson)) + "]";
        return $"{{\"id\":\"{o.Id}\",\"client_order_id\":\"{o.ClientOrderId}\",\"created_at\":{T(o.CreatedAt)},\"updated_at\":{T(o.UpdatedAt)}," +
            $"\"submitted_at\":{T(o.CreatedAt)},\"filled_at\":{T(o.FilledAt)},\"expired_at\":null,\"canceled_at\":{T(o.CanceledAt)},\"failed_at\":null," +
            $"\"replaced_at\":null,\"replaced_by\":null,\"replaces\":null,\"asset_id\":\"b0b6dd9d-8b9b-48a9-ba46-b9d54906e415\",\"symbol\":\"{o.Symbol}\"," +
            $"\"asset_class\":\"us_equity\",\"notional\":null,\"qty\":{Q(o.Qty)},\"filled_qty\":{Q(o.FilledQty)},\"filled_avg_price\":{Q(o.FilledAvgPrice)}," +
            $"\"order_class\":\"{o.OrderClass}\",\"order_type\":\"{o.Type}\",\"type\":\"{o.Type}\",\"side\":\"{o.Side}\",\"time_in_force\":\"{o.TimeInForce}\"," +
            $"\"limit_price\":{Q(o.LimitPrice)},\"stop_price\":{Q(o.StopPrice)},\"status\":\"{o.Status}\",\"extended_hours\":false,\"legs\":{legs}," +
            $"\"trail_percent\":null,\"trail_price\":null,\"hwm\":null}}";
    }

    private static string Time(DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", Inv);
}
