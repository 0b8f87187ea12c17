using System.Diagnostics;
using System.Globalization;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Tests.Sessions;

public sealed class NyseCalendarSessionTests
{
    private static readonly NyseCalendar Calendar = NyseCalendar.Instance;

    private static DateTime Utc(string iso) =>
        DateTime.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    // EST is UTC-5, EDT is UTC-4; the US changed on 2008-03-09, 2024-03-10 and 2024-11-03.
    [Theory]
    [InlineData("2008-03-07", "2008-03-07T09:00:00Z", "2008-03-07T14:30:00Z", "2008-03-07T21:00:00Z", "2008-03-08T01:00:00Z")]
    [InlineData("2008-03-10", "2008-03-10T08:00:00Z", "2008-03-10T13:30:00Z", "2008-03-10T20:00:00Z", "2008-03-11T00:00:00Z")]
    [InlineData("2024-03-08", "2024-03-08T09:00:00Z", "2024-03-08T14:30:00Z", "2024-03-08T21:00:00Z", "2024-03-09T01:00:00Z")]
    [InlineData("2024-03-11", "2024-03-11T08:00:00Z", "2024-03-11T13:30:00Z", "2024-03-11T20:00:00Z", "2024-03-12T00:00:00Z")]
    [InlineData("2024-11-01", "2024-11-01T08:00:00Z", "2024-11-01T13:30:00Z", "2024-11-01T20:00:00Z", "2024-11-02T00:00:00Z")]
    [InlineData("2024-11-04", "2024-11-04T09:00:00Z", "2024-11-04T14:30:00Z", "2024-11-04T21:00:00Z", "2024-11-05T01:00:00Z")]
    public void Session_boundaries_follow_new_york_dst(string date, string premarket, string open, string close, string afterHours)
    {
        var session = Calendar.GetSession(DateOnly.Parse(date));

        Assert.NotNull(session);
        Assert.Equal(Utc(premarket), session.PremarketOpenUtc);
        Assert.Equal(Utc(open), session.OpenUtc);
        Assert.Equal(Utc(close), session.CloseUtc);
        Assert.Equal(Utc(afterHours), session.AfterHoursCloseUtc);
        Assert.Equal(DateTimeKind.Utc, session.OpenUtc.Kind);
        Assert.False(session.IsEarlyClose);
    }

    [Theory]
    [InlineData("2024-07-03", "2024-07-03T17:00:00Z", "2024-07-03T21:00:00Z")] // EDT
    [InlineData("2024-11-29", "2024-11-29T18:00:00Z", "2024-11-29T22:00:00Z")] // EST
    [InlineData("2015-12-24", "2015-12-24T18:00:00Z", "2015-12-24T22:00:00Z")] // the GOOG minute sample's half day
    public void Early_close_ends_regular_at_13_and_late_session_at_17(string date, string close, string afterHours)
    {
        var session = Calendar.GetSession(DateOnly.Parse(date));

        Assert.NotNull(session);
        Assert.True(session.IsEarlyClose);
        Assert.Equal(Utc(close), session.CloseUtc);
        Assert.Equal(Utc(afterHours), session.AfterHoursCloseUtc);
    }

    [Fact]
    public void Weekends_have_no_session() =>
        Assert.Null(Calendar.GetSession(new DateOnly(2024, 3, 9)));

