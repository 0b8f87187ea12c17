using AiTrader.Core.Sessions;

namespace AiTrader.Core.Tests.MarketData;

/// <summary>A tiny hand-written exchange calendar for tests: weekdays minus a few listed holidays, 09:30–16:00 ET, 2015-12-24 closing 13:00.</summary>
/// <remarks>Stands in for the real NYSE calendar so these tests depend only on <see cref="ITradingCalendar"/>.</remarks>
internal sealed class TestCalendar : ITradingCalendar
{
    private static readonly HashSet<DateOnly> Holidays =
    [
        new(2008, 3, 21), // Good Friday
        new(2013, 7, 4),
        new(2013, 11, 28),
        new(2013, 12, 25),
        new(2014, 1, 1),
        new(2014, 7, 4),
        new(2015, 12, 25),
        new(2016, 1, 1),
        new(2023, 7, 4),
    ];

    private static readonly HashSet<DateOnly> EarlyCloses = [new(2015, 12, 24)];

    public bool IsTradingDay(DateOnly date) =>
        date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !Holidays.Contains(date);

    public TradingSession? GetSession(DateOnly date)
    {
        if (!IsTradingDay(date))
        {
            return null;
        }

        var early = EarlyCloses.Contains(date);
        return new TradingSession(
            date,
            ExchangeTime.ToUtc(date, new TimeOnly(4, 0)),
            ExchangeTime.ToUtc(date, new TimeOnly(9, 30)),
            ExchangeTime.ToUtc(date, early ? new TimeOnly(13, 0) : new TimeOnly(16, 0)),
            ExchangeTime.ToUtc(date, early ? new TimeOnly(17, 0) : new TimeOnly(20, 0)),
            early);
    }

    public IEnumerable<TradingSession> GetSessions(DateOnly from, DateOnly to)
    {
        for (var d = from; d <= to; d = d.AddDays(1))
        {
            if (GetSession(d) is { } s)
            {
                yield return s;
            }
        }
    }
}
