using AiTrader.Core.Domain;
using AiTrader.Core.Signals;

namespace AiTrader.Core.Tests.Signals.Pipeline;

/// <summary>Frames from a checkpoint of the pipeline equal the frames of a full run over the same bars, whatever the
/// window; a window late in the series is computed from the checkpoint before it; memory stays under the limit.</summary>
public sealed class SignalCheckpointsTests
{
    private static readonly Symbol Spy = new("SPY");

    /// <summary>Every column of every frame, as the signals CSV writes them (exact round-trip doubles).</summary>
    private static string[] Lines(IEnumerable<SignalFrame> frames) => [.. frames.Select(f => SignalFrameCsvWriter.FormatLine(f, explain: true))];

    [Fact]
    public void Windows_read_from_checkpoints_equal_the_frames_of_a_full_run()
    {
        var bars = BarColumns.From(SignalTestBars.Synthetic(Timeframe.OneMinute, 12_000));
        var full = Lines(SignalPipeline.Run(bars, Timeframe.OneMinute));
        var checkpoints = new SignalCheckpoints(minSpacing: 1_000, maxPerSeries: 64);

        // The first view runs from bar 0 and leaves a checkpoint every 1,000 bars behind it.
        Assert.Equal(full, Lines(checkpoints.Frames(Spy, Timeframe.OneMinute, null, bars, 0, bars.Count, out var fed)));
        Assert.Equal(0, fed);

        var random = new Random(11);
        for (var round = 0; round < 25; round++)
        {
            var from = random.Next(0, bars.Count - 1);
            var end = random.Next(from + 1, Math.Min(bars.Count, from + 3_000) + 1);
            var zoomed = Lines(checkpoints.Frames(Spy, Timeframe.OneMinute, null, bars, from, end, out fed));
            Assert.Equal(full[from..end], zoomed);
            // Only from the checkpoint before the window: fewer than 1,000 bars before it are computed again.
            Assert.InRange(from - fed, 0, 999);
        }
    }

    [Fact]
    public void A_window_beyond_the_checkpoints_taken_so_far_is_computed_from_the_last_and_leaves_new_ones()
    {
        var bars = SignalTestBars.Synthetic(Timeframe.OneDay, 3_500, seed: 3);
        var full = Lines(SignalPipeline.Run(bars, Timeframe.OneDay));
        var checkpoints = new SignalCheckpoints(minSpacing: 500);

        Assert.Equal(full[100..1_200], Lines(checkpoints.Frames(Spy, Timeframe.OneDay, null, bars, 100, 1_200, out var fed)));
        Assert.Equal(0, fed);
        Assert.Equal(full[3_200..3_300], Lines(checkpoints.Frames(Spy, Timeframe.OneDay, null, bars, 3_200, 3_300, out fed)));
        Assert.Equal(1_000, fed); // the last checkpoint the first window left (bars 0..1,199 computed: 500 and 1,000)
        Assert.Equal(full[3_100..3_150], Lines(checkpoints.Frames(Spy, Timeframe.OneDay, null, bars, 3_100, 3_150, out fed)));
        Assert.Equal(3_000, fed); // left by the second window
    }

    [Fact]
    public void Changed_bars_are_another_version_and_never_read_old_checkpoints()
    {
        var bars = SignalTestBars.Synthetic(Timeframe.OneDay, 3_000, seed: 5).ToArray();
        var checkpoints = new SignalCheckpoints(minSpacing: 500);
        _ = checkpoints.Frames(Spy, Timeframe.OneDay, null, bars, 0, bars.Length, out _).Count();

        // A corrected close just before the window changes its frames (the filter and the 20-bar windows hold it); the
        // checkpoints of the old bars before it must not be used for the corrected file as a whole.
        var corrected = (Bar[])bars.Clone();
        corrected[2_590] = corrected[2_590] with { Close = corrected[2_590].Close * 1.05m, High = Math.Max(corrected[2_590].High, corrected[2_590].Close * 1.05m) };
        Assert.NotEqual(SignalCheckpoints.VersionOf(bars), SignalCheckpoints.VersionOf(corrected));
        Assert.Equal(Lines(SignalPipeline.Run(corrected, Timeframe.OneDay))[2_600..2_700],
            Lines(checkpoints.Frames(Spy, Timeframe.OneDay, null, corrected, 2_600, 2_700, out var fed)));
        Assert.Equal(0, fed);
        Assert.NotEqual(Lines(SignalPipeline.Run(bars, Timeframe.OneDay))[2_600..2_700], Lines(SignalPipeline.Run(corrected, Timeframe.OneDay))[2_600..2_700]);
    }

    [Fact]
    public void Other_study_parameters_are_another_series()
    {
        var bars = SignalTestBars.Synthetic(Timeframe.OneDay, 2_000, seed: 9);
        var options = new SignalPipelineOptions { SmaPeriod = 50 };
        var checkpoints = new SignalCheckpoints(minSpacing: 200);
        _ = checkpoints.Frames(Spy, Timeframe.OneDay, null, bars, 0, bars.Count, out _).Count();

        Assert.Equal(Lines(SignalPipeline.Run(bars, Timeframe.OneDay, options))[1_500..1_600],
            Lines(checkpoints.Frames(Spy, Timeframe.OneDay, options, bars, 1_500, 1_600, out var fed)));
        Assert.Equal(0, fed);
    }

    [Fact]
    public void The_checkpoints_held_stay_under_the_memory_limit()
    {
        const long limit = 2L << 20;
        var checkpoints = new SignalCheckpoints(maxBytes: limit, minSpacing: 100);
        for (var seed = 1; seed <= 6; seed++)
        {
            var bars = SignalTestBars.Synthetic(Timeframe.OneMinute, 3_000, seed);
            _ = checkpoints.Frames(new Symbol($"S{seed}"), Timeframe.OneMinute, null, bars, 0, bars.Count, out _).Count();
            Assert.InRange(checkpoints.Bytes, 1, limit);
        }
    }

    [Fact]
    public void A_copied_pipeline_goes_on_as_the_original_and_apart_from_it()
    {
        var bars = SignalTestBars.Synthetic(Timeframe.OneMinute, 3_000, seed: 2);
        var original = new SignalPipeline(Timeframe.OneMinute);
        for (var i = 0; i < 1_500; i++)
        {
            original.Update(bars[i]);
        }

        var copy = original.Copy(out var bytes);
        Assert.True(bytes > 0);
        var fromCopy = Lines(Enumerable.Range(1_500, 1_500).Select(i => copy.Update(bars[i])));
        // The copy was fed 1,500 bars; the original was not: it takes bar 1,500 next, as it would have.
        var fromOriginal = Lines(Enumerable.Range(1_500, 1_500).Select(i => original.Update(bars[i])));
        Assert.Equal(Lines(SignalPipeline.Run(bars, Timeframe.OneMinute))[1_500..], fromOriginal);
        Assert.Equal(fromOriginal, fromCopy);
    }
}
