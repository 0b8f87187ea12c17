using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Backtesting;

/// <summary>Says, for each bar the engine walks, which New York trading date it belongs to and whether orders may
/// fill on it: inside the regular session (or pre-market/after-hours too when extended hours are on), never on a
/// day the exchange is closed.</summary>
/// <remarks>Without a calendar every bar may fill (synthetic series have no holidays). The New York day's bounds are
/// cached, so a bar costs two comparisons unless it starts a new day.</remarks>
internal sealed class SessionClock(ITradingCalendar? calendar, bool extendedHours, Timeframe timeframe)
{
    private DateTime _dayStart = DateTime.MaxValue;
    private DateTime _dayEnd = DateTime.MinValue;
    private TradingSession? _session;

    /// <summary>The New York date of the last bar classified, as a day number.</summary>
    public int Day { get; private set; }

    /// <summary>Classifies the bar starting at <paramref name="timestamp"/>; returns whether orders may fill on it
    /// and sets <see cref="Day"/>.</summary>
    public bool CanFill(DateTime timestamp)
    {
        if (timestamp < _dayStart || timestamp >= _dayEnd)
        {
            var date = ExchangeTime.SessionDate(timestamp);
            Day = date.DayNumber;
            _dayStart = ExchangeTime.StartOfDateUtc(date);
            _dayEnd = ExchangeTime.ToUtc(date.AddDays(1), TimeOnly.MinValue);
            _session = calendar?.GetSession(date);
        }

        if (calendar is null)
        {
            return true;
        }

        if (_session is not { } session)
        {
            return false;
        }

        if (!timeframe.IsIntraday)
        {
            return true;
        }

        return session.Contains(timestamp, extendedHours);
    }
}

/// <summary>A read-only view of the first <see cref="Count"/> items of a list, grown one item at a time: how a
/// strategy sees the bars so far without the engine copying them (and without a way to index past the current bar).</summary>
internal sealed class PrefixView<T>(IReadOnlyList<T> source) : IReadOnlyList<T>
{
    public int Count { get; private set; }

    public T this[int index] => (uint)index < (uint)Count
        ? source[index]
        : throw new ArgumentOutOfRangeException(nameof(index), index, $"Only {Count} items are visible.");

    public void Grow() => Count++;

    public IEnumerator<T> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return source[i];
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
