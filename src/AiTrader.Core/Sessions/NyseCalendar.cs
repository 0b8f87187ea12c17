namespace AiTrader.Core.Sessions;

/// <summary>The NYSE equities calendar for 1998–2035 (1998: the first year the exchange closed for Martin Luther King Jr. Day, and the first year of the bundled daily data): holidays, early closes and extended-hours sessions as UTC instants.</summary>
/// <remarks>
/// Regular session 09:30–16:00 ET, premarket from 04:00 ET, after-hours to 20:00 ET. On early-close days the
/// regular session ends at 13:00 ET and the NYSE Arca late session at 17:00 ET. Dates are New York dates.
/// </remarks>
public sealed class NyseCalendar : ITradingCalendar
{
    public const int FirstSupportedYear = 1998;
    public const int LastSupportedYear = 2035;

    public static readonly DateOnly FirstSupportedDate = new(FirstSupportedYear, 1, 1);
    public static readonly DateOnly LastSupportedDate = new(LastSupportedYear, 12, 31);

    public static readonly TimeOnly PremarketOpen = new(4, 0);
    public static readonly TimeOnly RegularOpen = new(9, 30);
    public static readonly TimeOnly RegularClose = new(16, 0);
    public static readonly TimeOnly EarlyClose = new(13, 0);
    public static readonly TimeOnly AfterHoursClose = new(20, 0);
    public static readonly TimeOnly EarlyAfterHoursClose = new(17, 0);

    // The whole range is ~13k days, so building every session once is cheaper than any per-call work
    // and makes lookups, neighbours and counts O(1). Shared by all instances: the calendar is immutable.
    private static readonly Lazy<Table> Shared = new(Table.Build);

    /// <summary>A process-wide instance; the calendar has no state of its own.</summary>
    public static NyseCalendar Instance { get; } = new();

    public bool IsTradingDay(DateOnly date) => Shared.Value.Sessions[Index(date)] is not null;

    public TradingSession? GetSession(DateOnly date) => Shared.Value.Sessions[Index(date)];

    public IEnumerable<TradingSession> GetSessions(DateOnly from, DateOnly to)
    {
        var (first, last) = Range(from, to);
        return Enumerate(Shared.Value.Sessions, first, last);
    }

    /// <summary>True when <paramref name="date"/> is a trading day whose regular session closes at 13:00 ET.</summary>
    public bool IsEarlyClose(DateOnly date) => GetSession(date)?.IsEarlyClose ?? false;

    /// <summary>Weekdays in <paramref name="year"/> with no session (observed holidays and unscheduled closures), in order.</summary>
    public IReadOnlyList<DateOnly> GetHolidays(int year) => Shared.Value.Holidays[YearIndex(year)];

    /// <summary>Trading days in <paramref name="year"/> whose regular session closes at 13:00 ET, in order.</summary>
    public IReadOnlyList<DateOnly> GetEarlyCloses(int year) => Shared.Value.EarlyCloses[YearIndex(year)];

    /// <summary>The first trading day strictly after <paramref name="date"/>, or null past the supported range.</summary>
    public DateOnly? NextTradingDay(DateOnly date)
    {
        var sessions = Shared.Value.Sessions;
        for (var i = Index(date) + 1; i < sessions.Length; i++)
        {
            if (sessions[i] is { } session)
            {
                return session.Date;
            }
        }

        return null;
    }

    /// <summary>The last trading day strictly before <paramref name="date"/>, or null before the supported range.</summary>
    public DateOnly? PreviousTradingDay(DateOnly date)
    {
        var sessions = Shared.Value.Sessions;
        for (var i = Index(date) - 1; i >= 0; i--)
        {
            if (sessions[i] is { } session)
            {
                return session.Date;
            }
        }

        return null;
    }

    /// <summary>The number of trading days from <paramref name="from"/> to <paramref name="to"/>, both inclusive.</summary>
    public int TradingDaysBetween(DateOnly from, DateOnly to)
    {
        var (first, last) = Range(from, to);
        var before = Shared.Value.TradingDaysBefore;
        return before[last + 1] - before[first];
    }