    [Theory]
    [InlineData("1997-12-31")]
    [InlineData("2036-01-01")]
    public void Dates_outside_1998_to_2035_throw(string date)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Calendar.IsTradingDay(DateOnly.Parse(date)));
        Assert.Contains("1998-01-01 to 2035-12-31", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Calendar.GetSession(DateOnly.Parse(date)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Calendar.GetSessions(DateOnly.Parse(date), DateOnly.Parse(date)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Calendar.GetHolidays(DateOnly.Parse(date).Year));
    }

    [Fact]
    public void Reversed_range_throws() =>
        Assert.Throws<ArgumentException>(() => Calendar.GetSessions(new DateOnly(2024, 1, 2), new DateOnly(2024, 1, 1)));

    [Fact]
    public void Next_and_previous_skip_weekends_and_holidays()
    {
        // 2012-10-26 Fri, then weekend and the two Hurricane Sandy closures.
        Assert.Equal(new DateOnly(2012, 10, 31), Calendar.NextTradingDay(new DateOnly(2012, 10, 26)));
        Assert.Equal(new DateOnly(2012, 10, 26), Calendar.PreviousTradingDay(new DateOnly(2012, 10, 31)));
        // 2001-09-10 was the last session before the September 11 closures; trading resumed on 09-17.
        Assert.Equal(new DateOnly(2001, 9, 17), Calendar.NextTradingDay(new DateOnly(2001, 9, 10)));
        Assert.Equal(new DateOnly(2022, 1, 3), Calendar.NextTradingDay(new DateOnly(2021, 12, 31)));
        Assert.Null(Calendar.NextTradingDay(new DateOnly(2035, 12, 31)));
        // 1998-01-02 is the first session in range (Jan 1 was the holiday); 1999-12-31 a full Friday before 2000-01-03.
        Assert.Null(Calendar.PreviousTradingDay(new DateOnly(1998, 1, 2)));
        Assert.Equal(new DateOnly(1998, 1, 2), Calendar.NextTradingDay(new DateOnly(1998, 1, 1)));
        Assert.Equal(new DateOnly(1999, 12, 31), Calendar.PreviousTradingDay(new DateOnly(2000, 1, 3)));
        Assert.Equal(new DateOnly(2000, 1, 3), Calendar.NextTradingDay(new DateOnly(2000, 1, 1)));
    }

    [Fact]
    public void Trading_days_between_counts_both_ends()
    {
        Assert.Equal(1, Calendar.TradingDaysBetween(new DateOnly(2024, 3, 11), new DateOnly(2024, 3, 11)));
        Assert.Equal(0, Calendar.TradingDaysBetween(new DateOnly(2024, 3, 9), new DateOnly(2024, 3, 10)));
        // Thanksgiving week 2024: Mon-Wed, (Thu closed), Fri half day.
        Assert.Equal(4, Calendar.TradingDaysBetween(new DateOnly(2024, 11, 25), new DateOnly(2024, 11, 29)));
    }

    [Theory]
    [InlineData("2024-03-11T13:29:59Z", false, null)]
    [InlineData("2024-03-11T13:30:00Z", false, "2024-03-11")]
    [InlineData("2024-03-11T19:59:59Z", false, "2024-03-11")]
    [InlineData("2024-03-11T20:00:00Z", false, null)]
    [InlineData("2024-03-11T08:00:00Z", true, "2024-03-11")]
    [InlineData("2024-03-11T07:59:59Z", true, null)]
    [InlineData("2024-03-11T23:59:00Z", true, "2024-03-11")] // after-hours bar on the next UTC date
    [InlineData("2024-03-12T00:00:00Z", true, null)]
    [InlineData("2024-11-29T18:30:00Z", false, null)] // half day: regular hours already over
    [InlineData("2024-11-29T18:30:00Z", true, "2024-11-29")]
    [InlineData("2024-11-29T22:00:00Z", true, null)]
    [InlineData("2024-11-28T15:00:00Z", true, null)] // Thanksgiving
    public void Session_containing_an_instant(string instant, bool extended, string? expectedDate)
    {
        var session = Calendar.SessionContaining(Utc(instant), extended);
        Assert.Equal(expectedDate is null ? null : DateOnly.Parse(expectedDate), session?.Date);
    }

    [Fact]
    public void Session_containing_rejects_non_utc() =>
        Assert.Throws<ArgumentException>(() => Calendar.SessionContaining(new DateTime(2024, 3, 11, 10, 0, 0, DateTimeKind.Local), false));

    [Fact]
    public void Whole_range_is_consistent()
    {
        var sessions = Calendar.GetSessions(NyseCalendar.FirstSupportedDate, NyseCalendar.LastSupportedDate).ToList();
        Assert.Equal(Calendar.TradingDaysBetween(NyseCalendar.FirstSupportedDate, NyseCalendar.LastSupportedDate), sessions.Count);
        Assert.All(sessions.Zip(sessions.Skip(1)), pair => Assert.True(pair.First.Date < pair.Second.Date));
        Assert.All(sessions, s =>
        {
            Assert.True(s.PremarketOpenUtc < s.OpenUtc && s.OpenUtc < s.CloseUtc && s.CloseUtc < s.AfterHoursCloseUtc);
            Assert.Equal(s.IsEarlyClose ? TimeSpan.FromHours(3.5) : TimeSpan.FromHours(6.5), s.CloseUtc - s.OpenUtc);
            Assert.Equal(s.Date, ExchangeTime.SessionDate(s.OpenUtc));
        });
    }
}
