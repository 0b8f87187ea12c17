namespace AiTrader.Core.Sessions;

/// <summary>An exchange calendar: which dates trade and when each session opens and closes.</summary>
public interface ITradingCalendar
{
    /// <summary>True when the exchange holds a regular session on <paramref name="date"/> (New York date).</summary>
    bool IsTradingDay(DateOnly date);

    /// <summary>The session on <paramref name="date"/>, or null when the exchange is closed.</summary>
    TradingSession? GetSession(DateOnly date);

    /// <summary>Every session from <paramref name="from"/> to <paramref name="to"/>, both inclusive, in order.</summary>
    IEnumerable<TradingSession> GetSessions(DateOnly from, DateOnly to);
}

/// <summary>Questions asked of any calendar.</summary>
public static class TradingCalendarExtensions
{
    /// <summary>True when <paramref name="utc"/> lies in the regular session of its New York date (open inclusive,
    /// close exclusive); false on a closed day.</summary>
    public static bool IsInRegularSession(this ITradingCalendar calendar, DateTime utc) =>
        calendar.GetSession(ExchangeTime.SessionDate(utc)) is { } session && session.Contains(utc);
}
