using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Tests.Signals.Indicators;

/// <summary>Seeded intraday series and tolerance checks shared by the indicator tests.</summary>
internal static class IndicatorTestData
{
    /// <summary>Bar at a New York wall-clock time; the test reads like a trader's tape.</summary>
    public static Bar At(int year, int month, int day, int hour, int minute, decimal open, decimal high, decimal low, decimal close,
        decimal volume, decimal? vwap = null) =>
        new(ExchangeTime.ToUtc(new DateOnly(year, month, day), new TimeOnly(hour, minute)), open, high, low, close, volume, vwap: vwap);

    /// <summary>
    /// Weekday sessions of 5-minute bars from 2024-03-04 (crossing the 2024-03-10 DST change) with random gaps in the
    /// tape, some 13:00 early closes, some zero-volume bars, vendor VWAP on about half the bars, and pre-market and
    /// after-hours bars (an after-hours bar at 19:55 ET falls on the next UTC date in winter).
    /// </summary>
    public static List<Bar> Intraday(int sessions, int seed)
    {
        var random = new Random(seed);
        var bars = new List<Bar>();
        var date = new DateOnly(2024, 3, 4);
        var price = 100.0;
        for (var s = 0; s < sessions; date = date.AddDays(1))
        {
            if (date.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
            {
                continue;
            }

            s++;
            var times = new List<TimeOnly> { new(8, 0), new(9, 0), new(9, 25) };
            var close = random.NextDouble() < 0.15 ? new TimeOnly(13, 0) : new TimeOnly(16, 0);
            for (var t = new TimeOnly(9, 30); t < close; t = t.AddMinutes(5))
            {
                if (random.NextDouble() > 0.1)
                {
                    times.Add(t);
                }
            }

            times.Add(new TimeOnly(16, 30));
            times.Add(new TimeOnly(19, 55));

            foreach (var time in times)
            {
                var open = price * Math.Exp(0.002 * Normal(random));
                price = open * Math.Exp(0.003 * Normal(random));
                var high = Math.Max(open, price) * (1 + 0.001 * random.NextDouble());
                var low = Math.Min(open, price) * (1 - 0.001 * random.NextDouble());
                var volume = random.NextDouble() < 0.05 ? 0m : random.Next(1, 5000) * 100m;
                decimal? vwap = random.NextDouble() < 0.5 ? Round(low + (high - low) * random.NextDouble()) : null;
                bars.Add(new Bar(ExchangeTime.ToUtc(date, time), Round(open), Round(high), Round(low), Round(price), volume, vwap: vwap));
            }
        }

        return bars;
    }

    /// <summary>|actual − expected| ≤ 1e-9 · max(|expected|, floor); floor 0 makes it purely relative.</summary>
    public static void Close(double expected, double actual, double floor = 0, double tolerance = 1e-9)
    {
        var bound = tolerance * Math.Max(Math.Abs(expected), floor);
        Assert.True(Math.Abs(actual - expected) <= bound, $"expected {expected:R}, got {actual:R} (bound {bound:R})");
    }

    /// <summary>Same presence at every index, values within relative tolerance.</summary>
    public static void SameSeries(double?[] expected, double?[] actual, double floor = 0)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(expected[i].HasValue == actual[i].HasValue, $"presence differs at index {i}: expected {expected[i]}, got {actual[i]}");
            if (expected[i] is { } e)
            {
                Close(e, actual[i]!.Value, floor);
            }
        }
    }

    public static int FirstIndex<T>(T?[] values) where T : struct => Array.FindIndex(values, v => v.HasValue);

    private static decimal Round(double price) => Math.Round((decimal)price, 4);

    private static double Normal(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
