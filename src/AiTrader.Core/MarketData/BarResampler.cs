using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.MarketData;

/// <summary>Builds 5Min/15Min/30Min/1Hour/1Day bars from 1Min bars on the exchange's session grid.</summary>
/// <remarks>
/// Intraday buckets are aligned to the regular-session open (09:30 ET), so hourly bars start 09:30, 10:30, … 15:30 and
/// the last one is cut short by the close (16:00, or 13:00 on an early-close day). Bars are grouped by New York session
/// date (after-hours bars under EDT carry the next UTC date) and a bucket never straddles the open or the close, so no
/// bar mixes two sessions or two segments. Buckets without minute bars produce no bar: the input is sparse and
/// inventing flat bars would fake liquidity.
/// </remarks>
public static class BarResampler
{
    /// <summary>Aggregates sorted 1Min bars to <paramref name="target"/>: open of the first, max high, min low, close of
    /// the last, summed volume; timestamp = bucket start (UTC). Keeps only the regular session [open, close) of trading
    /// days unless <paramref name="includeExtendedHours"/>, which adds pre-market [04:00, open) and after-hours
    /// [close, after-hours close) as their own buckets. 1Day gives one bar per session stamped at the session open.
    /// Target 1Min returns the session-filtered minute bars.</summary>
    public static IReadOnlyList<Bar> Resample(
        IReadOnlyList<Bar> minuteBars, Timeframe target, ITradingCalendar calendar, bool includeExtendedHours = false)
    {
        ArgumentNullException.ThrowIfNull(minuteBars);
        ArgumentNullException.ThrowIfNull(calendar);
        EnsureMinuteBars(minuteBars);

        var result = new List<Bar>();
        Accumulator? current = null;
        DateOnly? sessionDate = null;
        TradingSession? session = null;
        foreach (var bar in minuteBars)
        {
            var date = ExchangeTime.SessionDate(bar.Timestamp);
            if (date != sessionDate)
            {
                sessionDate = date;
                session = calendar.GetSession(date);
            }

            if (session is null || BucketStart(bar.Timestamp, session, target, includeExtendedHours) is not { } start)
            {
                continue;
            }

            if (current is not null && current.Start == start)
            {
                current.Add(bar);
                continue;
            }

            if (current is not null)
            {
                result.Add(current.ToBar());
            }

            current = new Accumulator(start, bar);
        }

        if (current is not null)
        {
            result.Add(current.ToBar());
        }

        return result;
    }

    /// <summary>The start of the bucket a minute belongs to, or null when it is outside the kept hours.</summary>
    private static DateTime? BucketStart(DateTime t, TradingSession session, Timeframe target, bool extended)
    {
        DateTime segmentStart;
        if (t >= session.OpenUtc && t < session.CloseUtc)
        {
            segmentStart = session.OpenUtc;
        }
        else if (extended && t >= session.PremarketOpenUtc && t < session.OpenUtc)
        {
            segmentStart = session.PremarketOpenUtc;
        }
        else if (extended && t >= session.CloseUtc && t < session.AfterHoursCloseUtc)
        {
            segmentStart = session.CloseUtc;
        }
        else
        {
            return null;
        }

        if (!target.IsIntraday)
        {
            return session.OpenUtc;
        }

        // Grid anchored at the regular open, extended both ways; clamping to the segment start splits a grid cell that
        // straddles the open or the close into a pre/after-hours part and a regular part.
        var size = target.Duration.Ticks;
        var offset = (t - session.OpenUtc).Ticks;
        var cell = offset >= 0 ? offset / size : -((-offset + size - 1) / size);
        var gridStart = session.OpenUtc.AddTicks(cell * size);
        return gridStart < segmentStart ? segmentStart : gridStart;
    }

    private static void EnsureMinuteBars(IReadOnlyList<Bar> bars)
    {
        var onFiveMinuteGrid = true;
        var adjacentMinutes = false;
        for (var i = 0; i < bars.Count; i++)
        {
            var t = bars[i].Timestamp;
            if (t.Ticks % TimeSpan.TicksPerMinute != 0)
            {
                throw new ArgumentException($"Bar {i} at {t:O} is not on a whole minute; Resample expects 1Min bars.", nameof(bars));
            }

            onFiveMinuteGrid &= t.Minute % 5 == 0;
            if (i > 0)
            {
                var gap = t - bars[i - 1].Timestamp;
                if (gap <= TimeSpan.Zero)
                {
                    throw new ArgumentException($"Bar {i} at {t:O} is not after the previous bar; sort the minute bars by time.", nameof(bars));
                }

                adjacentMinutes |= gap == TimeSpan.FromMinutes(1);
            }
        }

        // Sparse minute data always has some back-to-back minutes; a longer series entirely on a 5-minute grid without
        // one is almost certainly already-aggregated bars, which would be silently re-bucketed wrongly.
        if (bars.Count >= 3 && onFiveMinuteGrid && !adjacentMinutes)
        {
            throw new ArgumentException("The bars look like 5Min or coarser bars (no two are one minute apart, all on a 5-minute grid); Resample expects 1Min bars.", nameof(bars));
        }
    }

    /// <summary>Running OHLCV of one bucket.</summary>
    private sealed class Accumulator(DateTime start, Bar first)
    {
        private readonly decimal _open = first.Open;
        private decimal _high = first.High;
        private decimal _low = first.Low;
        private decimal _close = first.Close;
        private decimal _volume = first.Volume;
        private long? _tradeCount = first.TradeCount;
        private decimal? _vwapNotional = first.Vwap * first.Volume;

        public DateTime Start { get; } = start;

        public void Add(Bar bar)
        {
            _high = Math.Max(_high, bar.High);
            _low = Math.Min(_low, bar.Low);
            _close = bar.Close;
            _volume += bar.Volume;
            _tradeCount = _tradeCount + bar.TradeCount;
            _vwapNotional = _vwapNotional + bar.Vwap * bar.Volume;
        }

        public Bar ToBar()
        {
            // VWAP only when every minute had one; rounded like adjusted prices so the division does not carry 28 digits.
            decimal? vwap = _vwapNotional is { } n && _volume > 0
                ? Math.Round(n / _volume, SplitAdjuster.PriceDecimals, MidpointRounding.AwayFromZero)
                : null;
            return new Bar(Start, _open, _high, _low, _close, _volume, _tradeCount, vwap);
        }
    }
}
