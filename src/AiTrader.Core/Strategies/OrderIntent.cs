using AiTrader.Core.Domain;
using AiTrader.Core.Signals.Regimes;

namespace AiTrader.Core.Strategies;

/// <summary>What an <see cref="OrderIntent"/> asks the driver to do.</summary>
public enum IntentKind
{
    /// <summary>Open (or add to) a position at the next opportunity (market, or a limit).</summary>
    Entry,

    /// <summary>Close the whole position with a market order at the next opportunity.</summary>
    Exit,

    /// <summary>Replace the resting protective stop of the open position.</summary>
    MoveStop,
}

/// <summary>A strategy's request for an order: kind, side, type, quantity, protective stop and a human-readable reason.</summary>
/// <param name="Kind">Entry, exit or stop move.</param>
/// <param name="Side">The order side (an exit of a long sells; a stop for a short buys).</param>
/// <param name="Type">Market for entries and exits, Stop for stop moves.</param>
/// <param name="Quantity">Shares for an entry the strategy sized itself; null for an entry the order router sizes (from
/// <paramref name="Sizing"/>), and for exits and stops, which always cover the whole position.</param>
/// <param name="StopPrice">For an entry, the protective stop to rest once it fills (null for none); for a stop move, the new level.</param>
/// <param name="Reason">Why, in the trader's words; journaled on the order.</param>
/// <param name="LimitPrice">For a limit entry, the worst price it may fill at; null for market orders.</param>
/// <param name="Sizing">For an unsized entry: what the sizing stage needs from the strategy (its base risk, and the
/// signal's win probability and regime when it has them).</param>
public sealed record OrderIntent(
    IntentKind Kind,
    OrderSide Side,
    OrderType Type,
    decimal? Quantity,
    decimal? StopPrice,
    string Reason,
    decimal? LimitPrice = null,
    SizingHints? Sizing = null)
{
    /// <summary>The position side this intent opens (entries) or acts on (exits, stops).</summary>
    public PositionSide PositionSide => Kind == IntentKind.Entry
        ? (Side == OrderSide.Buy ? PositionSide.Long : PositionSide.Short)
        : (Side == OrderSide.Sell ? PositionSide.Long : PositionSide.Short);

    /// <summary>A market entry of <paramref name="quantity"/> shares on <paramref name="side"/>, with an optional protective stop.</summary>
    public static OrderIntent Enter(PositionSide side, decimal quantity, decimal? stopPrice, string reason)
    {
        if (quantity <= 0 || quantity != decimal.Truncate(quantity))
        {
            throw new ArgumentOutOfRangeException(nameof(quantity), quantity, "Entry quantity must be a positive whole number of shares.");
        }

        return new OrderIntent(IntentKind.Entry, side == PositionSide.Long ? OrderSide.Buy : OrderSide.Sell,
            OrderType.Market, quantity, stopPrice, reason);
    }

    /// <summary>A market entry on <paramref name="side"/> with its protective stop, sized by the order router's sizing stage
    /// from <paramref name="sizing"/> (the strategy's base risk, win probability and regime).</summary>
    public static OrderIntent EnterWithStop(PositionSide side, decimal stopPrice, SizingHints sizing, string reason)
    {
        ArgumentNullException.ThrowIfNull(sizing);
        if (stopPrice <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(stopPrice), stopPrice, "A stop price must be positive.");
        }

        return new OrderIntent(IntentKind.Entry, side == PositionSide.Long ? OrderSide.Buy : OrderSide.Sell,
            OrderType.Market, null, stopPrice, reason, Sizing: sizing);
    }

    /// <summary>A day limit entry of <paramref name="quantity"/> shares on <paramref name="side"/> at
    /// <paramref name="limitPrice"/> or better, with an optional protective stop.</summary>
    public static OrderIntent EnterLimit(PositionSide side, decimal quantity, decimal limitPrice, decimal? stopPrice, string reason)
    {
        if (limitPrice <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(limitPrice), limitPrice, "A limit price must be positive.");
        }

        return Enter(side, quantity, stopPrice, reason) with { Type = OrderType.Limit, LimitPrice = limitPrice };
    }

    /// <summary>A market exit of the whole <paramref name="side"/> position.</summary>
    public static OrderIntent Exit(PositionSide side, string reason) =>
        new(IntentKind.Exit, side == PositionSide.Long ? OrderSide.Sell : OrderSide.Buy, OrderType.Market, null, null, reason);

    /// <summary>Moves the protective stop of the open <paramref name="side"/> position to <paramref name="stopPrice"/>.</summary>
    public static OrderIntent MoveStop(PositionSide side, decimal stopPrice, string reason) =>
        new(IntentKind.MoveStop, side == PositionSide.Long ? OrderSide.Sell : OrderSide.Buy, OrderType.Stop, null, stopPrice, reason);
}

/// <summary>What the sizing stage needs from a strategy to size one of its entries.</summary>
/// <param name="RiskFraction">Fraction of equity lost if the initial stop is hit (the strategy's <c>risk_fraction</c>).</param>
/// <param name="WinProbability">The signal's probability that the entry wins (prob_up for a long), for Kelly; null when
/// the strategy has no probabilistic signal.</param>
/// <param name="WinProbabilityFromOwnTrades">With no signal probability, let Kelly use the symbol's own win rate.</param>
/// <param name="Regime">The market regime at the decision bar, for regime-aware sizing; null when not classified.</param>
public sealed record SizingHints(
    decimal RiskFraction,
    decimal? WinProbability = null,
    bool WinProbabilityFromOwnTrades = false,
    MarketRegime? Regime = null);
