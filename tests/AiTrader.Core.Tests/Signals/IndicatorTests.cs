using AiTrader.Core.Domain;
using AiTrader.Core.Signals.Indicators;
using AiTrader.Core.Tests.Backtesting;

namespace AiTrader.Core.Tests.Signals;

public class IndicatorTests
{
    // (high, low, close) of a 6-bar series with a gap down on bar 4.
    private static readonly (double H, double L, double C)[] Six =
    [
        (10, 8, 9),
        (12, 9, 11),
        (11.5, 10, 10.5),
        (14, 11, 13),
        (10, 9, 9.5),
        (10.5, 10, 10.2),
    ];

    [Fact]
    public void TrueRange_is_absent_on_the_first_bar_and_uses_the_previous_close_after()
    {
        var tr = new TrueRange();
        var values = Six.Select(b => tr.Update(b.H, b.L, b.C)).ToArray();

        Assert.Null(values[0]);
        Assert.Equal(3.0, values[1]);   // max(12-9, |12-9|, |9-9|) = 3
        Assert.Equal(1.5, values[2]);   // max(11.5-10, |11.5-11|, |10-11|) = 1.5
        Assert.Equal(3.5, values[3]);   // max(14-11, |14-10.5|, |11-10.5|) = 3.5
        Assert.Equal(4.0, values[4]);   // gap: max(10-9, |10-13|, |9-13|) = 4
        Assert.Equal(1.0, values[5]);   // max(10.5-10, |10.5-9.5|, |10-9.5|) = 1
    }

    [Fact]
    public void Atr3_on_six_bars_matches_hand_computed_wilder_values()
    {
        var atr = new AverageTrueRange(3);
        var values = Six.Select(b => atr.Update(b.H, b.L, b.C)).ToArray();

        Assert.Null(values[0]);
        Assert.Null(values[1]);
        Assert.Null(values[2]);
        // First ATR at index 3 = mean(TR1..TR3) = (3 + 1.5 + 3.5) / 3 = 8/3
        Assert.Equal(8.0 / 3.0, values[3]!.Value, 12);
        // (2 * 8/3 + 4) / 3 = 28/9
        Assert.Equal(28.0 / 9.0, values[4]!.Value, 12);
        // (2 * 28/9 + 1) / 3 = 65/27
        Assert.Equal(65.0 / 27.0, values[5]!.Value, 12);
        Assert.True(atr.IsReady);
    }

    [Fact]
    public void Donchian3_on_six_bars_matches_hand_computed_values()
    {
        var channel = new DonchianChannel(3);
        var values = Six.Select(b => channel.Update(b.H, b.L)).ToArray();

        Assert.Null(values[0]);
        Assert.Null(values[1]);
        Assert.Equal(new DonchianValue(12, 8), values[2]);   // highs 10,12,11.5; lows 8,9,10
        Assert.Equal(new DonchianValue(14, 9), values[3]);   // highs 12,11.5,14; lows 9,10,11
        Assert.Equal(new DonchianValue(14, 9), values[4]);   // highs 11.5,14,10; lows 10,11,9
        Assert.Equal(new DonchianValue(14, 9), values[5]);   // highs 14,10,10.5; lows 11,9,10
        Assert.Equal(11.5, values[5]!.Value.Middle);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    [InlineData(14)]
    public void Atr_streaming_matches_a_naive_batch_definition(int period)
    {
        var bars = TestBars.RandomWalk(400, seed: 7 + period);
        var atr = new AverageTrueRange(period);
        var streamed = bars.Select(b => atr.Update(b)).ToArray();
        var naive = NaiveAtr(bars, period);

        for (var i = 0; i < bars.Count; i++)
        {
            Assert.Equal(naive[i].HasValue, streamed[i].HasValue);
            if (naive[i] is { } expected)
            {
                Assert.Equal(expected, streamed[i]!.Value, 9);
            }
        }

        Assert.Equal(period, Array.FindIndex(streamed, v => v.HasValue));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(20)]
    [InlineData(55)]
    public void Donchian_streaming_matches_a_naive_window_scan(int period)
    {
        // A random walk with repeated highs/lows exercises the deque's tie handling.
        var bars = TestBars.RandomWalk(500, seed: 11 * period, dailyVol: 0.005);
        var channel = new DonchianChannel(period);

        for (var i = 0; i < bars.Count; i++)
        {
            var value = channel.Update(bars[i]);
            if (i < period - 1)
            {
                Assert.Null(value);
                continue;
            }

            var window = bars.Skip(i - period + 1).Take(period).ToArray();
            Assert.Equal((double)window.Max(b => b.High), value!.Value.Upper);
            Assert.Equal((double)window.Min(b => b.Low), value.Value.Lower);
        }
    }

    [Fact]
    public void Reset_starts_the_warm_up_again()
    {
        var atr = new AverageTrueRange(3);
        var channel = new DonchianChannel(3);
        foreach (var b in Six)
        {
            atr.Update(b.H, b.L, b.C);
            channel.Update(b.H, b.L);
        }

        atr.Reset();
        channel.Reset();

        Assert.Null(atr.Update(10, 9, 9.5));
        Assert.Null(channel.Update(10, 9));
        Assert.Equal(1, atr.Count);
        Assert.Equal(1, channel.Count);
    }

    [Fact]
    public void Invalid_periods_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AverageTrueRange(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DonchianChannel(0));
    }

    /// <summary>Textbook definition, written independently: TR list, seed mean, Wilder recursion.</summary>
    private static double?[] NaiveAtr(IReadOnlyList<Bar> bars, int period)
    {
        var result = new double?[bars.Count];
        var tr = new double[bars.Count];
        for (var i = 1; i < bars.Count; i++)
        {
            double h = (double)bars[i].High, l = (double)bars[i].Low, pc = (double)bars[i - 1].Close;
            tr[i] = new[] { h - l, Math.Abs(h - pc), Math.Abs(l - pc) }.Max();
        }

        for (var i = period; i < bars.Count; i++)
        {
            if (i == period)
            {
                var sum = 0.0;
                for (var j = 1; j <= period; j++)
                {
                    sum += tr[j];
                }

                result[i] = sum / period;
            }
            else
            {
                result[i] = (result[i - 1]!.Value * (period - 1) + tr[i]) / period;
            }
        }

        return result;
    }
}
