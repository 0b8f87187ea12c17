using System.Globalization;
using AiTrader.Core.Domain;

namespace AiTrader.Core.MarketData;

/// <summary>Tuning of <see cref="OutlierDetector"/>; the defaults were checked against every bundled daily file.</summary>
/// <param name="MinSpikeRatio">An excursion must be at least this multiple beyond both closes (1.5 = 50% above or a third below).</param>
/// <param name="VolatilityMultiple">…and beyond this many times the largest recent log true range of the series.</param>
/// <param name="VolatilityLookback">How many previous unflagged bars define "recent".</param>
public sealed record OutlierRule(double MinSpikeRatio = 1.5, double VolatilityMultiple = 3.0, int VolatilityLookback = 10);

/// <summary>Finds bad prints: an intrabar spike far beyond both the bar's own close and the previous close, out of scale with the series' recent moves.</summary>
/// <remarks>
/// <para>A bad print is a single wrong trade that sets the open, high or low and is gone by the close. A real market
/// event moves the close too (a gap, a crash), or happens in a stock that is already moving by similar amounts. So a bar
/// is flagged when its spike side is far from <em>both</em> reference closes:</para>
/// <list type="bullet">
/// <item><c>up = max(open, high) / max(previous close, close)</c></item>
/// <item><c>down = min(previous close, close) / min(open, low)</c></item>
/// <item>flag when <c>up</c> or <c>down</c> exceeds <c>max(MinSpikeRatio, exp(VolatilityMultiple × R))</c>, where R is the
/// largest log true range <c>ln(max(high, prevClose) / min(low, prevClose))</c> among the previous
/// <c>VolatilityLookback</c> unflagged bars.</item>
/// </list>
/// <para>The volatility term is what spares genuine crashes: AIG on 2008-09-16 traded down to a third of both closes, but
/// the day before it had already ranged 3.4×; BAC's 2009-02-20 low of 2.53 came after weeks of 15–30% ranges. On the
/// bundled daily data the real events need a multiple above 1.5 to stay unflagged and the mildest real bad print (IWM
/// 2008-09-19, AIG 2009-05-05) is flagged for any multiple below 10, so 3 sits well inside the gap. Flagged bars are kept
/// out of R so one bad print cannot hide the next. The first bar, with no previous close, is judged against its own close.</para>
/// </remarks>
public static class OutlierDetector
{
    /// <summary>Flags bad prints with the default <see cref="OutlierRule"/>. Bars must be sorted by time.</summary>
    public static IReadOnlyList<BarFlag> Detect(IReadOnlyList<Bar> bars) => Detect(bars, new OutlierRule());

    /// <summary>Flags bad prints with an explicit rule. Bars must be sorted by time.</summary>
    public static IReadOnlyList<BarFlag> Detect(IReadOnlyList<Bar> bars, OutlierRule rule)
    {
        ArgumentNullException.ThrowIfNull(bars);
        ArgumentNullException.ThrowIfNull(rule);
        if (bars is BarColumns columns)
        {
            return DetectColumns(columns, Validate(rule));
        }

        var flags = new List<BarFlag>();
        var check = new OutlierCheck(rule); // validates the rule
        foreach (var bar in bars)
        {
            if (check.Next(bar) is { } reason)
            {
                flags.Add(new BarFlag(bar.Timestamp, reason));
            }
        }

        return flags;
    }

