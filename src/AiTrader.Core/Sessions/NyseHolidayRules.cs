namespace AiTrader.Core.Sessions;

/// <summary>NYSE full-day closures and 13:00 early closes for one year, by rule plus the irregular historic tables.</summary>
/// <remarks>
/// Sources checked: NYSE Group's published holiday and early-closing calendars (2022–2028 press releases),
/// NYSE Rule 7.2, the "NYSE Closings" history used by pandas_market_calendars (holidays_nyse.py) and
/// python-holidays (financial/ny_stock_exchange.py). The rules here are only claimed for 1998–2035. For 1998–1999 they give the same dates as
/// pandas_market_calendars: its 1998-12-24 early close is an ad hoc entry there and the Christmas Eve rule here.
/// </remarks>
internal static class NyseHolidayRules
{
    /// <summary>
    /// Weekday closures that no rule predicts. Keep each with its reason: a silent date here is
    /// indistinguishable from a typo.
    /// </summary>
    internal static readonly IReadOnlyList<(DateOnly Date, string Reason)> UnscheduledClosures =
    [
        (new DateOnly(2001, 9, 11), "September 11 attacks"),
        (new DateOnly(2001, 9, 12), "September 11 attacks"),
        (new DateOnly(2001, 9, 13), "September 11 attacks"),
        (new DateOnly(2001, 9, 14), "September 11 attacks"),
        (new DateOnly(2004, 6, 11), "National day of mourning, President Ronald Reagan"),
        (new DateOnly(2007, 1, 2), "National day of mourning, President Gerald Ford"),
        (new DateOnly(2012, 10, 29), "Hurricane Sandy"),
        (new DateOnly(2012, 10, 30), "Hurricane Sandy"),
        (new DateOnly(2018, 12, 5), "National day of mourning, President George H. W. Bush"),
        (new DateOnly(2025, 1, 9), "National day of mourning, President Jimmy Carter"),
    ];

    /// <summary>
    /// 13:00 closes that the current rules below do not produce.
    /// </summary>
    internal static readonly IReadOnlyList<(DateOnly Date, string Reason)> IrregularEarlyCloses =
    [
        // Before 2013, when July 4 fell on a Thursday the NYSE shortened Friday July 5 rather than
        // Wednesday July 3; 2002 is the only such year in range (2013 switched to July 3).
        (new DateOnly(2002, 7, 5), "Friday after Independence Day (pre-2013 practice)"),
        // One-off: the Friday after a Thursday Christmas closed at 13:00 in 2003, but not in 2008,
        // 2014 or 2025, so it cannot be a rule.
        (new DateOnly(2003, 12, 26), "Friday after Christmas (one-off)"),
    ];

    /// <summary>Weekday dates the exchange is closed in <paramref name="year"/>, scheduled and unscheduled.</summary>
    public static HashSet<DateOnly> Closures(int year)
    {
        var closures = new HashSet<DateOnly>();

        // NYSE Rule 7.2: a Saturday New Year's Day is not moved to Friday Dec 31, because that would
        // close the market on the last day of the accounting year (e.g. 2021-12-31 traded).
        var newYear = new DateOnly(year, 1, 1);
        if (newYear.DayOfWeek == DayOfWeek.Sunday)
        {
            closures.Add(newYear.AddDays(1));
        }
        else if (newYear.DayOfWeek != DayOfWeek.Saturday)
        {
            closures.Add(newYear);
        }

        // MLK Day has closed the NYSE since 1998, so it applies to every supported year.
        closures.Add(NthWeekday(year, 1, DayOfWeek.Monday, 3));
        closures.Add(NthWeekday(year, 2, DayOfWeek.Monday, 3));
        closures.Add(EasterSunday(year).AddDays(-2));
        closures.Add(LastWeekday(year, 5, DayOfWeek.Monday));
        if (year >= 2022)
        {
            // Juneteenth became a federal holiday in 2021, too late for the NYSE's 2021 calendar.
            closures.Add(Observed(new DateOnly(year, 6, 19)));
        }

        closures.Add(Observed(new DateOnly(year, 7, 4)));
        closures.Add(NthWeekday(year, 9, DayOfWeek.Monday, 1));
        closures.Add(NthWeekday(year, 11, DayOfWeek.Thursday, 4));
        closures.Add(Observed(new DateOnly(year, 12, 25)));

        foreach (var (date, _) in UnscheduledClosures)
        {
            if (date.Year == year)
            {
                closures.Add(date);
            }
        }

        return closures;
    }

    /// <summary>Dates in <paramref name="year"/> whose regular session ends at 13:00 ET, before removing closures.</summary>
    public static HashSet<DateOnly> EarlyCloses(int year)
    {
        var early = new HashSet<DateOnly>
        {
            NthWeekday(year, 11, DayOfWeek.Thursday, 4).AddDays(1),
        };

        // Christmas Eve on Friday is the observed Christmas holiday and on a weekend there is nothing to shorten.
        var christmasEve = new DateOnly(year, 12, 24);
        if (christmasEve.DayOfWeek is >= DayOfWeek.Monday and <= DayOfWeek.Thursday)
        {
            early.Add(christmasEve);
        }

        // July 3 on a Friday is the observed Independence Day; on Wednesday it was only shortened from 2013.
        var july3 = new DateOnly(year, 7, 3);
        if (july3.DayOfWeek is DayOfWeek.Monday or DayOfWeek.Tuesday or DayOfWeek.Thursday
            || (july3.DayOfWeek == DayOfWeek.Wednesday && year >= 2013))
        {
            early.Add(july3);
        }

        foreach (var (date, _) in IrregularEarlyCloses)
        {
            if (date.Year == year)
            {
                early.Add(date);
            }
        }

        return early;
    }

    /// <summary>Easter Sunday by the Anonymous Gregorian algorithm (Meeus/Jones/Butcher).</summary>
    public static DateOnly EasterSunday(int year)
    {
        var a = year % 19;
        var b = year / 100;
        var c = year % 100;
        var d = b / 4;
        var e = b % 4;
        var f = (b + 8) / 25;
        var g = (b - f + 1) / 3;
        var h = ((19 * a) + b - d - g + 15) % 30;
        var i = c / 4;
        var k = c % 4;
        var l = (32 + (2 * e) + (2 * i) - h - k) % 7;
        var m = (a + (11 * h) + (22 * l)) / 451;
        var month = (h + l - (7 * m) + 114) / 31;
        var day = ((h + l - (7 * m) + 114) % 31) + 1;
        return new DateOnly(year, month, day);
    }

    private static DateOnly Observed(DateOnly date) => date.DayOfWeek switch
    {
        DayOfWeek.Saturday => date.AddDays(-1),
        DayOfWeek.Sunday => date.AddDays(1),
        _ => date,
    };

    private static DateOnly NthWeekday(int year, int month, DayOfWeek weekday, int n)
    {
        var first = new DateOnly(year, month, 1);
        var offset = ((int)weekday - (int)first.DayOfWeek + 7) % 7;
        return first.AddDays(offset + (7 * (n - 1)));
    }

    private static DateOnly LastWeekday(int year, int month, DayOfWeek weekday)
    {
        var last = new DateOnly(year, month, DateTime.DaysInMonth(year, month));
        var offset = ((int)last.DayOfWeek - (int)weekday + 7) % 7;
        return last.AddDays(-offset);
    }
}
