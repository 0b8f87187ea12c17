using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;

namespace AiTrader.MarketData.Dal;

/// <summary>Whether a vendor's answer covers the sessions the NYSE calendar says its range had: the test that decides if
/// an answer may be cached as final.</summary>
/// <remarks>
/// Sessions are counted, not bars: quiet minutes legitimately have no bar (IEX), but a session with none at all is
/// missing. A session counts for an intraday range only when the range overlaps at least an hour of its regular hours,
/// so a sliver at the range's edge cannot make an answer look short. Missing sessions <b>before</b> the first bar are
/// accepted (the symbol may not have listed yet, or the vendor's history may start later); an empty answer, missing
/// sessions after the last bar (a vendor that lags or stopped early) and a run of <see cref="MaxInteriorGap"/> or more
/// missing sessions in between are short.
/// </remarks>
public static class SessionCoverage
{
    /// <summary>Consecutive sessions without a bar, between bars, that make an answer short (a trading halt can
    /// legitimately empty a day or two; a month-long hole cannot be one).</summary>
    public const int MaxInteriorGap = 3;

    private static readonly TimeSpan MinimumIntradayOverlap = TimeSpan.FromHours(1);

    /// <summary>Null when the answer is complete; otherwise why it is short, e.g. "0 bars for 1 session".</summary>
    public static string? Shortfall(Timeframe interval, DateTime fromUtc, DateTime toUtc, IReadOnlyList<Bar> bars, ITradingCalendar? calendar = null)
    {
        ArgumentNullException.ThrowIfNull(bars);
        calendar ??= NyseCalendar.Instance;
        var first = ExchangeTime.SessionDate(fromUtc);
        var last = ExchangeTime.SessionDate(toUtc);
        if (first > NyseCalendar.LastSupportedDate || last < NyseCalendar.FirstSupportedDate)
        {
            return null; // the calendar cannot say; do not guess
        }

        first = first < NyseCalendar.FirstSupportedDate ? NyseCalendar.FirstSupportedDate : first;
        last = last > NyseCalendar.LastSupportedDate ? NyseCalendar.LastSupportedDate : last;
        var expected = calendar.GetSessions(first, last)
            .Where(s => interval.IsIntraday
                ? Min(toUtc, s.CloseUtc) - Max(fromUtc, s.OpenUtc) >= MinimumIntradayOverlap
                : s.OpenUtc >= fromUtc && s.OpenUtc <= toUtc)
            .Select(s => s.Date)
            .ToList();
        if (expected.Count == 0)
        {
            return null;
        }

        // The cursor converts time zones once per date rather than once per bar (and gives the same dates in any order).
        var served = new HashSet<DateOnly>();
        var cursor = new SessionDateCursor();
        foreach (var bar in bars)
        {
            served.Add(cursor.DateOf(bar.Timestamp));
        }

        if (served.Count == 0)
        {
            return $"0 bars for {Sessions(expected.Count)}";
        }

        var firstServed = served.Min();
        var lastServed = served.Max();
        var trailing = expected.Count(d => d > lastServed);
        if (trailing > 0)
        {
            return $"no bars after {lastServed:yyyy-MM-dd} although the range has {Sessions(trailing)} after it";
        }

        var run = 0;
        foreach (var date in expected.Where(d => d > firstServed))
        {
            run = served.Contains(date) ? 0 : run + 1;
            if (run >= MaxInteriorGap)
            {
                var gapStart = expected[expected.IndexOf(date) - run + 1];
                return $"no bars for at least {Sessions(run)} from {gapStart:yyyy-MM-dd}";
            }
        }

        return null;
    }

    private static string Sessions(int n) => n == 1 ? "1 session" : $"{n} sessions";

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;
}
