namespace AiTrader.Core.Domain;

/// <summary>An open position: signed quantity (negative = short) and average entry price.</summary>
public sealed class Position
{
    public Position(Symbol symbol) => Symbol = symbol;

    public Symbol Symbol { get; }

    /// <summary>Signed share count: positive long, negative short.</summary>
    public decimal Quantity { get; internal set; }

    public decimal AveragePrice { get; internal set; }

    /// <summary>Realized P&amp;L from closing trades, before fees.</summary>
    public decimal RealizedPnl { get; internal set; }

    public bool IsFlat => Quantity == 0;

    public decimal MarketValue(decimal price) => Quantity * price;

    public decimal UnrealizedPnl(decimal price) => Quantity * (price - AveragePrice);
}

/// <summary>A cash account with positions. All booking is exact <see cref="decimal"/> arithmetic.</summary>
public sealed class Portfolio
{
    private readonly Dictionary<Symbol, Position> _positions = new();

    public Portfolio(decimal initialCash)
    {
        if (initialCash <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(initialCash), "Initial capital must be positive.");
        }

        InitialCash = initialCash;
        Cash = initialCash;
    }

    public decimal InitialCash { get; }

    public decimal Cash { get; private set; }

    public decimal TotalFees { get; private set; }

    public IReadOnlyCollection<Position> Positions => _positions.Values;

    public Position GetPosition(Symbol symbol) =>
        _positions.TryGetValue(symbol, out var p) ? p : new Position(symbol);

    /// <summary>Books a fill: moves cash by price × quantity and the fee, updates the position and its realized P&amp;L.
    /// Returns the realized P&amp;L of the closed part (before fees), zero for an opening fill.</summary>
    public decimal Apply(Fill fill)
    {
        if (fill.Quantity <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(fill), "Fill quantity must be positive.");
        }

        if (!_positions.TryGetValue(fill.Symbol, out var pos))
        {
            pos = new Position(fill.Symbol);
            _positions[fill.Symbol] = pos;
        }

        var signed = fill.Side == OrderSide.Buy ? fill.Quantity : -fill.Quantity;
        Cash -= signed * fill.Price;
        Cash -= fill.Fee;
        TotalFees += fill.Fee;

        decimal realized = 0;
        if (pos.Quantity != 0 && Math.Sign(pos.Quantity) != Math.Sign(signed))
        {
            var closing = Math.Min(Math.Abs(signed), Math.Abs(pos.Quantity));
            realized = closing * (fill.Price - pos.AveragePrice) * Math.Sign(pos.Quantity);
            pos.RealizedPnl += realized;
            var remaining = pos.Quantity + signed;
            if (remaining == 0)
            {
                pos.Quantity = 0;
                pos.AveragePrice = 0;
            }
            else if (Math.Sign(remaining) == Math.Sign(pos.Quantity))
            {
                pos.Quantity = remaining;
            }
            else
            {
                // Flipped through zero: the excess opens a new position at the fill price.
                pos.Quantity = remaining;
                pos.AveragePrice = fill.Price;
            }
        }
        else
        {
            var newQty = pos.Quantity + signed;
            pos.AveragePrice = (pos.AveragePrice * pos.Quantity + fill.Price * signed) / newQty;
            pos.Quantity = newQty;
        }

        if (pos.Quantity == 0)
        {
            _positions.Remove(fill.Symbol);
        }

        return realized;
    }

    /// <summary>Cash plus the market value of every position at the given prices.</summary>
    public decimal Equity(Func<Symbol, decimal> markPrice)
    {
        var equity = Cash;
        foreach (var p in _positions.Values)
        {
            equity += p.Quantity * markPrice(p.Symbol);
        }

        return equity;
    }
}
