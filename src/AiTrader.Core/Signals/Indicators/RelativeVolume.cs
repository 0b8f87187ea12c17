using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Signals.Indicators;

/// <summary>Relative volume (RVOL) by time of day: volume so far today versus the average at the same point of past sessions.</summary>
/// <remarks>
/// Intraday bars: the key of a bar is its minutes since the session anchor in New York wall-clock time (09:30, or 04:00
/// with <see cref="ExtendedHours"/>); bars outside the session (before the anchor, at or after 16:00, or 20:00 when
/// extended) are skipped and get null. RVOL = today's cumulative volume up to and including the bar ÷ the mean
/// cumulative volume at the same minute over the most recent <see cref="LookbackSessions"/> past sessions that reached
/// that minute (a session reaches minute m when it has a bar at m or later; its cumulative volume at m counts its bars
/// up to m, so a quiet minute with no bar still compares fairly). Only sessions that ended before today are used, never
/// today's or later bars. Past sessions are looked for among the latest 2 × LookbackSessions, so an early close in
/// the window does not blank the afternoon.
/// Warm-up: null until LookbackSessions past sessions reached the minute — a partial history gives no value rather
/// than an average over fewer days. Also null when that average is 0.
/// Daily bars: RVOL = volume ÷ mean volume of the previous LookbackSessions bars (first value at bar index
/// LookbackSessions).
/// </remarks>
public sealed class RelativeVolume
{
    private readonly NewYorkClock _clock = new();
    private const int RegularAnchorMinutes = 9 * 60 + 30;
    private const int RegularLengthMinutes = 390;
    private const int ExtendedAnchorMinutes = 4 * 60;
    private const int ExtendedLengthMinutes = 16 * 60;

    private readonly LinkedList<SessionProfile> _pastSessions = new();
    private readonly SimpleMovingAverage _previousDailyVolumes;
    private readonly int _anchorMinutes;
    private readonly int _lengthMinutes;
    private SessionProfile? _today;

    public RelativeVolume(Timeframe timeframe, int lookbackSessions = 10, bool extendedHours = false)
    {
        if (lookbackSessions < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(lookbackSessions), lookbackSessions, "RVOL needs at least one past session.");
        }

        Timeframe = timeframe;
        LookbackSessions = lookbackSessions;
        ExtendedHours = extendedHours;
        _anchorMinutes = extendedHours ? ExtendedAnchorMinutes : RegularAnchorMinutes;
        _lengthMinutes = extendedHours ? ExtendedLengthMinutes : RegularLengthMinutes;
        _previousDailyVolumes = new SimpleMovingAverage(lookbackSessions);
    }

    public Timeframe Timeframe { get; }

    public int LookbackSessions { get; }

    /// <summary>True when minutes are counted from 04:00 ET and pre-market/after-hours bars are included.</summary>
    public bool ExtendedHours { get; }

    /// <summary>The RVOL of the latest bar, or null during warm-up, outside the session, or when the average is 0.</summary>
    public double? Value { get; private set; }

    /// <summary>Number of bars seen since construction or <see cref="Reset"/>.</summary>
    public int Count { get; private set; }

    public bool IsReady => Value.HasValue;

    /// <summary>Adds the next bar and returns its RVOL (null during warm-up).</summary>
    public double? Update(Bar bar)
    {
        Count++;
        Value = Timeframe.IsIntraday ? UpdateIntraday(bar) : UpdateDaily((double)bar.Volume);
        return Value;
    }

    public void Reset()
    {
        _pastSessions.Clear();
        _previousDailyVolumes.Reset();
        _today = null;
        Count = 0;
        Value = null;
    }

    private double? UpdateDaily(double volume)
    {
        // The average must come from earlier bars only, so read it before adding today's volume.
        var average = _previousDailyVolumes.Value;
        _previousDailyVolumes.Update(volume);
        return average is > 0 ? volume / average.Value : null;
    }

    private double? UpdateIntraday(Bar bar)
    {
        var date = _clock.SessionDate(bar.Timestamp);
        if (_today is null || _today.Date != date)
        {
            if (_today is { Keys.Count: > 0 })
            {
                _pastSessions.AddFirst(_today);
                while (_pastSessions.Count > 2 * LookbackSessions)
                {
                    _pastSessions.RemoveLast();
                }
            }

            _today = new SessionProfile(date);
        }

        var local = _clock.ToNewYork(bar.Timestamp);
        // Floor, not truncation: a bar at 09:29:30 is before the open, not minute 0.
        var minute = (int)Math.Floor(local.TimeOfDay.TotalMinutes - _anchorMinutes);
        if (minute < 0 || minute >= _lengthMinutes)
        {
            return null;
        }

        var cumulative = _today.Add(minute, (double)bar.Volume);

        var found = 0;
        var sum = 0.0;
        foreach (var past in _pastSessions)
        {
            if (past.LastMinute < minute)
            {
                continue;
            }

            sum += past.CumulativeAt(minute);
            if (++found == LookbackSessions)
            {
                break;
            }
        }

        if (found < LookbackSessions)
        {
            return null;
        }

        var average = sum / LookbackSessions;
        return average > 0 ? cumulative / average : null;
    }

    /// <summary>Cumulative volume by minute of one session, in bar order.</summary>
    private sealed class SessionProfile(DateOnly date)
    {
        public DateOnly Date { get; } = date;

        public List<int> Keys { get; } = [];

        private readonly List<double> _cumulative = [];

        public int LastMinute => Keys[^1];

        public double Add(int minute, double volume)
        {
            var total = (_cumulative.Count > 0 ? _cumulative[^1] : 0) + volume;
            if (Keys.Count > 0 && Keys[^1] >= minute)
            {
                // Two bars in the same minute (or out of order) fold into the latest key; minutes must not go backwards.
                _cumulative[^1] = total;
                return total;
            }

            Keys.Add(minute);
            _cumulative.Add(total);
            return total;
        }

        /// <summary>Cumulative volume of the bars at or before <paramref name="minute"/> (0 when none).</summary>
        public double CumulativeAt(int minute)
        {
            var index = Keys.BinarySearch(minute);
            if (index < 0)
            {
                index = ~index - 1;
            }

            return index >= 0 ? _cumulative[index] : 0;
        }
    }
}
