using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Signals.MultiTimeframe;

/// <summary>Signals on 5Min, 15Min, 1Hour and 1Day bars built from 1Min bars, aligned back to the 1Min series without lookahead.</summary>
/// <remarks>
/// Alignment rule (docs/reference/signals.md): a higher-timeframe bar covering [start, end) becomes visible on the first
/// base bar whose close time (timestamp + 1 minute) is at or after <c>end</c>, and stays the latest value until the
/// next one becomes visible. So the 09:30 5Min bar first shows on the 09:34 minute bar (it closes at 09:35), and with
/// sparse data (no 09:34 bar) on the next minute bar after it, e.g. 09:36; a session whose last minute bar is missing
/// shows its 1Day values on the first bar after the close (after-hours or the next session). Whether a base bar sees
/// a bucket depends only on that bar's own timestamp, and every minute inside the bucket is at or before that bar, so
/// a longer series can never change an earlier row. Session boundaries come from the calendar (regular session only,
/// as in <see cref="BarResampler"/>); pre- and after-hours base bars get rows too and see the buckets closed by then.
/// </remarks>
public static class MultiTimeframeFeatures
{
    /// <summary>The higher timeframes computed, in row order.</summary>
    public static IReadOnlyList<Timeframe> Timeframes { get; } =
        [Timeframe.FiveMinutes, Timeframe.FifteenMinutes, Timeframe.OneHour, Timeframe.OneDay];

    private static readonly TimeSpan BaseBarLength = TimeSpan.FromMinutes(1);

    /// <summary>Computes one row per 1Min bar (sorted, whole minutes) with the aligned higher-timeframe signals.
    /// <paramref name="calendar"/> defaults to <see cref="NyseCalendar.Instance"/>; <paramref name="options"/> apply
    /// to every timeframe's pipeline.</summary>
    public static IReadOnlyList<MultiTimeframeRow> Compute(
        IReadOnlyList<Bar> minuteBars, SignalPipelineOptions? options = null, ITradingCalendar? calendar = null)
    {
        ArgumentNullException.ThrowIfNull(minuteBars);
        calendar ??= NyseCalendar.Instance;
        var five = Align(minuteBars, Timeframe.FiveMinutes, options, calendar);
        var fifteen = Align(minuteBars, Timeframe.FifteenMinutes, options, calendar);
        var hour = Align(minuteBars, Timeframe.OneHour, options, calendar);
        var day = Align(minuteBars, Timeframe.OneDay, options, calendar);
        var rows = new MultiTimeframeRow[minuteBars.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = new MultiTimeframeRow(minuteBars[i].Timestamp, minuteBars[i].Close, five[i], fifteen[i], hour[i], day[i]);
        }

        return rows;
    }

    /// <summary>For each 1Min bar, the latest <paramref name="timeframe"/> bar visible at its close (null before the first).</summary>
    public static TimeframeFeatures?[] Align(
        IReadOnlyList<Bar> minuteBars, Timeframe timeframe, SignalPipelineOptions? options = null, ITradingCalendar? calendar = null)
    {
        ArgumentNullException.ThrowIfNull(minuteBars);
        calendar ??= NyseCalendar.Instance;
        if (timeframe.Minutes <= BaseBarLength.TotalMinutes)
        {
            throw new ArgumentOutOfRangeException(nameof(timeframe), timeframe, "Align needs a timeframe longer than the 1Min base.");
        }

        var bars = BarResampler.Resample(minuteBars, timeframe, calendar);
        var frames = SignalPipeline.Run(bars, timeframe, options);
        var aligned = new TimeframeFeatures?[minuteBars.Count];
        TimeframeFeatures? latest = null;
        var next = 0;
        var nextEnd = next < bars.Count ? BucketEnd(bars[next].Timestamp, timeframe, calendar) : DateTime.MaxValue;
        for (var i = 0; i < minuteBars.Count; i++)
        {
            var closeTime = minuteBars[i].Timestamp + BaseBarLength;
            // Bucket ends increase with the bucket index, so one forward sweep finds every bucket closed by this bar.
            while (next < bars.Count && nextEnd <= closeTime)
            {
                var f = frames[next];
                latest = new TimeframeFeatures(timeframe, bars[next].Timestamp, nextEnd, f.Close, f.FilteredPrice,
                    f.ProbabilityUp, f.Regime, f.Rsi, f.Atr, f.Sma, f);
                next++;
                nextEnd = next < bars.Count ? BucketEnd(bars[next].Timestamp, timeframe, calendar) : DateTime.MaxValue;
            }

            aligned[i] = latest;
        }

        return aligned;
    }

    /// <summary>When the <paramref name="timeframe"/> bucket starting at <paramref name="bucketStart"/> closes: start +
    /// length, cut at the regular session's close (so the last hourly bar 15:30 ends at 16:00, or 13:00 on an early
    /// close); for 1Day the session close.</summary>
    public static DateTime BucketEnd(DateTime bucketStart, Timeframe timeframe, ITradingCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        var date = ExchangeTime.SessionDate(bucketStart);
        var session = calendar.GetSession(date)
            ?? throw new ArgumentException($"No trading session on {date:yyyy-MM-dd} for the bucket starting {bucketStart:O}.", nameof(bucketStart));
        if (!timeframe.IsIntraday)
        {
            return session.CloseUtc;
        }

        var end = bucketStart + timeframe.Duration;
        return end < session.CloseUtc ? end : session.CloseUtc;
    }
}
