using AiTrader.Core.Domain;

namespace AiTrader.Core.Risk;

/// <summary>One order about to be submitted, with the account and the clock: everything a guardrail may look at.</summary>
public sealed record OrderCheck
{
    /// <param name="symbol">The instrument.</param>
    /// <param name="side">Buy or sell.</param>
    /// <param name="quantity">Shares, positive; the side gives the direction.</param>
    /// <param name="estimatedPrice">The price the order is expected to fill near (the decision close, the quote, the limit).</param>
    /// <param name="isOpening">True when the order opens or increases exposure; false when it only reduces a position.</param>
    /// <param name="account">The account state at <paramref name="utcNow"/>.</param>
    /// <param name="utcNow">The clock: the bar time in a backtest, the wall clock live. Must be UTC.</param>
    public OrderCheck(Symbol symbol, OrderSide side, decimal quantity, decimal estimatedPrice, bool isOpening, AccountSnapshot account, DateTime utcNow)
    {
        ArgumentNullException.ThrowIfNull(account);
        if (quantity <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(quantity), quantity, "Order quantity must be positive; the side gives the direction.");
        }

        if (estimatedPrice <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(estimatedPrice), estimatedPrice, "Estimated price must be positive.");
        }

        if (utcNow.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException($"Expected a UTC instant, got Kind={utcNow.Kind}.", nameof(utcNow));
        }

        Symbol = symbol;
        Side = side;
        Quantity = quantity;
        EstimatedPrice = estimatedPrice;
        IsOpening = isOpening;
        Account = account;
        UtcNow = utcNow;
    }

    public Symbol Symbol { get; }

    public OrderSide Side { get; }

    public decimal Quantity { get; }

    public decimal EstimatedPrice { get; }

    /// <summary>True when the order opens or increases exposure (including a flip through zero); false when it only reduces.</summary>
    public bool IsOpening { get; }

    public AccountSnapshot Account { get; }

    public DateTime UtcNow { get; }

    /// <summary>
    /// A protective stop or an order of an explicit flatten: it only ever reduces a position. Such orders pass the kill
    /// switch and the rate limit, because refusing them would leave risk on that the operator asked to take off.
    /// </summary>
    public bool IsProtective { get; init; }

    /// <summary>The quantity signed by side: positive for a buy.</summary>
    public decimal SignedQuantity => Side == OrderSide.Buy ? Quantity : -Quantity;

    /// <summary>The account's position in <see cref="Symbol"/> before this order.</summary>
    public PositionSnapshot CurrentPosition => Account.PositionOf(Symbol);
}
