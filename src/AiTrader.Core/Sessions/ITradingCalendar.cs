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
