namespace AiTrader.Core.Sessions;

/// <summary>New York session dates of UTC instants read in time order, with one time-zone conversion per date instead
/// of one per instant: the cursor keeps the current date's UTC bounds and converts only when an instant leaves them.</summary>
/// <remarks>Gives exactly <see cref="ExchangeTime.SessionDate"/>: a date's bounds are its 00:00 ET and the next date's,
/// and New York never skips or repeats midnight. Works in any order; time order is what makes it fast.</remarks>
public struct SessionDateCursor
{
    private long _start;
    private long _end;
    private DateOnly _date;

    public SessionDateCursor()
    {
        _start = long.MaxValue;
        _end = long.MinValue;
    }

    /// <summary>The session date of <paramref name="utc"/> (Kind=Utc).</summary>
    public DateOnly DateOf(DateTime utc)
    {
        var t = utc.Ticks;
        if (t < _start || t >= _end)
        {
            _date = ExchangeTime.SessionDate(utc);
            _start = ExchangeTime.StartOfDateUtc(_date).Ticks;
            _end = _date == DateOnly.MaxValue ? long.MaxValue : ExchangeTime.StartOfDateUtc(_date.AddDays(1)).Ticks;
        }

        return _date;
    }

    /// <summary>UTC ticks where the date of the last <see cref="DateOf"/> ends (the next date's 00:00 ET).</summary>
    public readonly long EndTicks => _end;
}
