using System.Globalization;
using AiTrader.Core.Domain;
using AiTrader.Integration.Tests.TestSupport;

namespace AiTrader.Integration.Tests.Vendors.Fakes;

/// <summary>Real bars from the repository's bundled data/sample folder, used as fake vendor payloads.</summary>
public static class FakeSampleBars
{
    /// <summary>Minute bars (UTC open) of one New York session, regular hours only.</summary>
    public static IReadOnlyList<Bar> MinuteSession(string symbol, DateOnly sessionDate)
    {
        var path = Path.Combine(TestPaths.SampleRoot, "minute", symbol + ".csv");
        var open = Core.Sessions.ExchangeTime.ToUtc(sessionDate, new TimeOnly(9, 30));
        var close = Core.Sessions.ExchangeTime.ToUtc(sessionDate, new TimeOnly(16, 0));
        return File.ReadLines(path).Skip(1)
            .Select(line => line.Split(','))
            .Select(f => new Bar(DateTime.Parse(f[0], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
                Dec(f[1]), Dec(f[2]), Dec(f[3]), Dec(f[4]), Dec(f[5])))
            .Where(b => b.Timestamp >= open && b.Timestamp < close)
            .ToList();
    }

    /// <summary>Daily rows (session date, OHLCV) in a date range.</summary>
    public static IReadOnlyList<(DateOnly Date, Bar Bar)> Daily(string symbol, DateOnly from, DateOnly to)
    {
        var path = Path.Combine(TestPaths.SampleRoot, "daily", symbol + ".csv");
        return File.ReadLines(path).Skip(1)
            .Select(line => line.Split(','))
            .Select(f => (Date: DateOnly.ParseExact(f[0], "yyyy-MM-dd", CultureInfo.InvariantCulture), f))
            .Where(x => x.Date >= from && x.Date <= to)
            .Select(x => (x.Date, new Bar(Core.Sessions.ExchangeTime.ToUtc(x.Date, new TimeOnly(9, 30)),
                Dec(x.f[1]), Dec(x.f[2]), Dec(x.f[3]), Dec(x.f[4]), Dec(x.f[5]))))
            .ToList();
    }

    private static decimal Dec(string s) => decimal.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);
}
