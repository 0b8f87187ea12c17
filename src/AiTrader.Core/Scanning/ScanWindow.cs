using AiTrader.Core.Sessions;

namespace AiTrader.Core.Scanning;

/// <summary>What every symbol of a scan at one window shares: the session scanned, the window (only bars closed by then
/// count), the past sessions searched for RVOL (most recent first) and, for each, the instant of the window's New York
/// time of day on it (null when that session had closed by then, a half day).</summary>
public sealed record ScanWindow
{
    private ScanWindow(TradingSession session, DateTime windowUtc, IReadOnlyList<TradingSession> past)
    {
        Session = session;
        WindowUtc = windowUtc;
        Past = past;
        TimeOfDay = TimeOnly.FromDateTime(ExchangeTime.ToNewYork(windowUtc));
        RvolCuts = [.. past.Select(s =>
            (s, TimeOfDay >= TimeOnly.FromDateTime(ExchangeTime.ToNewYork(s.CloseUtc)) ? (DateTime?)null : ExchangeTime.ToUtc(s.Date, TimeOfDay)))];
    }

    public TradingSession Session { get; }

    public DateTime WindowUtc { get; }

    /// <summary>The calendar's sessions before the scanned one, most recent first, at most <see cref="ScanOptions.MaxSessionsSearched"/>.</summary>
    public IReadOnlyList<TradingSession> Past { get; }

    /// <summary>The window's New York time of day, at which RVOL compares the past sessions.</summary>
    public TimeOnly TimeOfDay { get; }

    /// <summary>Each past session with the UTC instant of <see cref="TimeOfDay"/> on it, or null when it had closed by then.</summary>
    public IReadOnlyList<(TradingSession Session, DateTime? Cut)> RvolCuts { get; }

    /// <summary>The first instant whose minute bars a measurement reads: the oldest past session's premarket open.</summary>
    public DateTime HistoryStartUtc => Past.Count > 0 ? Past[^1].PremarketOpenUtc : Session.PremarketOpenUtc;

    /// <summary>The window <paramref name="windowUtc"/> of <paramref name="date"/> under <paramref name="options"/>' lookback.</summary>
    /// <exception cref="ArgumentException">The date is not a trading day, or the window is not a UTC instant on it.</exception>
    public static ScanWindow For(ITradingCalendar calendar, ScanOptions options, DateOnly date, DateTime windowUtc)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentNullException.ThrowIfNull(options);
        if (windowUtc.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException($"The scan window {windowUtc:O} must be a UTC instant.", nameof(windowUtc));
        }

        var session = calendar.GetSession(date)
            ?? throw new ArgumentException($"{date:yyyy-MM-dd} is not a trading day ({date.DayOfWeek}); pick a trading session.", nameof(date));
        if (ExchangeTime.SessionDate(windowUtc) != date)
        {
            throw new ArgumentException($"The window {windowUtc:O} is not on {date:yyyy-MM-dd} (New York).", nameof(windowUtc));
        }

        return new ScanWindow(session, windowUtc, PastSessions(calendar, options, date));
    }

    private static List<TradingSession> PastSessions(ITradingCalendar calendar, ScanOptions options, DateOnly date)
    {
        // Two calendar weeks per five sessions, plus slack for holidays, always covers MaxSessionsSearched sessions.
        var from = date.AddDays(-(options.MaxSessionsSearched * 7 / 5 + 14));
        if (calendar is NyseCalendar && from < NyseCalendar.FirstSupportedDate)
        {
            from = NyseCalendar.FirstSupportedDate;
        }

        if (from > date.AddDays(-1))
        {
            return [];
        }

        return [.. calendar.GetSessions(from, date.AddDays(-1)).Reverse().Take(options.MaxSessionsSearched)];
    }
}