    /// <summary>
    /// The session whose hours contain <paramref name="utc"/> (regular hours, or premarket through after-hours when
    /// <paramref name="includeExtendedHours"/>), or null when the instant falls outside every session.
    /// Intervals are half-open: the closing instant belongs to no session. Throws like <see cref="GetSession"/> when the
    /// instant's New York date is outside the supported range, and <see cref="ArgumentException"/> for a non-UTC kind.
    /// </summary>
    public TradingSession? SessionContaining(DateTime utc, bool includeExtendedHours)
    {
        // Every boundary lies between 04:00 and 20:00 New York time, so the New York date identifies the only candidate.
        var session = GetSession(ExchangeTime.SessionDate(utc));
        if (session is null)
        {
            return null;
        }

        var start = includeExtendedHours ? session.PremarketOpenUtc : session.OpenUtc;
        var end = includeExtendedHours ? session.AfterHoursCloseUtc : session.CloseUtc;
        return utc >= start && utc < end ? session : null;
    }

    private static IEnumerable<TradingSession> Enumerate(TradingSession?[] sessions, int first, int last)
    {
        for (var i = first; i <= last; i++)
        {
            if (sessions[i] is { } session)
            {
                yield return session;
            }
        }
    }

    private static (int First, int Last) Range(DateOnly from, DateOnly to)
    {
        if (from > to)
        {
            throw new ArgumentException($"The range start {from:yyyy-MM-dd} is after its end {to:yyyy-MM-dd}.", nameof(from));
        }

        return (Index(from, nameof(from)), Index(to, nameof(to)));
    }

    private static int Index(DateOnly date, string paramName = "date")
    {
        if (date < FirstSupportedDate || date > LastSupportedDate)
        {
            throw new ArgumentOutOfRangeException(
                paramName,
                date,
                $"The NYSE calendar covers {FirstSupportedDate:yyyy-MM-dd} to {LastSupportedDate:yyyy-MM-dd}; {date:yyyy-MM-dd} is outside it.");
        }

        return date.DayNumber - FirstSupportedDate.DayNumber;
    }

    private static int YearIndex(int year)
    {
        if (year is < FirstSupportedYear or > LastSupportedYear)
        {
            throw new ArgumentOutOfRangeException(
                nameof(year),
                year,
                $"The NYSE calendar covers the years {FirstSupportedYear} to {LastSupportedYear}; {year} is outside them.");
        }

        return year - FirstSupportedYear;
    }

    private static TradingSession CreateSession(DateOnly date, bool isEarlyClose) => new(
        date,
        ExchangeTime.ToUtc(date, PremarketOpen),
        ExchangeTime.ToUtc(date, RegularOpen),
        ExchangeTime.ToUtc(date, isEarlyClose ? EarlyClose : RegularClose),
        ExchangeTime.ToUtc(date, isEarlyClose ? EarlyAfterHoursClose : AfterHoursClose),
        isEarlyClose);

    private sealed record Table(
        TradingSession?[] Sessions,
        int[] TradingDaysBefore,
        IReadOnlyList<DateOnly>[] Holidays,
        IReadOnlyList<DateOnly>[] EarlyCloses)
    {
        public static Table Build()
        {
            var dayCount = LastSupportedDate.DayNumber - FirstSupportedDate.DayNumber + 1;
            var yearCount = LastSupportedYear - FirstSupportedYear + 1;
            var sessions = new TradingSession?[dayCount];
            var tradingDaysBefore = new int[dayCount + 1];
            var holidays = new IReadOnlyList<DateOnly>[yearCount];
            var earlyCloses = new IReadOnlyList<DateOnly>[yearCount];

            for (var year = FirstSupportedYear; year <= LastSupportedYear; year++)
            {
                var closures = NyseHolidayRules.Closures(year);
                var early = NyseHolidayRules.EarlyCloses(year);
                var yearHolidays = new List<DateOnly>();
                var yearEarlyCloses = new List<DateOnly>();

                for (var date = new DateOnly(year, 1, 1); date.Year == year; date = date.AddDays(1))
                {
                    if (date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
                    {
                        continue;
                    }

                    if (closures.Contains(date))
                    {
                        yearHolidays.Add(date);
                        continue;
                    }

                    // A closure always wins over an early close (e.g. an unscheduled closure on a half day).
                    var isEarly = early.Contains(date);
                    if (isEarly)
                    {
                        yearEarlyCloses.Add(date);
                    }

                    sessions[date.DayNumber - FirstSupportedDate.DayNumber] = CreateSession(date, isEarly);
                }

                holidays[year - FirstSupportedYear] = yearHolidays.AsReadOnly();
                earlyCloses[year - FirstSupportedYear] = yearEarlyCloses.AsReadOnly();
            }

            for (var i = 0; i < dayCount; i++)
            {
                tradingDaysBefore[i + 1] = tradingDaysBefore[i] + (sessions[i] is null ? 0 : 1);
            }

            return new Table(sessions, tradingDaysBefore, holidays, earlyCloses);
        }
    }
}
