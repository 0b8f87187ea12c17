using AiTrader.Core.Sessions;

namespace AiTrader.Core.Tests.Sessions;

public class NewYorkClockTests
{
    [Theory]
    [InlineData("2021-03-14T06:00:00Z", "2021-03-14T01:00:00")] // 01:00 EST, the last hour before spring forward
    [InlineData("2021-03-14T06:59:59Z", "2021-03-14T01:59:59")]
    [InlineData("2021-03-14T07:00:00Z", "2021-03-14T03:00:00")] // 02:00 EST does not exist: 03:00 EDT
    [InlineData("2021-11-07T05:30:00Z", "2021-11-07T01:30:00")] // 01:30 EDT, first pass
    [InlineData("2021-11-07T06:30:00Z", "2021-11-07T01:30:00")] // 01:30 EST, second pass after fall back
    [InlineData("2021-07-01T13:30:00Z", "2021-07-01T09:30:00")] // summer open
    [InlineData("2021-01-04T14:30:00Z", "2021-01-04T09:30:00")] // winter open
    public void Converts_across_daylight_saving_changes_like_the_time_zone_does(string utc, string expectedLocal)
    {
        var instant = DateTime.Parse(utc, null, System.Globalization.DateTimeStyles.AdjustToUniversal);
        Assert.Equal(DateTime.Parse(expectedLocal), new NewYorkClock().ToNewYork(instant));
    }

    [Fact]
    public void A_stream_of_minutes_through_both_changes_matches_converting_each_instant()
    {
        // One clock reused over four days of minutes around each DST change, so the cached hourly offset is exercised
        // on the very bars where it changes.
        var clock = new NewYorkClock();
        foreach (var start in new[] { new DateTime(2021, 3, 12, 0, 0, 0, DateTimeKind.Utc), new DateTime(2021, 11, 5, 0, 0, 0, DateTimeKind.Utc) })
        {
            for (var t = start; t < start.AddDays(4); t = t.AddMinutes(1))
            {
                var expected = TimeZoneInfo.ConvertTimeFromUtc(t, ExchangeTime.NewYork);
                Assert.Equal(expected, clock.ToNewYork(t));
                Assert.Equal(DateOnly.FromDateTime(expected), clock.SessionDate(t));
            }
        }
    }

    [Fact]
    public void Refuses_a_local_time()
    {
        var error = Assert.Throws<ArgumentException>(() => new NewYorkClock().ToNewYork(new DateTime(2021, 1, 4, 9, 30, 0)));
        Assert.Contains("Kind=Unspecified", error.Message);
    }
}
