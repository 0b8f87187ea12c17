namespace AiTrader.Core.Risk.Sizing;

/// <summary>One symbol's own closed round trips, as a sizer needs them: win rate and payoff ratio.</summary>
/// <remarks>Fed by the trading loop with each round trip of the symbol as it closes (net of fees, paired by the
/// venue's one ledger), never read off the cash, which other symbols' fills move too. A round trip that nets exactly
/// zero is neither a win nor a loss.</remarks>
public sealed class TradeStatistics
{
    /// <summary>Closed trades needed before the estimates are reported (fewer are noise).</summary>
    public const int MinimumTrades = 10;

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

    public void Record(decimal netPnl)
    {
        if (netPnl > 0)
        {
            _wins++;
            _winSum += netPnl;
        }
        else if (netPnl < 0)
        {
            _losses++;
            _lossSum -= netPnl;
        }
    }
}
