using AiTrader.Core.Domain;
using AiTrader.Core.Reporting;

namespace AiTrader.Core.Tests.Reporting;

/// <summary>Bars merged into candles (the dashboard's <c>/api/chart</c> and report.html share it): from bars as a list and
/// from columns (the fast path that compares prices as doubles), with the expected candles worked out by hand.</summary>
public sealed class ChartCandlesTests
{
    private static readonly DateTime Start = new(2013, 10, 7, 13, 30, 0, DateTimeKind.Utc);

    private static Bar B(int minute, decimal o, decimal h, decimal l, decimal c, decimal v) => new(Start.AddMinutes(minute), o, h, l, c, v);

    // Seven bars: 3 + 4 in two candles.
    private static readonly Bar[] Bars =
    [
        B(0, 10, 11, 9, 10.5m, 100), B(1, 10.5m, 12, 10, 11, 200), B(2, 11, 11.5m, 8, 9, 300),
        B(3, 9, 9.5m, 8.5m, 9.2m, 400), B(4, 9.2m, 13, 9, 12, 500), B(5, 12, 12.5m, 7, 11.5m, 600), B(6, 11.5m, 11.8m, 7.5m, 8, 700.5m),
    ];

    public static TheoryData<bool> Forms => new() { false, true };

    [Theory]
    [MemberData(nameof(Forms))]
    public void Seven_bars_in_two_candles_of_three_and_four(bool columns)
    {
        IReadOnlyList<Bar> bars = columns ? BarColumns.From(Bars) : Bars;

        var candles = ChartCandles.Merge(bars, 0, bars.Count, 2, out var group);

        Assert.Equal(4, group);
        Assert.Equal(
            [
                new ChartCandle(Start, Start.AddMinutes(2), 10, 12, 8, 9, 600, 3),
                new ChartCandle(Start.AddMinutes(3), Start.AddMinutes(6), 9, 13, 7, 8, 2200.5m, 4),
            ],
            candles);
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void A_window_inside_the_bars_and_more_points_than_bars_give_one_candle_a_bar(bool columns)
    {
        IReadOnlyList<Bar> bars = columns ? BarColumns.From(Bars) : Bars;

        var candles = ChartCandles.Merge(bars, 4, 6, 10, out var group);

        Assert.Equal(1, group);
        Assert.Equal([new ChartCandle(Start.AddMinutes(4), Start.AddMinutes(4), 9.2m, 13, 9, 12, 500, 1),
            new ChartCandle(Start.AddMinutes(5), Start.AddMinutes(5), 12, 12.5m, 7, 11.5m, 600, 1)], candles);
    }

    [Fact]
    public void Columns_keep_the_exact_high_and_low_when_two_differ_beyond_a_doubles_precision()
    {
        // 100.0000000000000001 and 100.0000000000000002 are the same double; the candle must still take the larger high
        // and the smaller low, exactly, as the list form does.
        Bar[] bars =
        [
            B(0, 100, 100.0000000000000001m, 99.0000000000000002m, 100, 1),
            B(1, 100, 100.0000000000000002m, 99.0000000000000001m, 100, 1),
            B(2, 100, 100.0000000000000001m, 99.0000000000000002m, 100, 1),
        ];

        var fromColumns = Assert.Single(ChartCandles.Merge(BarColumns.From(bars), 0, 3, 1, out _));

        Assert.Equal((100.0000000000000002m, 99.0000000000000001m), (fromColumns.High, fromColumns.Low));
        Assert.Equal(fromColumns, Assert.Single(ChartCandles.Merge(bars, 0, 3, 1, out _)));
    }

    [Fact]
    public void Volumes_sum_exactly_past_a_longs_range_and_with_fractions()
    {
        // 300 bars of 2^54 shares: 5.4e18 in all, past 2^62, where the integer sum flushes to the decimal one.
        var big = Enumerable.Range(0, 300).Select(i => B(i, 10, 11, 9, 10, 18_014_398_509_481_984m)).ToArray();
        var mixed = new[] { B(0, 10, 11, 9, 10, 100), B(1, 10, 11, 9, 10, 0.25m), B(2, 10, 11, 9, 10, 7) };

        Assert.Equal(300m * 18_014_398_509_481_984m, Assert.Single(ChartCandles.Merge(BarColumns.From(big), 0, 300, 1, out _)).Volume);
        Assert.Equal(107.25m, Assert.Single(ChartCandles.Merge(BarColumns.From(mixed), 0, 3, 1, out _)).Volume);
    }
}
