using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;

namespace AiTrader.Core.Tests.Backtesting;

/// <summary>Small builders for hand-designed and seeded random bar series.</summary>
internal static class TestBars
{
    public static readonly DateTime Start = new(2024, 1, 2, 14, 30, 0, DateTimeKind.Utc);

    public static DateTime Day(int index) => Start.AddDays(index);

    public static Bar Bar(int index, decimal open, decimal high, decimal low, decimal close) =>
        new(Day(index), open, high, low, close, 1_000_000m);

    public static BarSeries Series(IReadOnlyList<Bar> bars, params BarFlag[] flags) =>
        new(new Symbol("TEST"), Timeframe.OneDay, bars, flags);

    /// <summary>Mirrors prices around <paramref name="axis"/> (p → axis − p): a long setup becomes the same short setup.</summary>
    public static IReadOnlyList<Bar> Mirror(IReadOnlyList<Bar> bars, decimal axis = 200m) =>
        bars.Select(b => new Bar(b.Timestamp, axis - b.Open, axis - b.Low, axis - b.High, axis - b.Close, b.Volume)).ToArray();

    /// <summary>A seeded geometric random walk with overnight gaps; prices rounded to cents, bars consistent.</summary>
    public static List<Bar> RandomWalk(int count, int seed, decimal startPrice = 100m, int startIndex = 0, double dailyVol = 0.02)
    {
        var random = new Random(seed);
        var bars = new List<Bar>(count);
        var previousClose = (double)startPrice;
        for (var i = 0; i < count; i++)
        {
            var open = previousClose * Math.Exp(0.3 * dailyVol * Normal(random));
            var close = open * Math.Exp(dailyVol * Normal(random));
            var high = Math.Max(open, close) * (1 + Math.Abs(0.5 * dailyVol * Normal(random)));
            var low = Math.Min(open, close) * (1 - Math.Abs(0.5 * dailyVol * Normal(random)));
            var o = Cents(open);
            var c = Cents(close);
            var h = Math.Max(Cents(high), Math.Max(o, c));
            var l = Math.Min(Cents(low), Math.Min(o, c));
            bars.Add(Bar(startIndex + i, o, h, l, c));
            previousClose = (double)c;
        }

        return bars;
    }

    private static decimal Cents(double price) => Math.Max(0.01m, Math.Round((decimal)price, 2));

    private static double Normal(Random random)
    {
        // Box–Muller: enough for test data, and no dependency on a stats package.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
