using System.Globalization;
using AiTrader.Core.Sessions;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Sessions;

// data/sample/daily/SPY.csv is the repository's reference calendar (its README: "no missing sessions",
// 1998-01-02..2021-03-31). It is real exchange history, independent of the rules in NyseCalendar.
public sealed class NyseCalendarSpyCrossCheckTests
{
    private static readonly DateOnly From = new(1998, 1, 2);
    private static readonly DateOnly To = new(2021, 3, 31);

    [Fact]
    public void Trading_days_match_spy_daily_bars_exactly()
    {
        var spyDates = ReadSpyDates().Where(d => d >= From && d <= To).ToList();
        var sessionDates = NyseCalendar.Instance.GetSessions(From, To).Select(s => s.Date).ToList();

        var missingFromCalendar = spyDates.Except(sessionDates).ToList();
        var missingFromSpy = sessionDates.Except(spyDates).ToList();

        Assert.True(missingFromCalendar.Count == 0, $"SPY traded but calendar says closed: {string.Join(", ", missingFromCalendar)}");
        Assert.True(missingFromSpy.Count == 0, $"Calendar says open but SPY has no bar: {string.Join(", ", missingFromSpy)}");
        Assert.Equal(spyDates.Count, sessionDates.Count);
    }

    private static List<DateOnly> ReadSpyDates()
    {
        var path = Path.Combine(TestPaths.SampleRoot, "daily", "SPY.csv");
        return File.ReadLines(path)
            .Skip(1)
            .Where(line => line.Length > 0)
            .Select(line => DateOnly.ParseExact(line[..line.IndexOf(',')], "yyyy-MM-dd", CultureInfo.InvariantCulture))
            .ToList();
    }
}
