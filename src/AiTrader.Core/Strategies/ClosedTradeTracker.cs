namespace AiTrader.Core.Strategies;

// A strategy's own win rate and payoff ratio, learned from what it can see: with one position at a time, cash moves
// only on fills, so the cash change between two flat observations is exactly the net P&L of the round trips between
// them (fees included), even when the entry and its stop fill on the same bar. On a shared account other symbols' fills
// move the cash as well, so there the driver reports the round trips instead (see ILearnsFromOwnTrades); a round trip
// that nets exactly zero is not counted either way, as the cash reading cannot see it.
internal sealed class ClosedTradeTracker
{
    /// <summary>Closed trades needed before the estimates are reported (fewer are noise).</summary>
    public const int MinimumTrades = 10;

    private decimal? _lastFlatCash;
    private bool _reported;
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
        if (_reported || !context.IsFlat)
        {
            return;
        }

        if (_lastFlatCash is { } previous)
        {
            Count(context.Cash - previous);
        }

        _lastFlatCash = context.Cash;
    }

    /// <summary>From now until <see cref="Reset"/>, count only the round trips passed to <see cref="Record"/>.</summary>
    public void UseReportedTrades() => _reported = true;

    public void Record(decimal netPnl)
    {
        if (!_reported)
        {
            // Counting reports on top of the cash reading would count every round trip twice.
            throw new InvalidOperationException("Call UseReportedTrades before reporting closed trades.");
        }

        Count(netPnl);
    }

    public void Reset()
    {
        _lastFlatCash = null;
        _reported = false;
        _wins = _losses = 0;
        _winSum = _lossSum = 0;
    }

    private void Count(decimal pnl)
    {
        if (pnl > 0)
        {
            _wins++;
            _winSum += pnl;
        }
        else if (pnl < 0)
        {
            _losses++;
            _lossSum -= pnl;
        }
    }
}
