using System.Globalization;
using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.MarketData;

/// <summary>Sessions of the exchange calendar with no bar between two sessions that have bars.</summary>
/// <param name="LastBefore">The last session date with bars before the gap.</param>
/// <param name="FirstAfter">The first session date with bars after it.</param>
/// <param name="MissingSessions">Trading sessions of the calendar strictly between the two.</param>
public sealed record SessionGap(DateOnly LastBefore, DateOnly FirstAfter, int MissingSessions);

/// <summary>How completely a series covers the calendar's sessions between its first and last bar.</summary>
/// <param name="SessionsWithBars">Session dates that have at least one bar.</param>
/// <param name="MissingSessions">Calendar sessions in the span with no bar.</param>
/// <param name="Gaps">Each run of missing sessions, in time order.</param>
public sealed record SessionCoverage(int SessionsWithBars, int MissingSessions, IReadOnlyList<SessionGap> Gaps)
{
    /// <summary>The gap with the most missing sessions (the first of equals), or null when nothing is missing.</summary>
    public SessionGap? Largest => Gaps.Count == 0 ? null : Gaps.MaxBy(g => g.MissingSessions);

    /// <summary>One line for a warning, or null when the series misses no session.</summary>
    public string? Describe(string calendarName = "NYSE")
    {
        if (Largest is not { } largest)
        {
            return null;
        }

        var inv = CultureInfo.InvariantCulture;
        return string.Create(inv,
            $"{MissingSessions} session(s) of the {calendarName} calendar have no bars ({Gaps.Count} gap(s); largest {largest.MissingSessions} session(s) between {largest.LastBefore:yyyy-MM-dd} and {largest.FirstAfter:yyyy-MM-dd}); results across a gap are not continuous");
    }
}

/// <summary>Finds the calendar sessions a bar series leaves out: a file of six sessions of 2013 and one of 2023 covers
/// seven sessions of a ten-year span, and a run over it must say so rather than annualize across the hole.</summary>
public static class SessionGaps
{
    /// <summary>Compares the session dates of <paramref name="bars"/> (sorted) with <paramref name="calendar"/>'s sessions
    /// between the first and the last; dates the calendar does not cover are not counted as missing.</summary>
    public static SessionCoverage Find(IReadOnlyList<Bar> bars, ITradingCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(bars);
        ArgumentNullException.ThrowIfNull(calendar);
        var cursor = new SessionDateCursor();
        var gaps = new List<SessionGap>();
        var present = 0;
        var missing = 0;
        DateOnly? previous = null;
        // Columns jump from a date's first bar to the next date's (a binary search in the times) instead of visiting
        // each of a minute file's few hundred bars per date.
        var ticks = bars is BarColumns columns ? columns.Ticks : default;
        for (var i = 0; i < bars.Count; i = ticks.IsEmpty ? i + 1 : i + 1 + BarColumns.LowerBound(ticks[(i + 1)..], cursor.EndTicks))
        {
            var date = cursor.DateOf(BarColumns.TimeOf(bars, i));
            if (previous == date)
            {
                continue;
            }

            if (IsSession(calendar, date))
            {
                present++;
            }

            if (previous is { } before)
            {
                var between = 0;
                for (var d = before.AddDays(1); d < date; d = d.AddDays(1))
                {
                    if (IsSession(calendar, d))
                    {
                        between++;
                    }
                }

                if (between > 0)
                {
                    gaps.Add(new SessionGap(before, date, between));
                    missing += between;
                }
            }

            previous = date;
        }

        return new SessionCoverage(present, missing, gaps);
    }

    /// <summary>Trades whose holding period spans a gap of at least <paramref name="minSessions"/> missing sessions: the
    /// position was carried across days the data does not have, so its exit price and P&amp;L say nothing about them.</summary>
    public static IReadOnlyList<(TradeRecord Trade, SessionGap Gap)> TradesAcross(IReadOnlyList<TradeRecord> trades,
        SessionCoverage coverage, int minSessions = 2)
    {
        ArgumentNullException.ThrowIfNull(trades);
        ArgumentNullException.ThrowIfNull(coverage);
        var found = new List<(TradeRecord, SessionGap)>();
        var large = coverage.Gaps.Where(g => g.MissingSessions >= minSessions).ToList();
        if (large.Count == 0)
        {
            return found;
        }

        foreach (var t in trades)
        {
            var entry = ExchangeTime.SessionDate(t.EntryTime);
            var exit = ExchangeTime.SessionDate(t.ExitTime);
            var gap = large.Where(g => g.LastBefore >= entry && g.FirstAfter <= exit).MaxBy(g => g.MissingSessions);
            if (gap is not null)
            {
                found.Add((t, gap));
            }
        }

        return found;
    }

    private static bool IsSession(ITradingCalendar calendar, DateOnly date)
    {
        try
        {
            return calendar.IsTradingDay(date);
        }
        catch (ArgumentOutOfRangeException)
        {
            // Outside the calendar's years: unknown, not missing.
            return false;
        }
    }
}
