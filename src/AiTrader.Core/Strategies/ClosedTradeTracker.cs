namespace AiTrader.Core.Strategies;

// A strategy's own win rate and payoff ratio, learned from what it can see: with one position at a time, cash moves
// only on fills, so the cash change between two flat observations is exactly the net P&L of the round trips between
// them (fees included), even when the entry and its stop fill on the same bar.
internal sealed class ClosedTradeTracker
{
    /// <summary>Closed trades needed before the estimates are reported (fewer are noise).</summary>
    public const int MinimumTrades = 10;

    private decimal? _lastFlatCash;
    private int _wins;
    private int _losses;
    private decimal _winSum;
    private decimal _lossSum;

    public int Trades => _wins + _losses;

    /// <summary>Wins / closed trades, or null before <see cref="MinimumTrades"/>.</summary>
    public decimal? WinRate => Trades >= MinimumTrades ? (decimal)_wins / Trades : null;

    /// <summary>Average win / average loss, or null before <see cref="MinimumTrades"/> or without both a win and a loss.</summary>
    public decimal? PayoffRatio => Trades >= MinimumTrades && _wins > 0 && _losses > 0
        ? _winSum / _wins / (_lossSum / _losses)
        : null;

    public void Observe(StrategyContext context)
    {
        if (!context.IsFlat)
        {
            return;
        }

        if (_lastFlatCash is { } previous && context.Cash != previous)
        {
            var pnl = context.Cash - previous;
            if (pnl > 0)
            {
                _wins++;
                _winSum += pnl;
            }
            else
            {
                _losses++;
                _lossSum -= pnl;
            }
        }

        _lastFlatCash = context.Cash;
    }

    public void Reset()
    {
        _lastFlatCash = null;
        _wins = _losses = 0;
        _winSum = _lossSum = 0;
    }
}
