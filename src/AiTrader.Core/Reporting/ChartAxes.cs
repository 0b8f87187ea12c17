using System.Globalization;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Reporting;

/// <summary>A labelled tick on a chart axis: its position in data units (an index on the time axis) and its text.</summary>
public readonly record struct AxisTick(double Value, string Label);

/// <summary>Tick placement and label formats shared by the PNG and SVG charts, so both show the same axes.</summary>
public static class ChartAxes
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Round-number ticks (1, 2 or 5 × 10ᵏ apart) covering [min, max]; about <paramref name="target"/> of them.</summary>
    public static IReadOnlyList<double> NiceTicks(double min, double max, int target = 6)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max))
        {
            return [];
        }

        if (max <= min)
        {
            return [min];
        }

        var rough = (max - min) / Math.Max(1, target);
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var step = (rough / magnitude) switch
        {
            <= 1 => 1,
            <= 2 => 2,
            <= 5 => 5,
            _ => 10,
        } * magnitude;
        var ticks = new List<double>();
        for (var v = Math.Ceiling(min / step) * step; v <= max + step * 1e-9; v += step)
        {
            // Snap so 0.30000000000000004 prints as 0.3 and −0 as 0.
            ticks.Add(Math.Round(v / step) * step);
        }

        return ticks;
    }

    /// <summary>Time-axis ticks at the first kept point of each new year, month, day or hour (whichever gives a readable
    /// count for the span), labelled in New York time and thinned to at most <paramref name="maxTicks"/>.</summary>
    /// <param name="indices">Ascending point indices that will be drawn (the downsampled series).</param>
    /// <param name="timeAt">UTC time of a point index.</param>
    public static IReadOnlyList<AxisTick> TimeTicks(IReadOnlyList<int> indices, Func<int, DateTime> timeAt, int maxTicks = 8)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(timeAt);
        if (indices.Count == 0)
        {
            return [];
        }

        var span = timeAt(indices[^1]) - timeAt(indices[0]);
        Func<DateTime, long> key;
        string format;
        if (span.TotalDays > 3 * 365)
        {
            key = t => t.Year;
            format = "yyyy";
        }
        else if (span.TotalDays > 90)
        {
            key = t => t.Year * 12L + t.Month;
            format = "yyyy-MM";
        }
        else if (span.TotalDays > 4)
        {
            key = t => t.Year * 400L + t.DayOfYear;
            format = "MM-dd";
        }
        else
        {
            key = t => (t.Year * 400L + t.DayOfYear) * 24 + t.Hour;
            format = "MM-dd HH:mm";
        }

        var ticks = new List<AxisTick>();
        long? previous = null;
        foreach (var i in indices)
        {
            var local = ExchangeTime.ToNewYork(timeAt(i));
            var k = key(local);
            if (previous is { } p && k != p)
            {
                ticks.Add(new AxisTick(i, local.ToString(format, Inv)));
            }

            previous = k;
        }

        if (ticks.Count == 0)
        {
            var first = ExchangeTime.ToNewYork(timeAt(indices[0]));
            return [new AxisTick(indices[0], first.ToString(format, Inv))];
        }

        var stride = (ticks.Count + maxTicks - 1) / maxTicks;
        return ticks.Where((_, n) => n % stride == 0).ToArray();
    }

    /// <summary>Money for an axis: <c>$1.25M</c>, <c>$125K</c>, <c>$98.50</c>, with as many decimals as the tick step needs.</summary>
    public static string Money(double value, double step)
    {
        var abs = Math.Abs(step) > 0 ? Math.Abs(step) : Math.Abs(value);
        var (scaled, scaledStep, suffix) = Math.Max(Math.Abs(value), abs) switch
        {
            >= 1e6 => (value / 1e6, abs / 1e6, "M"),
            >= 1e4 => (value / 1e3, abs / 1e3, "K"),
            _ => (value, abs, ""),
        };
        var decimals = scaledStep > 0 ? Math.Clamp((int)-Math.Floor(Math.Log10(scaledStep) + 1e-9), 0, 4) : 2;
        var text = Math.Abs(scaled).ToString("F" + decimals.ToString(Inv), Inv) + suffix;
        return (scaled < 0 && Math.Round(scaled, decimals) != 0 ? "-$" : "$") + text;
    }

    /// <summary>A fraction as a percentage for an axis: <c>-12.5%</c>, decimals from the tick step.</summary>
    public static string Percent(double fraction, double step)
    {
        var pctStep = Math.Abs(step) * 100;
        var decimals = pctStep > 0 ? Math.Clamp((int)-Math.Floor(Math.Log10(pctStep) + 1e-9), 0, 3) : 1;
        var value = Math.Round(fraction * 100, decimals);
        return (value == 0 ? 0 : value).ToString("F" + decimals.ToString(Inv), Inv) + "%";
    }

    /// <summary>Index of the last bar at or before <paramref name="utc"/> (0 when it precedes every bar).</summary>
    public static int IndexAtOrBefore(int count, Func<int, DateTime> timeAt, DateTime utc)
    {
        int lo = 0, hi = count - 1, found = 0;
        while (lo <= hi)
        {
            var mid = lo + (hi - lo) / 2;
            if (timeAt(mid) <= utc)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }
}
