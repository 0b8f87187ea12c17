using System.Globalization;
using System.Text;
using AiTrader.Core.Domain;
using AiTrader.Core.IO;
using AiTrader.Core.Signals;
using AiTrader.Core.Signals.Indicators;
using AiTrader.Core.Signals.Regimes;
using AiTrader.Core.Tests.Signals.Pipeline;

namespace AiTrader.Core.Tests.Signals.FastPaths;

/// <summary>Each shortcut of the signal pipeline and its CSV writer against the straightforward computation it
/// replaces, compared bit for bit (or byte for byte).</summary>
public sealed class SignalFastPathTests
{
    [Theory]
    [InlineData(60)]
    [InlineData(20)]
    [InlineData(7)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void Trailing_window_sum_and_variance_equal_a_fresh_two_pass_scan(int capacity)
    {
        var random = new Random(capacity);
        var window = new TrailingWindow(capacity);
        var all = new List<double>();
        for (var i = 0; i < 3_000; i++)
        {
            // Log-return-sized values, with exact zeros and negative zeros mixed in.
            var x = i % 97 == 0 ? 0.0 : i % 89 == 0 ? -0.0 : (random.NextDouble() - 0.5) * 0.02;
            window.Add(x);
            all.Add(x);
            var tail = all.Skip(Math.Max(0, all.Count - capacity)).ToArray();
            var mean = 0.0;
            foreach (var v in tail)
            {
                mean += v;
            }

            Assert.Equal(BitConverter.DoubleToInt64Bits(mean), BitConverter.DoubleToInt64Bits(window.Sum));
            if (tail.Length >= 2)
            {
                // The documented order of the second pass: lane k adds the squared deviations of positions
                // k, k + 4, … oldest first; the lanes combine as (0 + 1) + (2 + 3).
                mean /= tail.Length;
                var lanes = new double[4];
                for (var p = 0; p < tail.Length; p++)
                {
                    lanes[p % 4] += (tail[p] - mean) * (tail[p] - mean);
                }

                var sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
                Assert.Equal(BitConverter.DoubleToInt64Bits(sum / (tail.Length - 1)), BitConverter.DoubleToInt64Bits(window.SampleVariance()));
                // And it is the variance: within rounding of the one-lane sum.
                var oneLane = tail.Sum(v => (v - mean) * (v - mean)) / (tail.Length - 1);
                Assert.Equal(oneLane, window.SampleVariance(), oneLane * 1e-12);
            }
        }
    }

    [Fact]
    public void Sorted_window_equals_a_fresh_sort_of_the_last_values_on_every_add()
    {
        var random = new Random(3);
        var window = new SortedSlidingWindow(252);
        var all = new List<double>();
        for (var i = 0; i < 4_000; i++)
        {
            // Coarse values so that ties (and an evicted value equal to the new one) are common.
            var x = Math.Round(random.NextDouble() * (i % 500 < 250 ? 1 : 3), 2);
            window.Add(x);
            all.Add(x);
            var expected = all.Skip(Math.Max(0, all.Count - 252)).Order().ToArray();
            Assert.Equal(expected, window.Sorted.ToArray());
        }
    }

    [Fact]
    public void Lower_bound_is_the_first_index_not_below_the_value()
    {
        var random = new Random(5);
        for (var n = 0; n < 70; n++)
        {
            var values = Enumerable.Range(0, n).Select(_ => (double)random.Next(0, 20)).Order().ToArray();
            for (var v = -1.0; v <= 21; v += 0.5)
            {
                var expected = Array.FindIndex(values, x => !(x < v));
                Assert.Equal(expected < 0 ? n : expected, SortedSlidingWindow.LowerBound(values, v));
                if (n > 0)
                {
                    // The paired search gives each value's own lower bound, whichever order they come in.
                    var other = 20.5 - v;
                    var otherExpected = Array.FindIndex(values, x => !(x < other));
                    Assert.Equal((expected < 0 ? n : expected, otherExpected < 0 ? n : otherExpected),
                        SortedSlidingWindow.LowerBounds(values, v, other));
                }
            }
        }
    }

    [Theory]
    [InlineData(10, false, 0.0)]
    [InlineData(10, false, 0.3)]
    [InlineData(3, true, 0.5)]
    public void Relative_volume_equals_a_walk_through_the_past_sessions_on_every_bar(int lookback, bool extended, double dropShare)
    {
        var random = new Random(lookback);
        var bars = SignalTestBars.Synthetic(Timeframe.OneMinute, 390 * 30).Where(_ => random.NextDouble() >= dropShare).ToArray();
        var indicator = new RelativeVolume(Timeframe.OneMinute, lookback, extended);
        var anchor = extended ? 4 * 60 : (9 * 60) + 30;
        var length = extended ? 16 * 60 : 390;
        var past = new List<(int LastMinute, SortedList<int, double> Cumulative)>(); // most recent first
        DateOnly? day = null;
        SortedList<int, double>? today = null;
        var total = 0.0;
        foreach (var bar in bars)
        {
            var local = Core.Sessions.ExchangeTime.ToNewYork(bar.Timestamp);
            var date = DateOnly.FromDateTime(local);
            if (day != date)
            {
                if (today is { Count: > 0 })
                {
                    past.Insert(0, (today.Keys[^1], today));
                    if (past.Count > 2 * lookback)
                    {
                        past.RemoveAt(past.Count - 1);
                    }
                }

                day = date;
                today = [];
                total = 0.0;
            }

            double? expected = null;
            var minute = (int)Math.Floor(local.TimeOfDay.TotalMinutes - anchor);
            if (minute >= 0 && minute < length)
            {
                total += (double)bar.Volume;
                today![Math.Max(minute, today.Count > 0 ? today.Keys[^1] : minute)] = total;
                var found = 0;
                var sum = 0.0;
                foreach (var (last, cumulative) in past)
                {
                    if (last < minute)
                    {
                        continue;
                    }

                    var at = 0.0;
                    foreach (var (m, c) in cumulative)
                    {
                        if (m > minute)
                        {
                            break;
                        }

                        at = c;
                    }

                    sum += at;
                    if (++found == lookback)
                    {
                        break;
                    }
                }

                var average = sum / lookback;
                expected = found == lookback && average > 0 ? total / average : null;
            }

            var actual = indicator.Update(bar);
            Assert.Equal(expected.HasValue, actual.HasValue);
            if (expected is { } e)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(e), BitConverter.DoubleToInt64Bits(actual!.Value));
            }
        }
    }

    [Fact]
    public void Round_trip_doubles_are_written_as_the_runtime_formats_them()
    {
        var random = new Random(11);
        var values = new List<double> { 0.0, -0.0, 1, -1, 0.1, 1e15, 1e16, 1e17, 123456789012345680, 1e-4, 1e-5, 0.00012345, 5e-324, double.MaxValue, double.MinValue, 2.2250738585072014E-308, 9007199254740993, 1e21, 1e23, 0.5, 2.5, 100 };
        for (var i = 0; i < 200_000; i++)
        {
            values.Add(BitConverter.Int64BitsToDouble(random.NextInt64()));
            values.Add(100 + (random.NextDouble() * 100));
            values.Add((random.NextDouble() - 0.5) * 1e-3);
            values.Add(Math.Round(random.NextDouble() * 1000, random.Next(0, 6)));
            values.Add(random.Next(0, 1_000_000) * Math.Pow(10, random.Next(-30, 30)));
        }

        for (var e = -325; e < 310; e++)
        {
            for (var d = 1; d < 100; d += 7)
            {
                values.Add(double.Parse($"{d}e{e}", CultureInfo.InvariantCulture));
            }
        }

        using var stream = new MemoryStream();
        using (var csv = new Utf8CsvWriter(stream))
        {
            foreach (var v in values)
            {
                csv.RoundTrip(v).NewLine();
            }
        }

        var expected = string.Concat(values.Select(v => v.ToString(CultureInfo.InvariantCulture) + "\n"));
        Assert.Equal(expected, Encoding.UTF8.GetString(stream.ToArray()));
    }

    [Fact]
    public void Two_decimal_shortcut_matches_the_runtime_format_including_half_cents()
    {
        var random = new Random(13);
        var values = new List<double> { 0, -0.0, 0.005, 0.015, 0.125, 0.995, 1, 0.8, 0.6, 0.2, 0.4, 1e6, 999_999.995, -0.001, 1.005, 2.675 };
        for (var i = 0; i < 100_000; i++)
        {
            values.Add(random.NextDouble());
            values.Add((random.Next(0, 1000) + 0.5) / 100); // exact and near half cents
            values.Add(((random.Next(0, 1000) + 0.5) / 100) + ((random.NextDouble() - 0.5) * 1e-9));
        }

        using var stream = new MemoryStream();
        using (var csv = new Utf8CsvWriter(stream))
        {
            foreach (var v in values)
            {
                RegimeReasonWriter.Fixed2(csv, v).NewLine();
            }
        }

        var expected = string.Concat(values.Select(v => v.ToString("0.00", CultureInfo.InvariantCulture) + "\n"));
        Assert.Equal(expected, Encoding.UTF8.GetString(stream.ToArray()));
    }

    public static TheoryData<string> Series => new() { "aapl", "minute", "hourly", "tight" };

    [Theory]
    [MemberData(nameof(Series))]
    public void Streaming_csv_equals_the_string_writer_row_for_row(string series)
    {
        var (bars, timeframe, options) = series switch
        {
            "aapl" => (SignalTestBars.AaplDaily, Timeframe.OneDay, (SignalPipelineOptions?)null),
            "minute" => (SignalTestBars.Synthetic(Timeframe.OneMinute, 20_000), Timeframe.OneMinute, null),
            "hourly" => (SignalTestBars.Synthetic(Timeframe.OneHour, 5_000, seed: 9), Timeframe.OneHour, null),
            // Short dwell and narrow trend bands: every reason branch (holds, exits, Volatile with a trend) shows up.
            _ => (SignalTestBars.Synthetic(Timeframe.FiveMinutes, 10_000, seed: 4), Timeframe.FiveMinutes,
                new SignalPipelineOptions { Regime = new RegimeOptions { MinimumDwellBars = 5, TrendEnterProbability = 0.6, TrendExitProbability = 0.55 } }),
        };
        var frames = SignalPipeline.Run(bars, timeframe, options);

        foreach (var explain in new[] { false, true })
        {
            using var stream = new MemoryStream();
            using (var streaming = new SignalFrameCsvWriter.Streaming(stream, explain))
            {
                foreach (var frame in frames)
                {
                    streaming.Write(frame);
                }
            }

            var text = new StringWriter();
            SignalFrameCsvWriter.Write(text, frames, explain);
            Assert.Equal(text.ToString(), Encoding.UTF8.GetString(stream.ToArray()));
        }
        if (series == "tight")
        {
            var reasons = frames.Select(f => f.RegimeLabel.Reason).ToArray();
            Assert.Contains(reasons, r => r.StartsWith("held ", StringComparison.Ordinal));
            Assert.Contains(reasons, r => r.Contains("stays Volatile", StringComparison.Ordinal));
            Assert.Contains(reasons, r => r.Contains("exit threshold; prob_up", StringComparison.Ordinal));
            Assert.Contains(reasons, r => r.Contains("stays TrendingUp", StringComparison.Ordinal));
            Assert.Contains(reasons, r => r.Contains("stays TrendingDown", StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(3, 255)]
    [InlineData(4, 256 * 7 + 3)]
    public void Formatting_on_several_threads_writes_the_rows_in_order_byte_for_byte(int formatters, int frameCount)
    {
        var frames = SignalPipeline.Run(SignalTestBars.Synthetic(Timeframe.OneMinute, 2_000), Timeframe.OneMinute).Take(frameCount).ToArray();
        foreach (var explain in new[] { false, true })
        {
            using var stream = new MemoryStream();
            SignalFrameCsvWriter.WriteStream(stream, frames, explain, formatters);
            var text = new StringWriter();
            SignalFrameCsvWriter.Write(text, frames, explain);
            Assert.Equal(text.ToString(), Encoding.UTF8.GetString(stream.ToArray()));
        }
    }

    [Fact]
    public void A_failure_of_the_frames_or_of_the_stream_reaches_the_caller_and_nothing_hangs()
    {
        var frames = SignalPipeline.Run(SignalTestBars.Synthetic(Timeframe.OneMinute, 3_000), Timeframe.OneMinute);

        IEnumerable<SignalFrame> Failing()
        {
            foreach (var f in frames.Take(1_000))
            {
                yield return f;
            }

            throw new InvalidDataException("bar 1000 is bad");
        }

        var fromFrames = Assert.Throws<InvalidDataException>(() => SignalFrameCsvWriter.WriteStream(new MemoryStream(), Failing(), formatters: 2));
        Assert.Equal("bar 1000 is bad", fromFrames.Message);

        using var full = new FailingStream(failAfterBytes: 200_000);
        var fromStream = Assert.Throws<IOException>(() => SignalFrameCsvWriter.WriteStream(full, frames, formatters: 2));
        Assert.Equal("disk full", fromStream.Message);
    }

    private sealed class FailingStream(long failAfterBytes) : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count)
        {
            if (Length + count > failAfterBytes)
            {
                throw new IOException("disk full");
            }

            base.Write(buffer, offset, count);
        }
    }

    [Fact]
    public void A_replaced_regime_label_is_written_with_its_own_reason_quoted()
    {
        var frame = SignalPipeline.Run(SignalTestBars.AaplDaily.Take(200).ToArray(), Timeframe.OneDay)[^1];
        var odd = frame with { RegimeLabel = frame.RegimeLabel with { Reason = "a, \"b\"" } };
        using var stream = new MemoryStream();
        using (var streaming = new SignalFrameCsvWriter.Streaming(stream, explain: true))
        {
            streaming.Write(odd);
        }

        Assert.Equal(SignalFrameCsvWriter.HeaderFor(explain: true) + "\n" + SignalFrameCsvWriter.FormatLine(odd, explain: true),
            Encoding.UTF8.GetString(stream.ToArray()));
        Assert.EndsWith(",\"a, \"\"b\"\"\"\n", SignalFrameCsvWriter.FormatLine(odd, explain: true), StringComparison.Ordinal);
    }
}
