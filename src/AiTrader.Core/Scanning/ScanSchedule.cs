using System.Globalization;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Scanning;

/// <summary>When a scan refreshes on a trading day: New York wall-clock windows from <see cref="Start"/> to
/// <see cref="End"/> (both inclusive) every <see cref="Every"/>, or an explicit list of times.</summary>
/// <remarks>The default is every 5 minutes from 04:00 to 09:25 ET (the premarket). Windows exist only on trading days of
/// the calendar (weekends and holidays have none), and a window at or after the session's regular close is dropped, so
/// an early-close day (13:00) never scans after its close.</remarks>
public sealed record ScanSchedule
{
    public static readonly TimeOnly DefaultStart = new(4, 0);
    public static readonly TimeOnly DefaultEnd = new(9, 25);
    public static readonly TimeSpan DefaultEvery = TimeSpan.FromMinutes(5);

    /// <summary>Most windows a day may have (one a minute over 24 hours); keeps a typo like <c>/0.001</c> bounded.</summary>
    public const int MaxWindowsPerDay = 1440;

    public ScanSchedule(TimeOnly start, TimeOnly end, TimeSpan every)
    {
        if (end < start)
        {
            throw new ArgumentException($"The scan windows end at {end:HH\\:mm} before they start at {start:HH\\:mm}; give START-END with START first.");
        }

        if (every < TimeSpan.FromMinutes(1) || every.Ticks % TimeSpan.TicksPerMinute != 0)
        {
            throw new ArgumentException($"The scan interval {every} must be a whole number of minutes (at least 1), e.g. /5.");
        }

        Start = start;
        End = end;
        Every = every;
        Times = Enumerate(start, end, every);
    }

    private ScanSchedule(IReadOnlyList<TimeOnly> times)
    {
        Times = times;
        Start = times[0];
        End = times[^1];
        Every = TimeSpan.Zero;
    }

    /// <summary>04:00 to 09:25 ET every 5 minutes (66 windows).</summary>
    public static ScanSchedule Premarket { get; } = new(DefaultStart, DefaultEnd, DefaultEvery);

    public TimeOnly Start { get; }

    public TimeOnly End { get; }

    /// <summary>The step between windows; zero for an explicit list.</summary>
    public TimeSpan Every { get; }

    /// <summary>The New York wall-clock times of the windows, ascending and distinct.</summary>
    public IReadOnlyList<TimeOnly> Times { get; }

    /// <summary>Parses <c>HH:mm-HH:mm/N</c> (every N minutes; <c>/N</c> defaults to 5) or a comma list <c>HH:mm,HH:mm</c>.</summary>
    /// <exception cref="FormatException">The text is neither form; the message shows both.</exception>
    public static ScanSchedule Parse(string text)
    {
        const string Help = "use START-END/MINUTES such as 04:00-09:25/5, or times such as 08:00,09:00,09:25 (New York time)";
        var trimmed = (text ?? "").Trim();
        if (trimmed.Length == 0)
        {
            throw new FormatException($"The scan windows are empty; {Help}.");
        }

        try
        {
            if (trimmed.Contains('-', StringComparison.Ordinal))
            {
                var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
                var range = slash < 0 ? trimmed : trimmed[..slash];
                var every = slash < 0 ? 5 : int.Parse(trimmed[(slash + 1)..].Trim().TrimEnd('m'), NumberStyles.None, CultureInfo.InvariantCulture);
                var parts = range.Split('-', StringSplitOptions.TrimEntries);
                if (parts.Length != 2)
                {
                    throw new FormatException();
                }

                return new ScanSchedule(ParseTime(parts[0]), ParseTime(parts[1]), TimeSpan.FromMinutes(every));
            }

            var times = trimmed.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(ParseTime).Distinct().Order().ToList();
            if (times.Count == 0 || times.Count > MaxWindowsPerDay)
            {
                throw new FormatException();
            }

            return new ScanSchedule(times);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
        {
            var reason = ex is ArgumentException ? ex.Message + " " : "";
            throw new FormatException($"'{trimmed}' is not a list of scan windows: {reason}{Help}.");
        }
    }

    /// <summary>The UTC instants of this schedule's windows on <paramref name="date"/>: none on a closed day, and none
    /// at or after the regular close (13:00 on early-close days).</summary>
    public IReadOnlyList<DateTime> WindowsUtc(DateOnly date, ITradingCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        if (calendar.GetSession(date) is not { } session)
        {
            return [];
        }

        var result = new List<DateTime>(Times.Count);
        foreach (var time in Times)
        {
            var utc = ExchangeTime.ToUtc(date, time);
            if (utc >= session.CloseUtc)
            {
                break;
            }

            result.Add(utc);
        }

        return result;
    }

    /// <summary>The window a live scan at <paramref name="nowUtc"/> uses: the latest minute boundary (every bar before it
    /// has closed), or null when that is not between <paramref name="session"/>'s premarket open and its close.</summary>
    public static DateTime? LiveWindow(TradingSession session, DateTime nowUtc)
    {
        ArgumentNullException.ThrowIfNull(session);
        var window = new DateTime(nowUtc.Ticks - (nowUtc.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Utc);
        return window >= session.PremarketOpenUtc && window < session.CloseUtc ? window : null;
    }

    /// <summary><c>04:00-09:25/5</c> or <c>08:00,09:00</c>: the form <see cref="Parse"/> reads.</summary>
    public override string ToString() => Every > TimeSpan.Zero
        ? string.Create(CultureInfo.InvariantCulture, $"{Start:HH\\:mm}-{End:HH\\:mm}/{(int)Every.TotalMinutes}")
        : string.Join(",", Times.Select(t => t.ToString("HH\\:mm", CultureInfo.InvariantCulture)));

    private static TimeOnly ParseTime(string text) =>
        TimeOnly.ParseExact(text.Trim(), ["H:mm", "HH:mm"], CultureInfo.InvariantCulture);

    private static List<TimeOnly> Enumerate(TimeOnly start, TimeOnly end, TimeSpan every)
    {
        var times = new List<TimeOnly>();
        for (var t = start.ToTimeSpan(); t <= end.ToTimeSpan() && times.Count < MaxWindowsPerDay; t += every)
        {
            times.Add(TimeOnly.FromTimeSpan(t));
        }

        return times;
    }
}
