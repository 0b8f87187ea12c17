using System.Collections.Concurrent;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.MarketData;

/// <summary>UTC instant of 09:30 New York time on a date, memoised per year: the daily-bar timestamp.</summary>
/// <remarks>A time-zone conversion per row was the slowest part of parsing a daily file. New York's offset at 09:30
/// changes at most once in each half of a year, so two binary searches (about 18 conversions) give a whole year.</remarks>
internal static class DailyBarClock
{
    private static readonly TimeOnly Open = new(9, 30);
    private static readonly ConcurrentDictionary<int, YearOffsets> Years = new();

    public static DateTime OpenUtc(DateOnly date)
    {
        var year = Years.GetOrAdd(date.Year, static y => YearOffsets.For(y));
        var offset = date < year.SummerStart || date >= year.WinterStart ? year.Winter : year.Summer;
        return date.ToDateTime(Open, DateTimeKind.Utc) - offset;
    }

    private sealed record YearOffsets(TimeSpan Winter, TimeSpan Summer, DateOnly SummerStart, DateOnly WinterStart)
    {
        public static YearOffsets For(int year)
        {
            var jan1 = new DateOnly(year, 1, 1);
            var jul1 = new DateOnly(year, 7, 1);
            var next = new DateOnly(year, 12, 31).AddDays(1);
            var winter = Offset(jan1);
            var summer = Offset(jul1);

            // First date in [from, to) whose offset equals target, assuming at most one change in the interval (to if none);
            // `to` itself is never converted.
            DateOnly FirstWith(DateOnly from, DateOnly to, TimeSpan target)
            {
                var lo = from.DayNumber;
                var hi = to.DayNumber;
                while (lo < hi)
                {
                    var mid = lo + ((hi - lo) / 2);
                    if (Offset(DateOnly.FromDayNumber(mid)) == target)
                    {
                        hi = mid;
                    }
                    else
                    {
                        lo = mid + 1;
                    }
                }

                return DateOnly.FromDayNumber(lo);
            }

            if (winter == summer)
            {
                return new YearOffsets(winter, summer, next, next);
            }

            return new YearOffsets(winter, summer, FirstWith(jan1, jul1, summer), FirstWith(jul1, next, winter));
        }

        private static TimeSpan Offset(DateOnly date) =>
            date.ToDateTime(Open, DateTimeKind.Utc) - ExchangeTime.ToUtc(date, Open);
    }
}
