using AiTrader.Core.Domain;

namespace AiTrader.Core.Brokers;

/// <summary>Order types a broker accepts (trailing stops are not used by the platform).</summary>
public enum BrokerOrderType
{
    Market,
    Limit,
    Stop,
    StopLimit,

    /// <summary>Reported for orders placed elsewhere; the platform does not submit trailing stops.</summary>
    TrailingStop,
}

/// <summary>How long an order stays working.</summary>
public enum TimeInForce
{
    Day,
    Gtc,
    Opg,
    Cls,
    Ioc,
    Fok,
}

/// <summary>Simple orders stand alone; a bracket adds a take-profit limit and a stop-loss that cancel each other.</summary>
public enum BrokerOrderClass
{
    Simple,
    Bracket,
    Oco,
    Oto,
}

/// <summary>The two exit legs of a bracket order; a <see cref="StopLossLimitPrice"/> makes the stop leg stop-limit.</summary>
public sealed record BracketLegs(decimal TakeProfitLimitPrice, decimal StopLossStopPrice, decimal? StopLossLimitPrice = null);

/// <summary>A request to open or close a position. Quantity is positive; the side gives direction.</summary>
/// <param name="ClientOrderId">The caller's idempotency key (at most 48 characters): the same intent must always get the same id.</param>
/// <param name="StopLoss">A protective stop placed when this entry fills (one-triggers-other: Alpaca's <c>oto</c> order
/// class with a <c>stop_loss</c>); null for none.</param>
public sealed record BrokerOrderRequest(
    string ClientOrderId,
    Symbol Symbol,
    OrderSide Side,
    decimal Quantity,
    BrokerOrderType Type = BrokerOrderType.Market,
    TimeInForce TimeInForce = TimeInForce.Day,
    decimal? LimitPrice = null,
    decimal? StopPrice = null,
    BracketLegs? Bracket = null,
    bool ExtendedHours = false,
    decimal? StopLoss = null)
{
    public const int MaxClientOrderIdLength = 48;

    /// <summary>Throws <see cref="ArgumentException"/> when the request cannot be valid at any broker.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ClientOrderId) || ClientOrderId.Length > MaxClientOrderIdLength)
        {
            throw new ArgumentException($"ClientOrderId must be 1-{MaxClientOrderIdLength} characters.", nameof(ClientOrderId));
        }

        if (Quantity <= 0)
        {
            throw new ArgumentException($"Quantity must be positive (got {Quantity}).", nameof(Quantity));
        }

        if (Type == BrokerOrderType.TrailingStop)
        {
            throw new ArgumentException("Trailing-stop orders are not submitted by the platform.", nameof(Type));
        }

        var needsLimit = Type is BrokerOrderType.Limit or BrokerOrderType.StopLimit;
        var needsStop = Type is BrokerOrderType.Stop or BrokerOrderType.StopLimit;
        if (needsLimit != LimitPrice.HasValue)
        {
            throw new ArgumentException($"{Type} orders {(needsLimit ? "need" : "take no")} a limit price.", nameof(LimitPrice));
        }

        if (needsStop != StopPrice.HasValue)
        {
            throw new ArgumentException($"{Type} orders {(needsStop ? "need" : "take no")} a stop price.", nameof(StopPrice));
        }

        if (LimitPrice <= 0 || StopPrice <= 0)
        {
            throw new ArgumentException("Prices must be positive.");
        }

        if (StopLoss is { } stopLoss)
        {
            if (Bracket is not null)
            {
                throw new ArgumentException("An order takes a bracket or a stop loss, not both.", nameof(StopLoss));
            }

            // A buy's protective stop sits below where it buys, a sell's above; a limit says where that is.
            var wrongSide = LimitPrice is { } at && (Side == OrderSide.Buy ? stopLoss >= at : stopLoss <= at);
            if (stopLoss <= 0 || wrongSide)
            {
                throw new ArgumentException($"A {Side} entry's stop loss ({stopLoss}) must be positive and on the losing side of its limit.", nameof(StopLoss));
            }
        }

        if (Bracket is { } b)
        {
            if (b.TakeProfitLimitPrice <= 0 || b.StopLossStopPrice <= 0 || b.StopLossLimitPrice <= 0)
            {
                throw new ArgumentException("Bracket prices must be positive.", nameof(Bracket));
            }

            // A buy's take-profit sits above its stop-loss, a sell's below: anything else exits at a loss both ways.
            var ordered = Side == OrderSide.Buy ? b.TakeProfitLimitPrice > b.StopLossStopPrice : b.TakeProfitLimitPrice < b.StopLossStopPrice;
            if (!ordered)
            {
                throw new ArgumentException(
                    $"A {Side} bracket needs the take-profit ({b.TakeProfitLimitPrice}) {(Side == OrderSide.Buy ? "above" : "below")} the stop-loss ({b.StopLossStopPrice}).",
                    nameof(Bracket));
            }
        }
    }
}

/// <summary>What a replace (Alpaca's <c>PATCH /v2/orders/{id}</c>) changes; null fields keep the order's value.</summary>
/// <param name="ClientOrderId">The client order id of the replacing order (a broker that replaces gives it a new order id).</param>
public sealed record BrokerOrderReplacement(
    decimal? Quantity = null,
    decimal? LimitPrice = null,
    decimal? StopPrice = null,
    string? ClientOrderId = null);
