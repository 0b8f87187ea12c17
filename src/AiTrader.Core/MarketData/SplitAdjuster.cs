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
        var result = new Bar[bars.Count];
        if (ordered.Length == 0)
        {
            for (var i = 0; i < bars.Count; i++)
            {
                result[i] = bars[i];
            }

            return result;
        }

        // to[k]/from[k] = compound factor of splits k..end: the adjustment for a bar dated before split k's ex-date and
        // on or after split k-1's. Numerator and denominator are kept apart so 1:3 style ratios stay exact until the
        // single final division.
        var to = new decimal[ordered.Length + 1];
        var from = new decimal[ordered.Length + 1];
        to[ordered.Length] = 1m;
        from[ordered.Length] = 1m;
        for (var k = ordered.Length - 1; k >= 0; k--)
        {
            to[k] = to[k + 1] * ordered[k].RatioTo;
            from[k] = from[k + 1] * ordered[k].RatioFrom;
        }

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
