using System.Runtime.InteropServices;
using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Scanning;

/// <summary>One symbol's streaming scan inputs, fed minute bar by minute bar in time order: per New York date, the
/// running (cumulative) volume from the premarket open, each bar's close and open time, and the last regular-hours
/// close. Gap, last price, volume so far and RVOL at any window are read off it (<see cref="SymbolScanMeasure"/>), by
/// the single-machine scanner and by a cluster's symbol grain alike.</summary>
/// <remarks>A bar at or before the last one added is ignored, so a stream replayed over what is already here changes
/// nothing. Bars before a date's premarket open only mark the date as having data: no measurement reads them.</remarks>
public sealed class SymbolScanState(ITradingCalendar calendar)
{
    private readonly ITradingCalendar _calendar = calendar ?? throw new ArgumentNullException(nameof(calendar));
    private readonly Dictionary<DateOnly, SessionTape> _days = [];
    private readonly NewYorkClock _clock = new();
    private SessionTape? _current;

    /// <summary>Open time of the last bar added; null before the first.</summary>
    public DateTime? LastBarUtc { get; private set; }

    /// <summary>Bars kept (those from a date's premarket open on).</summary>
    public int Points { get; private set; }

    /// <summary>New York dates with at least one bar.</summary>
    public int Dates => _days.Count;

    /// <summary>Adds the next bar; one at or before <see cref="LastBarUtc"/> is ignored.</summary>
    public void Add(in Bar bar)
    {
        if (LastBarUtc is { } last && bar.Timestamp <= last)
        {
            return;
        }

        LastBarUtc = bar.Timestamp;
        var date = _clock.SessionDate(bar.Timestamp);
        if (_current is null || _current.Date != date)
        {
            _current = new SessionTape(date, _calendar.GetSession(date));
            _days[date] = _current;
        }

        if (_current.Append(bar))
        {
            Points++;
        }
    }

    /// <summary>The bars of <paramref name="date"/>, or null when none was added.</summary>
    public SessionTape? Day(DateOnly date) => _days.GetValueOrDefault(date);

    /// <summary>The managed bytes the state holds, roughly (arrays at their capacity, per-date overhead): the figure a
    /// scale plan multiplies by the universe.</summary>
    public long ApproximateBytes => 64 + _days.Values.Sum(d => d.ApproximateBytes);

    /// <summary>One New York date of one symbol: its bars from the premarket open on, as open times, closes and
    /// running volume.</summary>
    public sealed class SessionTape
    {
        private static readonly long OneMinute = TimeSpan.TicksPerMinute;
        private readonly List<long> _ticks = [];
        private readonly List<decimal> _closes = [];
        private readonly List<decimal> _cumulative = [];

        internal SessionTape(DateOnly date, TradingSession? session)
        {
            Date = date;
            Session = session;
        }

        public DateOnly Date { get; }

        /// <summary>The calendar's session on <see cref="Date"/>; null on a day without one (its bars are never read).</summary>
        public TradingSession? Session { get; }

        /// <summary>Close of the last bar inside regular hours.</summary>
        public decimal? LastRegularClose { get; private set; }

        /// <summary>Bars kept (from the premarket open on).</summary>
        public int Count => _ticks.Count;

        internal long ApproximateBytes => 96 + (_ticks.Capacity * 8L) + (_closes.Capacity * 16L) + (_cumulative.Capacity * 16L);

        /// <summary>Bars kept whose minute has closed by <paramref name="cutUtc"/> (open time + 1 min ≤ the cut).</summary>
        public int ClosedBy(DateTime cutUtc)
        {
            // Open times ascend: the first bar not closed by the cut ends the count.
            return BarColumns.UpperBound(CollectionsMarshal.AsSpan(_ticks), cutUtc.Ticks - OneMinute);
        }

        /// <summary>Volume of the first <paramref name="count"/> bars kept, summed in time order.</summary>
        public decimal VolumeOfFirst(int count) => count == 0 ? 0m : _cumulative[count - 1];

        /// <summary>Close and open time of bar <paramref name="index"/> (kept bars, in time order).</summary>
        public (decimal Close, DateTime OpenUtc) BarAt(int index) => (_closes[index], new DateTime(_ticks[index], DateTimeKind.Utc));

        internal bool Append(in Bar bar)
        {
            if (Session is not { } session || bar.Timestamp < session.PremarketOpenUtc)
            {
                return false;
            }

            if (bar.Timestamp >= session.OpenUtc && bar.Timestamp < session.CloseUtc)
            {
                LastRegularClose = bar.Close;
            }

            _ticks.Add(bar.Timestamp.Ticks);
            _closes.Add(bar.Close);
            _cumulative.Add((_cumulative.Count > 0 ? _cumulative[^1] : 0m) + bar.Volume);
            return true;
        }
    }
}
