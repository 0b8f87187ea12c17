using AiTrader.Core.Domain;
using AiTrader.Core.Signals;

namespace AiTrader.Core.Tests.Signals.Pipeline;

/// <summary>A run ending earlier gives identical earlier rows, for every column: no frame depends on a later bar.</summary>
public sealed class SignalNoLookaheadTests
{
    [Fact]
    public void Aapl_daily_truncated_runs_reproduce_the_full_run_bit_for_bit()
    {
        var bars = SignalTestBars.AaplDaily;
        var full = SignalPipeline.Run(bars, Timeframe.OneDay);
        // Cut points inside each warm-up (19, 20, 60, 80, 140) and deep into the history, plus the last bar.
        int[] cuts = [1, 2, 14, 15, 19, 20, 21, 60, 61, 80, 81, 141, 1000, 3500, bars.Count - 1];
        foreach (var k in cuts)
        {
            var truncated = SignalPipeline.Run(bars.Take(k).ToList(), Timeframe.OneDay);
            Assert.Equal(k, truncated.Count);
            for (var i = 0; i < k; i++)
            {
                Assert.Equal(full[i], truncated[i]);
            }
        }
    }

    [Fact]
    public void Aapl_daily_frames_ignore_a_corrupted_future()
    {
        var bars = SignalTestBars.AaplDaily;
        var full = SignalPipeline.Run(bars, Timeframe.OneDay);
        const int k = 3000;
        // Replace everything after k with wild but valid bars: rows up to k must not move.
        var corrupted = bars.Select((b, i) => i <= k ? b : b with { Open = b.Open * 7, High = b.High * 9, Low = b.Low * 5, Close = b.Close * 8, Volume = b.Volume * 50 }).ToList();
        var other = SignalPipeline.Run(corrupted, Timeframe.OneDay);
        for (var i = 0; i <= k; i++)
        {
            Assert.Equal(full[i], other[i]);
        }

        Assert.NotEqual(full[k + 1], other[k + 1]);
    }

    [Theory]
    [InlineData("1Day", 320)]
    [InlineData("5Min", 78 * 12 + 5)]
    public void Synthetic_series_every_cut_point_reproduces_the_full_run(string interval, int count)
    {
        var timeframe = Timeframe.Parse(interval);
        var bars = SignalTestBars.Synthetic(timeframe, count, seed: 11);
        var full = SignalPipeline.Run(bars, timeframe);

        // A streaming pipeline's state at k is the truncated run; comparing each truncated run row by row is O(n²),
        // cheap at this size and checks that no state survives from a longer run.
        for (var k = 1; k <= bars.Count; k += timeframe.IsIntraday ? 7 : 1)
        {
            var truncated = SignalPipeline.Run(bars.Take(k).ToList(), timeframe);
            Assert.Equal(full.Take(k), truncated);
        }
    }
}
