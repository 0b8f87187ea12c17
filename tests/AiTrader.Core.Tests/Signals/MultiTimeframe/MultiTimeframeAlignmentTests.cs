using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using AiTrader.Core.Signals;
using AiTrader.Core.Signals.MultiTimeframe;
using AiTrader.Core.Tests.MarketData;

namespace AiTrader.Core.Tests.Signals.MultiTimeframe;

public sealed class MultiTimeframeAlignmentTests
{
    // 2024-03-04 is a Monday in EST: 09:30 ET = 14:30Z, 16:00 ET = 21:00Z.
    private static Bar M(string hhmm, decimal close, string date = "2024-03-04", int utcOffsetHours = 5)
    {
        var t = TimeOnly.Parse(hhmm, System.Globalization.CultureInfo.InvariantCulture);
        var utc = DateTime.SpecifyKind(DateOnly.Parse(date, System.Globalization.CultureInfo.InvariantCulture).ToDateTime(t).AddHours(utcOffsetHours), DateTimeKind.Utc);
        return new Bar(utc, close, close + 0.5m, close - 0.5m, close, 100m);
    }

    [Fact]
    public void The_0930_five_minute_bar_first_shows_on_the_0934_minute_bar()
    {
        var bars = Enumerable.Range(0, 10).Select(i => M($"09:{30 + i}", 100m + i)).ToList();
        var aligned = MultiTimeframeFeatures.Align(bars, Timeframe.FiveMinutes);

        for (var i = 0; i <= 3; i++)
        {
            Assert.Null(aligned[i]); // 09:30..09:33: the bucket [09:30, 09:35) is still open at their close
        }

        for (var i = 4; i <= 8; i++)
        {
            var f = Assert.IsType<TimeframeFeatures>(aligned[i]);
            Assert.Equal(bars[0].Timestamp, f.BarStart);
            Assert.Equal(TestData.Utc("2024-03-04T14:35:00Z"), f.BarEnd);
            Assert.Equal(104m, f.Close); // the close of the 09:34 minute, the last one inside the bucket
        }

        Assert.Equal(bars[5].Timestamp, aligned[9]!.BarStart); // 09:39 closes the [09:35, 09:40) bucket
        Assert.Equal(109m, aligned[9]!.Close);
    }

    [Fact]
    public void Sparse_minutes_reveal_a_bucket_on_the_first_bar_that_closes_at_or_after_its_end()
    {
        // No 09:34 bar: at 09:33's close (09:34) a 09:34 trade could still come, so the bucket is not yet visible.
        var bars = new List<Bar> { M("09:30", 100m), M("09:31", 101m), M("09:33", 103m), M("09:36", 106m), M("09:41", 111m) };
        var aligned = MultiTimeframeFeatures.Align(bars, Timeframe.FiveMinutes);
        Assert.Null(aligned[0]);
        Assert.Null(aligned[1]);
        Assert.Null(aligned[2]);
        Assert.Equal(bars[0].Timestamp, aligned[3]!.BarStart);
        Assert.Equal(103m, aligned[3]!.Close); // the bucket's last bar is 09:33; the 09:36 bar is not in it
        Assert.Equal(M("09:35", 0.01m).Timestamp, aligned[4]!.BarStart); // stamped at the bucket start; held only 09:36
        Assert.Equal(106m, aligned[4]!.Close);
    }

    [Fact]
    public void The_session_shows_its_daily_and_last_hourly_bar_on_the_1559_bar()
    {
        var bars = new List<Bar> { M("15:28", 99m), M("15:29", 100m), M("15:30", 101m), M("15:58", 102m), M("15:59", 103m) };
        var daily = MultiTimeframeFeatures.Align(bars, Timeframe.OneDay);
        var hourly = MultiTimeframeFeatures.Align(bars, Timeframe.OneHour);
        Assert.All(daily.Take(4), Assert.Null);
        Assert.Equal(103m, daily[4]!.Close);
        Assert.Equal(TestData.Utc("2024-03-04T21:00:00Z"), daily[4]!.BarEnd);

        Assert.Equal(100m, hourly[1]!.Close); // [14:30, 15:30) closes with the 15:29 bar
        Assert.Equal(100m, hourly[3]!.Close);
        Assert.Equal(103m, hourly[4]!.Close); // [15:30, 16:00), cut at the close, closes with 15:59
        Assert.Equal(TestData.Utc("2024-03-04T21:00:00Z"), hourly[4]!.BarEnd);
    }

    [Fact]
    public void Without_a_1559_bar_the_day_shows_on_the_next_bar_after_the_close()
    {
        var bars = new List<Bar>
        {
            M("15:57", 101m), M("15:58", 102m), M("16:10", 150m), // after-hours: not part of the session bar
            M("09:30", 104m, "2024-03-05"),
        };
        var daily = MultiTimeframeFeatures.Align(bars, Timeframe.OneDay);
        Assert.Null(daily[0]);
        Assert.Null(daily[1]); // 15:58 might not have been the last minute
        Assert.Equal(102m, daily[2]!.Close);
        Assert.Equal(102m, daily[3]!.Close); // next morning still shows yesterday's session
    }

