namespace AiTrader.Core.Sessions;

/// <summary>Conversions between UTC instants and New York exchange time (IANA America/New_York, real DST rules).</summary>
public static class ExchangeTime
{
    public static TimeZoneInfo NewYork { get; } = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    /// <summary>New York wall-clock time of a UTC instant.</summary>
    public static DateTime ToNewYork(DateTime utc)
    {
        if (utc.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException($"Expected a UTC instant, got Kind={utc.Kind}.", nameof(utc));
        }

        return TimeZoneInfo.ConvertTimeFromUtc(utc, NewYork);
    }

    /// <summary>UTC instant of a New York wall-clock time on a date.</summary>
    public static DateTime ToUtc(DateOnly date, TimeOnly newYorkTime) =>
        TimeZoneInfo.ConvertTimeToUtc(date.ToDateTime(newYorkTime, DateTimeKind.Unspecified), NewYork);

    /// <summary>First UTC instant of New York date <paramref name="date"/> (00:00 ET): the inclusive start of a range of whole dates.</summary>
    public static DateTime StartOfDateUtc(DateOnly date) => ToUtc(date, TimeOnly.MinValue);

    /// <summary>Last UTC instant (tick) of New York date <paramref name="date"/>, just before 00:00 ET the next day: the
    /// inclusive end of a range of whole dates.</summary>
    public static DateTime EndOfDateUtc(DateOnly date) => ToUtc(date.AddDays(1), TimeOnly.MinValue).AddTicks(-1);

    /// <summary>The New York calendar date a UTC instant falls on (the session date of an intraday bar).</summary>
    public static DateOnly SessionDate(DateTime utc) => DateOnly.FromDateTime(ToNewYork(utc));
}
