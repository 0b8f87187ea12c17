using AiTrader.Core.Domain;

namespace AiTrader.Core.Strategies;

/// <summary>What a strategy may see at the close of a bar: the bars so far, its position, the account and its resting stop.</summary>
/// <remarks>A driver may reuse one instance for a whole run, updating the account figures before each call (the
/// backtester does, so its hot loop allocates nothing per bar): read it during <see cref="IStrategy.OnBar"/>, do not keep it.</remarks>
public sealed class StrategyContext
{
    /// <param name="symbol">The traded symbol.</param>
    /// <param name="timeframe">The bar length.</param>
    /// <param name="bars">Every accepted bar up to and including the current one; the driver never puts a later bar
    /// in it, so a strategy cannot look ahead by indexing.</param>
    /// <param name="positionQuantity">Signed shares held: positive long, negative short, zero flat.</param>
    /// <param name="cash">Account cash after every fill so far.</param>
    /// <param name="equity">Cash plus the positions marked at the current close.</param>
    /// <param name="protectiveStop">The resting stop level of the open position, or null when there is none.</param>
    /// <param name="allowShort">Whether the account may open short positions.</param>
    public StrategyContext(Symbol symbol, Timeframe timeframe, IReadOnlyList<Bar> bars, decimal positionQuantity,
        decimal cash, decimal equity, decimal? protectiveStop, bool allowShort)
    {
        Symbol = symbol;
        Timeframe = timeframe;
        Bars = bars;
        AllowShort = allowShort;
        PositionQuantity = positionQuantity;
        _sign = Math.Sign(positionQuantity);
        Cash = cash;
        _equity = equity;
        ProtectiveStop = protectiveStop;
    }

    public Symbol Symbol { get; }

    public Timeframe Timeframe { get; }

    /// <summary>Every accepted bar up to and including the current one.</summary>
    public IReadOnlyList<Bar> Bars { get; }

    /// <summary>Signed shares held: positive long, negative short, zero flat.</summary>
    public decimal PositionQuantity { get; private set; }

    /// <summary>Account cash after every fill so far.</summary>
    public decimal Cash { get; private set; }

    /// <summary>Cash plus the positions marked at the current close.</summary>
    public decimal Equity
    {
        get
        {
            if (_equityPending)
            {
                // Worked out on first read: most bars' decisions never look at it, and it costs a decimal multiply.
                _equity = _sign == 0 ? Cash : Cash + PositionQuantity * _current.Close;
                _equityPending = false;
            }

            return _equity;
        }
    }

    private decimal _equity;
    private bool _equityPending;

    /// <summary>The resting stop level of the open position, or null when there is none.</summary>
    public decimal? ProtectiveStop { get; private set; }

    public bool AllowShort { get; }

    /// <summary>The bar that just closed.</summary>
    public ref readonly Bar Bar
    {
        get
        {
            // A driver that reuses the context hands the current bar over directly, sparing two interface calls.
            if (_hasCurrent)
            {
                return ref _current;
            }

            _current = Bars[^1];
            return ref _current;
        }
    }

    private Bar _current;
    private bool _hasCurrent;

    /// <summary>Zero-based index of the current bar among the accepted bars.</summary>
    public int BarIndex => Bars.Count - 1;

    public bool IsFlat => _sign == 0;

    public bool IsLong => _sign > 0;

    public bool IsShort => _sign < 0;

    // The position's sign, worked out once per update: strategies test it every bar.
    private int _sign;

    /// <summary>Sets the current bar and the account of a single-symbol run, whose equity is its cash plus the
    /// position marked at <paramref name="current"/>'s close (worked out only if a strategy reads it).</summary>
    /// <param name="positionSign">The sign of <paramref name="positionQuantity"/>, which the caller already knows.</param>
    public void UpdateMarked(in Bar current, decimal positionQuantity, int positionSign, decimal cash, decimal? protectiveStop)
    {
        _current = current;
        _hasCurrent = true;
        PositionQuantity = positionQuantity;
        _sign = positionSign;
        Cash = cash;
        _equityPending = true;
        ProtectiveStop = protectiveStop;
    }

    /// <summary>Sets the current bar and the account of a run where other symbols share the cash: its equity is the
    /// whole account's, worked out by the driver.</summary>
    public void UpdateShared(in Bar current, decimal positionQuantity, int positionSign, decimal cash, decimal equity, decimal? protectiveStop)
    {
        _current = current;
        _hasCurrent = true;
        PositionQuantity = positionQuantity;
        _sign = positionSign;
        Cash = cash;
        _equity = equity;
        _equityPending = false;
        ProtectiveStop = protectiveStop;
    }
}
