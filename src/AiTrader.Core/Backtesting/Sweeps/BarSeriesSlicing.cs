using AiTrader.Core.MarketData;

namespace AiTrader.Core.Backtesting.Sweeps;

/// <summary>Cuts a contiguous run of bars out of a <see cref="BarSeries"/>, keeping only the flags that fall inside it.</summary>
public static class BarSeriesSlicing
{
    /// <summary>Bars [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) as a new series.</summary>
    public static BarSeries Slice(this BarSeries series, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + count, series.Bars.Count, nameof(count));

        var bars = new AiTrader.Core.Domain.Bar[count];
        for (var i = 0; i < count; i++)
        {
            bars[i] = series.Bars[start + i];
        }

        if (count == 0)
        {
            return series with { Bars = bars, Flags = [] };
        }

        var (first, last) = (bars[0].Timestamp, bars[^1].Timestamp);
        var flags = series.Flags.Where(f => f.Timestamp >= first && f.Timestamp <= last).ToArray();
        return series with { Bars = bars, Flags = flags };
    }
}