    /// <summary><paramref name="rule"/> when its values make sense; otherwise throws.</summary>
    internal static OutlierRule Validate(OutlierRule rule)
    {
        if (rule.MinSpikeRatio <= 1 || rule.VolatilityMultiple < 0 || rule.VolatilityLookback < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rule), rule, "MinSpikeRatio must exceed 1; the multiple and lookback must not be negative.");
        }

        return rule;
    }

    // Relative margin under which a ratio computed in doubles is certainly below the limit: the double estimates are
    // within a few ulps (1e-15) of the exact decimal figures, so 1e-9 leaves a wide gap either way.
    private const double Margin = 1 - 1e-9;

    /// <summary>The same flags as <see cref="OutlierCheck"/>, in one pass over the columns: each bar is first judged with
    /// doubles, and only a bar near or over its limit is judged again exactly (decimal ratios and the exact recent ranges),
    /// so the result is the exact rule's while almost every bar costs a few floating-point operations.</summary>
    private static IReadOnlyList<BarFlag> DetectColumns(BarColumns bars, OutlierRule rule)
    {
        var flags = new List<BarFlag>();
        var lookback = rule.VolatilityLookback;
        var ring = new double[Math.Max(lookback, 1)];
        var ringBars = new int[Math.Max(lookback, 1)];
        var ringCount = 0;
        var ringNext = 0;
        var o = bars.OpenColumn;
        var h = bars.HighColumn;
        var l = bars.LowColumn;
        var c = bars.CloseColumn;
        var offset = bars.Offset;
        for (var i = 0; i < bars.Count; i++)
        {
            var j = i + offset;
            double open = o.AsDouble(j), high = h.AsDouble(j), low = l.AsDouble(j), close = c.AsDouble(j);
            var hasPrevious = i > 0;
            var prevClose = hasPrevious ? c.AsDouble(j - 1) : 0;
            var top = Math.Max(open, high);
            var bottom = Math.Min(open, low);
            var upperRef = hasPrevious ? Math.Max(prevClose, close) : close;
            var lowerRef = hasPrevious ? Math.Min(prevClose, close) : close;
            string? reason = null;
            var up = top / upperRef;
            var down = lowerRef / bottom;
            var positive = bottom > 0 && lowerRef > 0;
            // The limit is never below MinSpikeRatio, so a bar clear of that is clear of the limit: almost every bar stops
            // here, without the recent ranges' logarithms and the exponential.
            var clear = positive && up < rule.MinSpikeRatio * Margin && down < rule.MinSpikeRatio * Margin;
            if (!clear && positive && ringCount > 0)
            {
                var maxRange = double.NegativeInfinity;
                for (var k = 0; k < ringCount; k++)
                {
                    maxRange = Math.Max(maxRange, Math.Log(ring[k]));
                }

                var limit = Math.Max(rule.MinSpikeRatio, Math.Exp(rule.VolatilityMultiple * maxRange));
                clear = up < limit * Margin && down < limit * Margin;
            }

            if (!clear)
            {
                var exactLimit = rule.MinSpikeRatio;
                if (ringCount > 0)
                {
                    var exactMax = double.NegativeInfinity;
                    for (var k = 0; k < ringCount; k++)
                    {
                        exactMax = Math.Max(exactMax, ExactRange(bars, ringBars[k]));
                    }

                    exactLimit = Math.Max(exactLimit, Math.Exp(rule.VolatilityMultiple * exactMax));
                }

                var bar = bars[i];
                reason = CheckBar(bar, hasPrevious ? c[j - 1] : null, exactLimit);
                if (reason is not null)
                {
                    flags.Add(new BarFlag(bar.Timestamp, reason));
                }
            }

            if (reason is null && lookback > 0)
            {
                var rangeHigh = hasPrevious ? Math.Max(high, prevClose) : high;
                var rangeLow = hasPrevious ? Math.Min(low, prevClose) : low;
                // The exact rule keeps a range only when its low is positive; exactly when the double is.
                if (rangeLow > 0)
                {
                    ring[ringNext] = rangeHigh / rangeLow; // its logarithm is taken only when a bar needs the limit
                    ringBars[ringNext] = i;
                    ringNext = (ringNext + 1) % lookback;
                    ringCount = Math.Min(ringCount + 1, lookback);
                }
            }
        }

        return flags;
    }

    /// <summary>The range of bar <paramref name="i"/> as <see cref="OutlierCheck"/> computes it (decimal ratio).</summary>
    private static double ExactRange(BarColumns bars, int i)
    {
        var j = i + bars.Offset;
        var high = bars.HighColumn[j];
        var low = bars.LowColumn[j];
        if (i > 0)
        {
            var previous = bars.CloseColumn[j - 1];
            high = Math.Max(high, previous);
            low = Math.Min(low, previous);
        }

        return Math.Log((double)(high / low));
    }

    /// <summary>Why <paramref name="bar"/> is a bad print against <paramref name="previousClose"/> at
    /// <paramref name="limit"/>, or null.</summary>
    internal static string? CheckBar(Bar bar, decimal? previousClose, double limit)
    {
        var top = Math.Max(bar.Open, bar.High);
        var bottom = Math.Min(bar.Open, bar.Low);
        var upperRef = previousClose is { } p1 ? Math.Max(p1, bar.Close) : bar.Close;
        var lowerRef = previousClose is { } p2 ? Math.Min(p2, bar.Close) : bar.Close;
        if (bottom <= 0 || lowerRef <= 0)
        {
            return $"bad print: non-positive price {bottom} in the bar";
        }

        var up = (double)(top / upperRef);
        var down = (double)(lowerRef / bottom);
        if (up <= limit && down <= limit)
        {
            return null;
        }

        var references = previousClose is { } p
            ? $"the close {bar.Close} and the previous close {p}"
            : $"the close {bar.Close} (no previous bar)";
        var limitText = limit.ToString("0.00", CultureInfo.InvariantCulture);
        if (up >= down)
        {
            var what = bar.Open > bar.High ? "open" : bar.Open == bar.High ? "open/high" : "high";
            return $"bad print: {what} {top} is {Ratio(up)}x {references} (limit {limitText}x)";
        }
        else
        {
            var what = bar.Open < bar.Low ? "open" : bar.Open == bar.Low ? "open/low" : "low";
            return $"bad print: {what} {bottom} is 1/{Ratio(down)} of {references} (limit {limitText}x)";
        }
    }

    private static string Ratio(double ratio) => ratio.ToString("0.00", CultureInfo.InvariantCulture);
}

/// <summary>The outlier check of <see cref="OutlierDetector"/> one bar at a time, for a feed that has no series to
/// check in advance (the live stream): fed the same bars, it flags exactly what <see cref="OutlierDetector.Detect(IReadOnlyList{Bar}, OutlierRule)"/> flags.</summary>
public sealed class OutlierCheck
{
    private readonly OutlierRule _rule;
    private readonly Queue<double> _recentRanges = new();
    private decimal? _previousClose;

    public OutlierCheck(OutlierRule? rule = null)
    {
        _rule = OutlierDetector.Validate(rule ?? new OutlierRule());
    }

    /// <summary>Checks the next bar of the series; returns why it is a bad print, or null for a good bar.</summary>
    public string? Next(Bar bar)
    {
        var limit = _rule.MinSpikeRatio;
        if (_recentRanges.Count > 0)
        {
            limit = Math.Max(limit, Math.Exp(_rule.VolatilityMultiple * _recentRanges.Max()));
        }

        var reason = OutlierDetector.CheckBar(bar, _previousClose, limit);
        if (reason is null && _rule.VolatilityLookback > 0)
        {
            var high = _previousClose is { } ph ? Math.Max(bar.High, ph) : bar.High;
            var low = _previousClose is { } pl ? Math.Min(bar.Low, pl) : bar.Low;
            if (low > 0)
            {
                _recentRanges.Enqueue(Math.Log((double)(high / low)));
                if (_recentRanges.Count > _rule.VolatilityLookback)
                {
                    _recentRanges.Dequeue();
                }
            }
        }

        _previousClose = bar.Close;
        return reason;
    }
}