    [Fact]
    public void Bucket_ends_are_cut_at_the_session_close_including_early_closes()
    {
        var calendar = NyseCalendar.Instance;
        Assert.Equal(TestData.Utc("2024-03-04T14:35:00Z"), MultiTimeframeFeatures.BucketEnd(TestData.Utc("2024-03-04T14:30:00Z"), Timeframe.FiveMinutes, calendar));
        Assert.Equal(TestData.Utc("2024-03-04T21:00:00Z"), MultiTimeframeFeatures.BucketEnd(TestData.Utc("2024-03-04T20:30:00Z"), Timeframe.OneHour, calendar));
        Assert.Equal(TestData.Utc("2024-03-04T21:00:00Z"), MultiTimeframeFeatures.BucketEnd(TestData.Utc("2024-03-04T14:30:00Z"), Timeframe.OneDay, calendar));
        // 2024-07-03 closes at 13:00 ET (17:00Z, EDT): the 12:30 hourly bucket ends at 13:00.
        Assert.Equal(TestData.Utc("2024-07-03T17:00:00Z"), MultiTimeframeFeatures.BucketEnd(TestData.Utc("2024-07-03T16:30:00Z"), Timeframe.OneHour, calendar));
        Assert.Equal(TestData.Utc("2024-07-03T17:00:00Z"), MultiTimeframeFeatures.BucketEnd(TestData.Utc("2024-07-03T13:30:00Z"), Timeframe.OneDay, calendar));
    }

    [Fact]
    public void Rows_carry_the_resampled_bars_signals()
    {
        var bars = Synthetic(3 * 390, seed: 3, keep: 1.0);
        var rows = MultiTimeframeFeatures.Compute(bars);
        var fifteen = BarResampler.Resample(bars, Timeframe.FifteenMinutes, NyseCalendar.Instance);
        var frames = SignalPipeline.Run(fifteen, Timeframe.FifteenMinutes);
        var seen = rows.Select(r => r.FifteenMinutes).OfType<TimeframeFeatures>().DistinctBy(f => f.BarStart).ToList();
        Assert.Equal(fifteen.Count, seen.Count); // complete data: every bucket shows up, in order
        for (var j = 0; j < seen.Count; j++)
        {
            Assert.Equal(fifteen[j].Timestamp, seen[j].BarStart);
            Assert.Equal(frames[j], seen[j].Frame);
            Assert.Equal(frames[j].Rsi, seen[j].Rsi);
            Assert.Equal(frames[j].ProbabilityUp, seen[j].ProbabilityUp);
        }

        Assert.All(rows, r => Assert.Same(r.FiveMinutes, r.For(Timeframe.FiveMinutes)));
        Assert.Equal(bars.Count, rows.Count);
    }

    [Theory]
    [InlineData(1.0, 5)]
    [InlineData(0.55, 9)]
    public void Truncating_the_minute_series_at_any_point_never_changes_earlier_rows(double keep, int seed)
    {
        var bars = Synthetic(2 * 390 + 40, seed, keep);
        var full = MultiTimeframeFeatures.Compute(bars);
        for (var k = 1; k <= bars.Count; k++)
        {
            var truncated = MultiTimeframeFeatures.Compute(bars.Take(k).ToList());
            Assert.Equal(full[k - 1], truncated[k - 1]);
            if (k % 50 == 0 || k == bars.Count)
            {
                Assert.Equal(full.Take(k), truncated); // every row, not only the last, at a sample of cuts
            }
        }
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void Spy_minute_bars_2013_10_04_to_10_11_have_no_lookahead()
    {
        var bars = CsvBarParser.ParseFile(TestData.Minute("SPY"))
            .Where(b => b.Timestamp >= TestData.Utc("2013-10-04T00:00:00Z") && b.Timestamp < TestData.Utc("2013-10-12T00:00:00Z"))
            .ToList();
        Assert.True(bars.Count > 4000);
        var full = MultiTimeframeFeatures.Compute(bars);
        Assert.NotNull(full[^1].OneDay);
        Assert.NotNull(full[^1].OneHour);

        // Every 17th cut plus the bars around each session's close and the next open.
        var cuts = Enumerable.Range(1, bars.Count).Where(k => k % 17 == 0).ToHashSet();
        for (var i = 1; i < bars.Count; i++)
        {
            if (ExchangeTime.SessionDate(bars[i].Timestamp) != ExchangeTime.SessionDate(bars[i - 1].Timestamp))
            {
                cuts.UnionWith([i - 1, i, i + 1, i + 2]);
            }
        }

        foreach (var k in cuts.Where(k => k >= 1 && k <= bars.Count).Order())
        {
            var truncated = MultiTimeframeFeatures.Compute(bars.Take(k).ToList());
            Assert.Equal(full[k - 1], truncated[k - 1]);
        }

        var rows = full.Take(600).ToList();
        Assert.Equal(full.Take(600), MultiTimeframeFeatures.Compute(bars.Take(600).ToList()));
        Assert.Contains(rows, r => r.FiveMinutes is not null);
    }

    private static List<Bar> Synthetic(int count, int seed, double keep)
    {
        var bars = new SyntheticBarGenerator(seed).Generate(TestData.Utc("2024-03-04T14:30:00Z"), Timeframe.OneMinute, count, NyseCalendar.Instance).Bars;
        var random = new Random(seed);
        return bars.Where(_ => random.NextDouble() < keep).ToList();
    }
}
