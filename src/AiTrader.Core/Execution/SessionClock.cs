using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Execution;

/// <summary>Says, for each bar time, which New York trading date it belongs to and whether it is traded: inside the
/// regular session (or pre-market/after-hours too when extended hours are on), never on a day the exchange is closed.
/// The one session check of the trading loop, whatever drives it.</summary>
/// <remarks>Without a calendar every bar is traded (synthetic series have no holidays). The New York day's bounds are
/// cached, so a bar costs two comparisons unless it starts a new day.</remarks>
public sealed class SessionClock(ITradingCalendar? calendar, bool extendedHours, Timeframe timeframe)
{
    private DateTime _dayStart = DateTime.MaxValue;
    private DateTime _dayEnd = DateTime.MinValue;

    /// <summary>The New York date of the last bar time classified, as a day number.</summary>
    public int Day { get; private set; }

    /// <summary>The exchange session of that date; null on a closed day or without a calendar.</summary>
    public TradingSession? Session { get; private set; }

    public ITradingCalendar? Calendar => calendar;

    /// <summary>Classifies the bar starting at <paramref name="timestamp"/>; returns whether it is traded and sets
    /// <see cref="Day"/> and <see cref="Session"/>.</summary>
    public bool IsTraded(DateTime timestamp)
    {
        if (timestamp < _dayStart || timestamp >= _dayEnd)
        {
            var date = ExchangeTime.SessionDate(timestamp);
            Day = date.DayNumber;
            _dayStart = ExchangeTime.StartOfDateUtc(date);
            _dayEnd = ExchangeTime.ToUtc(date.AddDays(1), TimeOnly.MinValue);
            Session = calendar?.GetSession(date);
        }

        if (calendar is null)
        {
            return true;
        }

        if (Session is not { } session)
        {
            return false;
        }

        return !timeframe.IsIntraday || session.Contains(timestamp, extendedHours);
    }
}

/// <summary>The bars a strategy may see: a growing prefix of its input, read in place while every bar is traded, then the
/// indexes of the traded bars once one is skipped (4 bytes a bar, the bars still read in place); a feed keeps its bars.
/// It cannot index past the current bar.</summary>
internal sealed class TradedBars : IReadOnlyList<Bar>
{
    private readonly IReadOnlyList<Bar>? _source;
    private readonly List<Bar>? _fed;
    private List<int>? _kept;
    private int _count;

    /// <param name="source">The input bars, when the driver walks an indexable series; null for a feed.</param>
    public TradedBars(IReadOnlyList<Bar>? source, int capacity = 0)
    {
        _source = source;
        if (source is null)
        {
            _fed = new List<Bar>(capacity);
        }
    }

    public int Count => _fed?.Count ?? _kept?.Count ?? _count;

    public Bar this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"Only {Count} bars are visible.");
            }

            return _fed is { } fed ? fed[index] : _source![_kept is { } kept ? kept[index] : index];
        }
    }

    /// <summary>The input bar at <paramref name="sourceIndex"/> (−1 for a feed) is traded: it becomes visible.</summary>
    public void Keep(int sourceIndex, in Bar bar)
    {
        if (_fed is { } fed)
        {
            fed.Add(bar);
        }
        else if (_kept is { } kept)
        {
            kept.Add(sourceIndex);
        }
        else if (sourceIndex == _count)
        {
            _count++;
        }
        else
        {
            // A bar was skipped: from here on the visible bars are the traded ones, by index.
            _kept = new List<int>(Math.Max(16, _count * 2));
            for (var i = 0; i < _count; i++)
            {
                _kept.Add(i);
            }

            _kept.Add(sourceIndex);
        }
    }

    public IEnumerator<Bar> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
