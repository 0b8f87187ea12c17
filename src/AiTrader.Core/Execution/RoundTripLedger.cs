using AiTrader.Core.Domain;

namespace AiTrader.Core.Execution;

/// <summary>Pairs fills into round trips per symbol: a trade opens when its symbol leaves flat and closes, net of every
/// fee, when the symbol is flat again.</summary>
/// <remarks>
/// The paper broker books its trades here and the trading loop each symbol's own trades from the venue's fills, so both
/// count the same trades with the same sums (<see cref="RoundTrip"/>). A fill that goes through flat (a sell larger than
/// the long) closes the trade with the part that flattens it, its whole fee included, and opens the next trade with the
/// rest. A position already held before its symbol's first fill here (<see cref="Carry"/>) closes without a record: what
/// it cost is not known.
/// </remarks>
public sealed class RoundTripLedger
{
    private readonly Dictionary<Symbol, OpenTrade> _open = [];
    private readonly List<TradeRecord> _closed = [];

    /// <summary>The closed round trips, in the order they closed.</summary>
    public IReadOnlyList<TradeRecord> Closed => _closed;

    /// <summary>The signed position of <paramref name="symbol"/> from the fills booked (and the position carried).</summary>
    public decimal PositionOf(Symbol symbol) => _open.TryGetValue(symbol, out var open) ? open.Position : 0m;

    /// <summary>Starts <paramref name="symbol"/> at a position held before the ledger saw its fills; the fills that close it
    /// close no recorded round trip.</summary>
    /// <exception cref="InvalidOperationException">The ledger already holds a position in <paramref name="symbol"/>.</exception>
    public void Carry(Symbol symbol, decimal quantity)
    {
        if (_open.ContainsKey(symbol))
        {
            throw new InvalidOperationException($"The ledger already holds {PositionOf(symbol)} {symbol}; a carried position only starts a symbol.");
        }

        if (quantity != 0)
        {
            _open[symbol] = new OpenTrade(null) { Position = quantity };
        }
    }

    /// <summary>Books one fill; returns the round trip it closed, or null.</summary>
    /// <param name="exitReason">Why a closing fill happened (signal, stop), kept on the round trip it closes.</param>
    public TradeRecord? Book(Fill fill, string exitReason = "")
    {
        ArgumentNullException.ThrowIfNull(fill);
        var sign = fill.Side == OrderSide.Buy ? 1 : -1;
        if (!_open.TryGetValue(fill.Symbol, out var open))
        {
            Open(fill.Symbol, sign, fill.Quantity, fill.Price, fill.Fee, fill.Timestamp);
            return null;
        }

        if (Math.Sign(open.Position) == sign)
        {
            open.Trade?.AddEntry(fill.Quantity, fill.Price, fill.Fee);
            open.Position += sign * fill.Quantity;
            return null;
        }

        var closing = Math.Min(fill.Quantity, Math.Abs(open.Position));
        open.Trade?.AddExit(closing, fill.Price, fill.Fee);
        open.Position += sign * closing;
        if (open.Position != 0)
        {
            return null;
        }

        _open.Remove(fill.Symbol);
        var record = open.Trade?.ToRecord(fill.Symbol, fill.Timestamp, exitReason);
        if (record is not null)
        {
            _closed.Add(record);
        }

        if (fill.Quantity > closing)
        {
            // Through flat: the rest opens the next trade (the fee went with the close).
            Open(fill.Symbol, sign, fill.Quantity - closing, fill.Price, 0m, fill.Timestamp);
        }

        return record;
    }

    private void Open(Symbol symbol, int sign, decimal quantity, decimal price, decimal fee, DateTime at)
    {
        var trade = new RoundTrip(sign > 0 ? PositionSide.Long : PositionSide.Short, at);
        trade.AddEntry(quantity, price, fee);
        _open[symbol] = new OpenTrade(trade) { Position = sign * quantity };
    }

    /// <summary>A symbol's open position and its round trip so far (null for a carried position of unknown cost).</summary>
    private sealed class OpenTrade(RoundTrip? trade)
    {
        public RoundTrip? Trade { get; } = trade;

        public decimal Position { get; set; }
    }
}
