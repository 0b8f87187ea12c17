using AiTrader.Core.Execution;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Backtesting.Portfolios;

/// <summary>The benchmark's equity curve: the initial capital put into one symbol at its first close and held.</summary>
public static class BuyAndHold
{
    /// <summary>initial × close_t / close_first for every unflagged bar of <paramref name="series"/> inside
    /// [<paramref name="fromUtc"/>, <paramref name="toUtc"/>] (null = open end); no costs, fractional shares, gross
    /// exposure 1. Flagged bars are left out, as the backtester skips them; with a <paramref name="calendar"/>, so are bars
    /// the account could not trade (pre-market and after-hours unless <paramref name="extendedHours"/>, closed days), by the
    /// trading loop's own session rule, so a minute-bar benchmark buys and sells where the portfolio could.</summary>
    public static IReadOnlyList<EquityPoint> Curve(decimal initialCapital, BarSeries series, DateTime? fromUtc = null,
        DateTime? toUtc = null, ITradingCalendar? calendar = null, bool extendedHours = false)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(initialCapital);
        var clock = calendar is null ? null : new SessionClock(calendar, extendedHours, series.Timeframe);
        var flagged = series.Flags.Count > 0 ? series.FlagsByTime() : null;
        var bars = series.Bars
            .Where(b => (fromUtc is null || b.Timestamp >= fromUtc) && (toUtc is null || b.Timestamp <= toUtc)
                && (flagged is null || !flagged.ContainsKey(b.Timestamp)) && (clock is null || clock.IsTraded(b.Timestamp)))
            .ToList();
        if (bars.Count == 0)
        {
            return [];
        }

        var first = bars[0].Close;
        if (first <= 0)
        {
            throw new ArgumentException($"{series.Symbol}'s first close is {first}; a benchmark needs a positive price.", nameof(series));
        }

        return bars.Select(b =>
        {
            var value = initialCapital * b.Close / first;
            return new EquityPoint(b.Timestamp, value, value);
        }).ToList();
    }
}
