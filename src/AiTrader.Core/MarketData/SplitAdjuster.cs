using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.MarketData;

/// <summary>Back-adjusts bars for splits so that prices before an ex-date are comparable with prices after it.</summary>
public static class SplitAdjuster
{
    /// <summary>Decimal places of adjusted prices. Vendors publish adjusted prices to 4–6 dp, and rounding keeps
    /// decimal money math bounded (AAPL 1998 ÷ 112 would otherwise carry 28 digits into every P&amp;L sum).</summary>
    public const int PriceDecimals = 4;

    /// <summary>Returns a new list where every bar whose New York session date is before a split's ex-date has its
    /// prices (and VWAP) divided by the split factor, rounded to <see cref="PriceDecimals"/> places
    /// (<see cref="MidpointRounding.AwayFromZero"/>), and its volume multiplied by the factor (exact). Several splits
    /// compound. Pass only the splits of the bars' symbol. Bars on or after the last ex-date are returned unchanged.</summary>
    /// <remarks>Rounding is monotone, so High ≥ max(Open, Close) and Low ≤ min(Open, Close) still hold after it.</remarks>
    public static IReadOnlyList<Bar> Adjust(IReadOnlyList<Bar> bars, IEnumerable<SplitEvent> splits)
    {
        ArgumentNullException.ThrowIfNull(bars);
        ArgumentNullException.ThrowIfNull(splits);
        var ordered = splits.OrderBy(s => s.ExDate).ToArray();
        if (bars is BarColumns columns)
        {
            return AdjustColumns(columns, ordered);
        }

        var result = new Bar[bars.Count];
        if (ordered.Length == 0)
        {
            for (var i = 0; i < bars.Count; i++)
            {
                result[i] = bars[i];
            }

            return result;
        }

        var (to, from) = CompoundFactors(ordered);

        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            var date = ExchangeTime.SessionDate(bar.Timestamp);
            var k = 0;
            while (k < ordered.Length && ordered[k].ExDate <= date)
            {
                k++;
            }

            result[i] = Scale(bar, to[k], from[k]);
        }

        return result;
    }

    /// <summary>to[k]/from[k] = compound factor of splits k..end (ordered by ex-date): the adjustment for a bar dated
    /// before split k's ex-date and on or after split k-1's. Numerator and denominator are kept apart so 1:3 style ratios
    /// stay exact until the single final division.</summary>
    private static (decimal[] To, decimal[] From) CompoundFactors(SplitEvent[] ordered)
    {
        var to = new decimal[ordered.Length + 1];
        var from = new decimal[ordered.Length + 1];
        to[ordered.Length] = 1m;
        from[ordered.Length] = 1m;
        for (var k = ordered.Length - 1; k >= 0; k--)
        {
            to[k] = to[k + 1] * ordered[k].RatioTo;
            from[k] = from[k + 1] * ordered[k].RatioFrom;
        }

        return (to, from);
    }

    /// <summary>The columnar form: one pass that writes new price columns (the timestamps of a whole
    /// series are shared, not copied); a series entirely on or after its last ex-date is returned as it is, without a copy.</summary>
    /// <remarks>A bar's session date is before an ex-date exactly when its time is before 00:00 New York time that day,
    /// so each split is one boundary found by binary search instead of a time-zone conversion per bar.</remarks>
    private static BarColumns AdjustColumns(BarColumns bars, SplitEvent[] ordered)
    {
        var ticks = bars.Ticks;
        if (ordered.Length == 0 || bars.Count == 0)
        {
            return bars;
        }

        var boundaries = new int[ordered.Length];
        for (var k = 0; k < ordered.Length; k++)
        {
            boundaries[k] = BarColumns.LowerBound(ticks, ExchangeTime.StartOfDateUtc(ordered[k].ExDate).Ticks);
        }

        if (boundaries[^1] == 0)
        {
            return bars;
        }

        var (to, from) = CompoundFactors(ordered);

        var n = bars.Count;
        DecimalColumn open = new(n), high = new(n), low = new(n), close = new(n), volume = new(n);
        DecimalColumn? vwap = bars.VwapColumn is null ? null : new DecimalColumn(n);
        var k2 = 0;
        for (var i = 0; i < n; i++)
        {
            while (k2 < ordered.Length && boundaries[k2] <= i)
            {
                k2++;
            }

            var j = i + bars.Offset;
            decimal t = to[k2], f = from[k2];
            if (t == f)
            {
                open.Set(i, bars.OpenColumn[j]);
                high.Set(i, bars.HighColumn[j]);
                low.Set(i, bars.LowColumn[j]);
                close.Set(i, bars.CloseColumn[j]);
                volume.Set(i, bars.VolumeColumn[j]);
            }
            else
            {
                open.Set(i, Price(bars.OpenColumn[j], t, f));
                high.Set(i, Price(bars.HighColumn[j], t, f));
                low.Set(i, Price(bars.LowColumn[j], t, f));
                close.Set(i, Price(bars.CloseColumn[j], t, f));
                volume.Set(i, bars.VolumeColumn[j] * t / f);
            }

            if (vwap is not null)
            {
                if (bars.VwapColumn!.IsMissing(j))
                {
                    vwap.SetMissing(i);
                }
                else
                {
                    vwap.Set(i, t == f ? bars.VwapColumn[j] : Price(bars.VwapColumn[j], t, f));
                }
            }
        }

        var trades = bars.TradeCounts is { } tc ? tc.AsSpan(bars.Offset, n).ToArray() : null;
        var shared = bars.Offset == 0 && n == bars.AllTicks.Length ? bars.AllTicks : ticks.ToArray();
        return new BarColumns(shared, open, high, low, close, volume, trades, vwap, 0, n);
    }

    private static Bar Scale(Bar bar, decimal to, decimal from)
    {
        if (to == from)
        {
            return bar;
        }

        return bar with
        {
            Open = Price(bar.Open, to, from),
            High = Price(bar.High, to, from),
            Low = Price(bar.Low, to, from),
            Close = Price(bar.Close, to, from),
            Volume = bar.Volume * to / from,
            Vwap = bar.Vwap is { } vwap ? Price(vwap, to, from) : null,
        };
    }

    private static decimal Price(decimal price, decimal to, decimal from) =>
        Math.Round(price * from / to, PriceDecimals, MidpointRounding.AwayFromZero);
}
