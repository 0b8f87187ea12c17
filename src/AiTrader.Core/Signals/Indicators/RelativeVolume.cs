using System.Numerics;
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

    private readonly SessionProfile?[] _pastSessions; // most recent first
    private int _pastCount;
    private double[]? _pastSums; // by minute: the sum over the sessions the average uses, worked out once a session
    private double[]? _pastFound; // by minute: how many past sessions that sum has (up to LookbackSessions)
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
        _pastSessions = new SessionProfile?[2 * lookbackSessions];
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
        if (!Timeframe.IsIntraday)
        {
            return Update(default, default, (double)bar.Volume);
        }

        var local = _clock.ToNewYork(bar.Timestamp);
        return Update(DateOnly.FromDateTime(local), local, (double)bar.Volume);
    }

    /// <summary><see cref="Update(Bar)"/> from the bar's New York wall-clock time and session date (read on intraday
    /// bars only) and its volume as a double.</summary>
    internal double? Update(DateOnly date, DateTime newYork, double volume)
    {
        Count++;
        Value = Timeframe.IsIntraday ? UpdateIntraday(date, newYork, volume) : UpdateDaily(volume);
        return Value;
    }

    public void Reset()
    {
        Array.Clear(_pastSessions);
        _pastCount = 0;
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

    private double? UpdateIntraday(DateOnly date, DateTime local, double volume)
    {
        if (_today is null || _today.Date != date)
        {
            SessionProfile? recycled = null;
            if (_today is { LastMinute: >= 0 })
            {
                if (_pastCount == _pastSessions.Length)
                {
                    recycled = _pastSessions[^1]; // the oldest past session leaves the lookback
                    _pastCount--;
                }

                Array.Copy(_pastSessions, 0, _pastSessions, 1, _pastCount);
                _pastSessions[0] = _today;
                _pastCount++;
            }
            else
            {
                recycled = _today; // a session without bars in the window is not kept
            }

            _today = recycled ?? new SessionProfile(_lengthMinutes);
            _today.Start(date);
            SumPastSessions();
        }

        // Floor, not truncation: a bar at 09:29:30 is before the open, not minute 0.
        var minute = (int)Math.Floor(local.TimeOfDay.TotalMinutes - _anchorMinutes);
        if (minute < 0 || minute >= _lengthMinutes)
        {
            return null;
        }

        var cumulative = _today.Add(minute, volume);
        if (_pastFound![minute] < LookbackSessions)
        {
            return null;
        }

        var average = _pastSums![minute] / LookbackSessions;
        return average > 0 ? cumulative / average : null;
    }

    /// <summary>For every minute of the session window, the sum of the cumulative volumes at that minute of the most
    /// recent <see cref="LookbackSessions"/> past sessions that reached it, most recent first, and how many there were.</summary>
    /// <remarks>The past sessions do not change during a session, so this is done once when a session starts, for all
    /// minutes at once (a vector lane per minute), instead of a walk through the sessions on every bar. Each minute's
    /// sum adds the same values in the same order as that walk did, from 0.0, so the average is the same double.</remarks>
    private void SumPastSessions()
    {
        _pastSums ??= new double[_lengthMinutes];
        _pastFound ??= new double[_lengthMinutes];
        var sums = _pastSums.AsSpan();
        var found = _pastFound.AsSpan();
        sums.Clear();
        found.Clear();
        var lookback = (double)LookbackSessions;
        for (var i = 0; i < _pastCount; i++)
        {
            var past = _pastSessions[i]!;
            var reached = past.LastMinute + 1; // the session reached minutes 0..LastMinute
            var cumulative = past.Cumulative;
            var m = 0;
            if (Vector.IsHardwareAccelerated)
            {
                var limit = new Vector<double>(lookback);
                for (; m + Vector<double>.Count <= reached; m += Vector<double>.Count)
                {
                    var count = new Vector<double>(found[m..]);
                    var sum = new Vector<double>(sums[m..]);
                    var open = Vector.LessThan(count, limit);
                    Vector.ConditionalSelect(open, sum + new Vector<double>(cumulative[m..]), sum).CopyTo(sums[m..]);
                    Vector.ConditionalSelect(open, count + Vector<double>.One, count).CopyTo(found[m..]);
                }
            }

            for (; m < reached; m++)
            {
                if (found[m] < lookback)
                {
                    sums[m] += cumulative[m];
                    found[m]++;
                }
            }
        }
    }

    /// <summary>Cumulative volume by minute of one session, one slot per minute of the session window, so a past
    /// session answers "volume up to minute m" with one read instead of a search through its bars' minutes.</summary>
    private sealed class SessionProfile(int minutes)
    {
        // _cumulative[m] for m ≤ LastMinute: the volume of the bars at or before minute m (0 before the first bar).
        private readonly double[] _cumulative = new double[minutes];
        private double _total;

        public DateOnly Date { get; private set; }

        /// <summary>The minute of the latest bar, or −1 before the first.</summary>
        public int LastMinute { get; private set; } = -1;

        public void Start(DateOnly date)
        {
            Date = date;
            LastMinute = -1;
            _total = 0;
        }

        public double Add(int minute, double volume)
        {
            var total = _total + volume;
            _total = total;
            if (LastMinute >= minute)
            {
                // Two bars in the same minute (or out of order) fold into the latest minute; minutes must not go backwards.
                _cumulative[LastMinute] = total;
                return total;
            }

            // Minutes without a bar carry the total of the bars before them (0 before the first bar).
            var before = LastMinute >= 0 ? _cumulative[LastMinute] : 0;
            _cumulative.AsSpan(LastMinute + 1, minute - LastMinute - 1).Fill(before);
            _cumulative[minute] = total;
            LastMinute = minute;
            return total;
        }

        /// <summary>By minute m ≤ <see cref="LastMinute"/>: the volume of the bars at or before m.</summary>
        public ReadOnlySpan<double> Cumulative => _cumulative;
    }
}
