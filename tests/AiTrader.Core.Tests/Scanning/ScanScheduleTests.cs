using AiTrader.Core.Scanning;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Tests.Scanning;

public sealed class ScanScheduleTests
{
    [Fact]
    public void Default_is_every_5_minutes_from_0400_to_0925_in_new_york_time()
    {
        var windows = ScanSchedule.Premarket.WindowsUtc(new DateOnly(2013, 10, 8), NyseCalendar.Instance);
        Assert.Equal(66, windows.Count); // (09:25 − 04:00) / 5 + 1
        Assert.Equal(new DateTime(2013, 10, 8, 8, 0, 0, DateTimeKind.Utc), windows[0]); // EDT: 04:00 ET = 08:00Z
        Assert.Equal(new DateTime(2013, 10, 8, 13, 25, 0, DateTimeKind.Utc), windows[^1]);

        // Winter (EST): 04:00 ET is 09:00Z.
        Assert.Equal(new DateTime(2015, 12, 28, 9, 0, 0, DateTimeKind.Utc), ScanSchedule.Premarket.WindowsUtc(new DateOnly(2015, 12, 28), NyseCalendar.Instance)[0]);
    }

    [Theory]
    [InlineData(2013, 10, 12)] // Saturday
    [InlineData(2013, 10, 13)] // Sunday
    [InlineData(2013, 12, 25)] // Christmas
    [InlineData(2013, 11, 28)] // Thanksgiving
    public void Weekends_and_holidays_have_no_windows(int y, int m, int d) =>
        Assert.Empty(ScanSchedule.Premarket.WindowsUtc(new DateOnly(y, m, d), NyseCalendar.Instance));

    [Fact]
    public void An_early_close_drops_the_windows_at_or_after_13_00()
    {
        var schedule = ScanSchedule.Parse("12:00-14:00/30");
        var halfDay = schedule.WindowsUtc(new DateOnly(2015, 12, 24), NyseCalendar.Instance);
        Assert.Equal([ExchangeTime.ToUtc(new DateOnly(2015, 12, 24), new TimeOnly(12, 0)), ExchangeTime.ToUtc(new DateOnly(2015, 12, 24), new TimeOnly(12, 30))], halfDay);
        Assert.Equal(5, schedule.WindowsUtc(new DateOnly(2015, 12, 23), NyseCalendar.Instance).Count);
    }

    [Theory]
    [InlineData("04:00-09:25/5", 66)]
    [InlineData("08:00-09:00/15", 5)]
    [InlineData("08:00-09:00", 13)]
    [InlineData("09:25,08:00,09:00,08:00", 3)]
    public void Parses_ranges_and_lists(string text, int count)
    {
        var schedule = ScanSchedule.Parse(text);
        Assert.Equal(count, schedule.Times.Count);
        Assert.Equal(schedule.Times.Order(), schedule.Times);
        Assert.Equal(schedule.Times, ScanSchedule.Parse(schedule.ToString()).Times);
    }

    [Theory]
    [InlineData("")]
    [InlineData("9am")]
    [InlineData("09:25-04:00/5")]
    [InlineData("04:00-09:25/0")]
    [InlineData("25:00")]
    public void Rejects_bad_windows_with_the_form_to_use(string text)
    {
        var ex = Assert.Throws<FormatException>(() => ScanSchedule.Parse(text));
        Assert.Contains("04:00-09:25/5", ex.Message);
    }
}
