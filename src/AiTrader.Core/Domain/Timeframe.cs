using System.Globalization;

namespace AiTrader.Core.Domain;

/// <summary>A bar length: 1Min, 5Min, 15Min, 30Min, 1Hour or 1Day.</summary>
public readonly record struct Timeframe
{
    private Timeframe(int minutes) => Minutes = minutes;

    /// <summary>Length in minutes; a day is 1440 (a session, whatever its length).</summary>
    public int Minutes { get; }

    public static Timeframe OneMinute { get; } = new(1);
    public static Timeframe FiveMinutes { get; } = new(5);
    public static Timeframe FifteenMinutes { get; } = new(15);
    public static Timeframe ThirtyMinutes { get; } = new(30);
    public static Timeframe OneHour { get; } = new(60);
    public static Timeframe OneDay { get; } = new(1440);

    public static IReadOnlyList<Timeframe> All { get; } =
        [OneMinute, FiveMinutes, FifteenMinutes, ThirtyMinutes, OneHour, OneDay];

    public bool IsIntraday => Minutes < 1440;

    public TimeSpan Duration => TimeSpan.FromMinutes(Minutes);

    /// <summary>Parses the spellings used by vendors and the seed: 1Min, 5m, 15Min, 30min, 1H, 1Hour, 60Min, 1D, 1Day, daily.</summary>
    public static Timeframe Parse(string text)
    {
        if (TryParse(text, out var tf))
        {
            return tf;
        }

        throw new FormatException(
            $"Unknown interval '{text}'; use one of 1Min, 5Min, 15Min, 30Min, 1Hour, 1Day.");
    }

    public static bool TryParse(string? text, out Timeframe timeframe)
    {
        timeframe = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim().ToLowerInvariant();
        if (s is "daily" or "day" or "d")
        {
            timeframe = OneDay;
            return true;
        }

        if (s is "hourly" or "hour" or "h")
        {
            timeframe = OneHour;
            return true;
        }

        var i = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        if (i == 0 || !int.TryParse(s.AsSpan(0, i), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return false;
        }

        var unit = s[i..];
        int minutes;
        switch (unit)
        {
            case "m" or "min" or "mins" or "minute" or "minutes" or "t":
                minutes = n;
                break;
            case "h" or "hr" or "hour" or "hours":
                minutes = n * 60;
                break;
            case "d" or "day" or "days":
                if (n != 1)
                {
                    return false;
                }

                minutes = 1440;
                break;
            default:
                return false;
        }

        foreach (var candidate in All)
        {
            if (candidate.Minutes == minutes)
            {
                timeframe = candidate;
                return true;
            }
        }

        return false;
    }

    public override string ToString() => Minutes switch
    {
        1440 => "1Day",
        60 => "1Hour",
        _ => $"{Minutes}Min",
    };
}
