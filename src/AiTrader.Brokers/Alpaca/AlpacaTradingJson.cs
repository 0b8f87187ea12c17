using System.Globalization;
using System.Text;
using System.Text.Json;
using AiTrader.Core.Brokers;
using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;
using AiTrader.MarketData;

namespace AiTrader.Brokers.Alpaca;

/// <summary>Alpaca Trading API v2 wire format: request bodies out, entities in. Money and quantities travel as strings.</summary>
public static class AlpacaTradingJson
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>A symbol from the broker, through the one ticker parser: anything else is a malformed answer.</summary>
    private static Symbol ParseSymbol(string text) =>
        Symbol.TryParse(text, out var symbol, out var error) ? symbol : throw new FormatException($"the broker sent a symbol that is not a ticker: {error}");

    /// <summary>The PATCH /v2/orders/{id} body: only the fields that change, numbers as strings.</summary>
    public static string ReplaceRequestBody(BrokerOrderReplacement replacement)
    {
        ArgumentNullException.ThrowIfNull(replacement);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            if (replacement.Quantity is { } qty)
            {
                w.WriteString("qty", Number(qty));
            }

            if (replacement.LimitPrice is { } lp)
            {
                w.WriteString("limit_price", Number(lp));
            }

            if (replacement.StopPrice is { } sp)
            {
                w.WriteString("stop_price", Number(sp));
            }

            if (replacement.ClientOrderId is { } id)
            {
                w.WriteString("client_order_id", id);
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The POST /v2/orders body. Numbers are sent as strings, as Alpaca's own examples do, so no precision is lost.</summary>
    public static string OrderRequestBody(BrokerOrderRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("symbol", request.Symbol.Value);
            w.WriteString("qty", Number(request.Quantity));
            w.WriteString("side", request.Side == OrderSide.Buy ? "buy" : "sell");
            w.WriteString("type", TypeName(request.Type));
            w.WriteString("time_in_force", request.TimeInForce.ToString().ToLowerInvariant());
            if (request.LimitPrice is { } lp)
            {
                w.WriteString("limit_price", Number(lp));
            }

            if (request.StopPrice is { } sp)
            {
                w.WriteString("stop_price", Number(sp));
            }

            w.WriteString("client_order_id", request.ClientOrderId);
            if (request.ExtendedHours)
            {
                w.WriteBoolean("extended_hours", true);
            }

            if (request.StopLoss is { } stopLoss)
            {
                // One-triggers-other: the stop loss is held by Alpaca until the entry fills, then rests.
                w.WriteString("order_class", "oto");
                w.WriteStartObject("stop_loss");
                w.WriteString("stop_price", Number(stopLoss));
                w.WriteEndObject();
            }

            if (request.Bracket is { } b)
            {
                w.WriteString("order_class", "bracket");
                w.WriteStartObject("take_profit");
                w.WriteString("limit_price", Number(b.TakeProfitLimitPrice));
                w.WriteEndObject();
                w.WriteStartObject("stop_loss");
                w.WriteString("stop_price", Number(b.StopLossStopPrice));
                if (b.StopLossLimitPrice is { } sll)
                {
                    w.WriteString("limit_price", Number(sll));
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The trade_updates stream authentication message (the documented "authenticate" form).</summary>
    public static string StreamAuthMessage(string key, string secret) =>
        JsonSerializer.Serialize(new { action = "authenticate", data = new { key_id = key, secret_key = secret } });

    public static string StreamListenMessage() => """{"action":"listen","data":{"streams":["trade_updates"]}}""";

    public static BrokerAccount ParseAccount(JsonElement e) => new(
        Str(e, "id") ?? "",
        Str(e, "status") ?? "",
        Str(e, "currency") ?? "USD",
        Dec(e, "equity"),
        OptDec(e, "last_equity") ?? 0,
        Dec(e, "cash"),
        Dec(e, "buying_power"),
        OptDec(e, "daytrading_buying_power") ?? 0,
        OptDec(e, "regt_buying_power") ?? 0,
        OptDec(e, "multiplier") ?? 1,
        OptDec(e, "long_market_value") ?? 0,
        OptDec(e, "short_market_value") ?? 0,
        // Alpaca dropped the PDT fields from newer account payloads; absent means "not flagged, none counted".
        Bool(e, "pattern_day_trader"),
        (int)(OptDec(e, "daytrade_count") ?? 0),
        Bool(e, "trading_blocked"),
        Bool(e, "account_blocked"),
        Bool(e, "transfers_blocked"),
        Bool(e, "trade_suspended_by_user"),
        Bool(e, "shorting_enabled"))
    {
        AccountNumber = Str(e, "account_number"),
    };

    public static BrokerOrder ParseOrder(JsonElement e)
    {
        Expect(e, JsonValueKind.Object, "order");
        var legs = e.TryGetProperty("legs", out var l) && l.ValueKind == JsonValueKind.Array
            ? l.EnumerateArray().Select(ParseOrder).ToList()
            : [];
        var type = Str(e, "type") ?? Str(e, "order_type");
        return new BrokerOrder(
            Required(e, "id"),
            Str(e, "client_order_id") ?? "",
            ParseSymbol(Required(e, "symbol")),
            Required(e, "side") switch
            {
                "buy" => OrderSide.Buy,
                "sell" => OrderSide.Sell,
                var s => throw Malformed($"unknown order side '{s}'"),
            },
            ParseType(type),
            ParseTimeInForce(Str(e, "time_in_force")),
            ParseStatus(Str(e, "status")),
            OptDec(e, "qty") ?? 0,
            OptDec(e, "filled_qty") ?? 0,
            OptDec(e, "filled_avg_price"),
            OptDec(e, "limit_price"),
            OptDec(e, "stop_price"),
            Time(e, "created_at") ?? Time(e, "submitted_at") ?? throw Malformed("order has no created_at"),
            Time(e, "updated_at"),
            Time(e, "submitted_at"),
            Time(e, "filled_at"),
            (Str(e, "order_class") ?? "") switch
            {
                "bracket" => BrokerOrderClass.Bracket,
                "oco" => BrokerOrderClass.Oco,
                "oto" => BrokerOrderClass.Oto,
                _ => BrokerOrderClass.Simple,
            },
            OptDec(e, "notional"),
            legs);
    }

    public static BrokerPosition ParsePosition(JsonElement e)
    {
        Expect(e, JsonValueKind.Object, "position");
        var qty = Dec(e, "qty");
        // Alpaca reports shorts with side "short"; sign the quantity whatever sign the string carries.
        var signed = string.Equals(Str(e, "side"), "short", StringComparison.OrdinalIgnoreCase) ? -Math.Abs(qty) : qty;
        return new BrokerPosition(
            ParseSymbol(Required(e, "symbol")),
            signed,
            Dec(e, "avg_entry_price"),
            OptDec(e, "current_price"),
            OptDec(e, "market_value"),
            OptDec(e, "cost_basis"),
            OptDec(e, "unrealized_pl"));
    }

    public static BrokerClock ParseClock(JsonElement e) => new(
        Time(e, "timestamp") ?? throw Malformed("clock has no timestamp"),
        e.TryGetProperty("is_open", out var o) && o.ValueKind == JsonValueKind.True,
        Time(e, "next_open") ?? throw Malformed("clock has no next_open"),
        Time(e, "next_close") ?? throw Malformed("clock has no next_close"));

    /// <summary>Calendar times are New York wall-clock ("09:30", session bounds "0400"); converted per date so DST is right.</summary>
    public static BrokerCalendarDay ParseCalendarDay(JsonElement e)
    {
        var dateText = Required(e, "date");
        if (!DateOnly.TryParseExact(dateText, "yyyy-MM-dd", Inv, DateTimeStyles.None, out var date))
        {
            throw Malformed($"calendar date '{dateText}' is not yyyy-MM-dd");
        }

        DateTime? At(string field)
        {
            var text = Str(e, field);
            if (text is null)
            {
                return null;
            }

            string[] formats = ["HH:mm", "HHmm", "HH:mm:ss"];
            if (!TimeOnly.TryParseExact(text, formats, Inv, DateTimeStyles.None, out var t))
            {
                throw Malformed($"calendar {field} '{text}' is not HH:MM");
            }

            return ExchangeTime.ToUtc(date, t);
        }

        return new BrokerCalendarDay(date,
            At("open") ?? throw Malformed("calendar day has no open"),
            At("close") ?? throw Malformed("calendar day has no close"),
            At("session_open"),
            At("session_close"));
    }

    /// <summary>The data object of a trade_updates message.</summary>
    public static TradeUpdate ParseTradeUpdate(JsonElement data)
    {
        Expect(data, JsonValueKind.Object, "trade update");
        var raw = Required(data, "event");
        if (!data.TryGetProperty("order", out var order))
        {
            throw Malformed($"trade update '{raw}' has no order");
        }

        return new TradeUpdate(
            ParseEvent(raw),
            raw,
            ParseOrder(order),
            Time(data, "timestamp"),
            OptDec(data, "price"),
            OptDec(data, "qty"),
            OptDec(data, "position_qty"),
            Str(data, "execution_id"));
    }

    public static BrokerOrderStatus ParseStatus(string? status) => status switch
    {
        "pending_new" => BrokerOrderStatus.PendingNew,
        "accepted" => BrokerOrderStatus.Accepted,
        "new" => BrokerOrderStatus.New,
        "partially_filled" => BrokerOrderStatus.PartiallyFilled,
        "filled" => BrokerOrderStatus.Filled,
        "done_for_day" => BrokerOrderStatus.DoneForDay,
        "pending_cancel" => BrokerOrderStatus.PendingCancel,
        "canceled" or "cancelled" => BrokerOrderStatus.Cancelled,
        "expired" => BrokerOrderStatus.Expired,
        "pending_replace" => BrokerOrderStatus.PendingReplace,
        "replaced" => BrokerOrderStatus.Replaced,
        "rejected" => BrokerOrderStatus.Rejected,
        "suspended" => BrokerOrderStatus.Suspended,
        "stopped" => BrokerOrderStatus.Stopped,
        "calculated" => BrokerOrderStatus.Calculated,
        "accepted_for_bidding" => BrokerOrderStatus.AcceptedForBidding,
        "held" => BrokerOrderStatus.Held,
        _ => BrokerOrderStatus.Unknown,
    };

    public static string StatusFilterName(OrderStatusFilter filter) => filter switch
    {
        OrderStatusFilter.Open => "open",
        OrderStatusFilter.Closed => "closed",
        _ => "all",
    };

    public static TradeUpdateEvent ParseEvent(string raw) => raw switch
    {
        "new" => TradeUpdateEvent.New,
        "fill" => TradeUpdateEvent.Fill,
        "partial_fill" => TradeUpdateEvent.PartialFill,
        "canceled" => TradeUpdateEvent.Canceled,
        "expired" => TradeUpdateEvent.Expired,
        "done_for_day" => TradeUpdateEvent.DoneForDay,
        "replaced" => TradeUpdateEvent.Replaced,
        "rejected" => TradeUpdateEvent.Rejected,
        "pending_new" => TradeUpdateEvent.PendingNew,
        "stopped" => TradeUpdateEvent.Stopped,
        "pending_cancel" => TradeUpdateEvent.PendingCancel,
        "pending_replace" => TradeUpdateEvent.PendingReplace,
        "calculated" => TradeUpdateEvent.Calculated,
        "suspended" => TradeUpdateEvent.Suspended,
        "order_replace_rejected" => TradeUpdateEvent.OrderReplaceRejected,
        "order_cancel_rejected" => TradeUpdateEvent.OrderCancelRejected,
        _ => TradeUpdateEvent.Unknown,
    };

    private static BrokerOrderType ParseType(string? type) => type switch
    {
        "market" => BrokerOrderType.Market,
        "limit" => BrokerOrderType.Limit,
        "stop" => BrokerOrderType.Stop,
        "stop_limit" => BrokerOrderType.StopLimit,
        "trailing_stop" => BrokerOrderType.TrailingStop,
        _ => throw Malformed($"unknown order type '{type}'"),
    };

    private static TimeInForce ParseTimeInForce(string? tif) => tif switch
    {
        "gtc" => TimeInForce.Gtc,
        "opg" => TimeInForce.Opg,
        "cls" => TimeInForce.Cls,
        "ioc" => TimeInForce.Ioc,
        "fok" => TimeInForce.Fok,
        _ => TimeInForce.Day,
    };

    private static string TypeName(BrokerOrderType type) => type switch
    {
        BrokerOrderType.Market => "market",
        BrokerOrderType.Limit => "limit",
        BrokerOrderType.Stop => "stop",
        BrokerOrderType.StopLimit => "stop_limit",
        _ => "trailing_stop",
    };

    private static string Number(decimal d) => d.ToString(Inv);

    private static void Expect(JsonElement e, JsonValueKind kind, string what)
    {
        if (e.ValueKind != kind)
        {
            throw Malformed($"{what} is {e.ValueKind}, expected {kind}");
        }
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Required(JsonElement e, string name) => Str(e, name) ?? throw Malformed($"field '{name}' is missing");

    private static bool Bool(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static decimal Dec(JsonElement e, string name) => OptDec(e, name) ?? throw Malformed($"field '{name}' is missing or not a number");

    /// <summary>Strings are parsed with decimal.Parse so "105.8988475" stays exactly that; JSON numbers are accepted too.</summary>
    private static decimal? OptDec(JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var v))
        {
            return null;
        }

        switch (v.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String when string.IsNullOrEmpty(v.GetString()):
                return null;
            case JsonValueKind.String when decimal.TryParse(v.GetString(), NumberStyles.Float, Inv, out var d):
                return d;
            case JsonValueKind.Number when v.TryGetDecimal(out var n):
                return n;
            default:
                throw Malformed($"field '{name}' is not a number ({KeyRedactor.OneLine(v.GetRawText(), 40)})");
        }
    }

    private static DateTime? Time(JsonElement e, string name)
    {
        var text = Str(e, name);
        if (text is null)
        {
            return null;
        }

        if (!DateTimeOffset.TryParse(text, Inv, DateTimeStyles.AssumeUniversal, out var dto))
        {
            throw Malformed($"field '{name}' is not an RFC-3339 time ('{KeyRedactor.OneLine(text, 40)}')");
        }

        return dto.UtcDateTime;
    }

    private static FormatException Malformed(string what) => new(what);
}
