using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;
using AiTrader.Core.Signals.Indicators;
using AiTrader.Core.Tests.Backtesting;
using static AiTrader.Core.Tests.Signals.Indicators.IndicatorTestData;

namespace AiTrader.Core.Tests.Signals.Indicators;

/// <summary>
/// Each streaming indicator against a deliberately naive re-implementation written here from the published definition:
/// every bar recomputes from scratch over its window (or replays the whole recursion), no shared code with src/.
/// </summary>
public class IndicatorNaiveComparisonTests
{
    private static readonly List<Bar> Daily = TestBars.RandomWalk(3000, seed: 20240611);
    private static readonly double[] Closes = Daily.Select(b => (double)b.Close).ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(20)]
    [InlineData(50)]
    public void Sma_matches_a_window_sum(int period)
    {
        var streamed = Stream(Daily, new SimpleMovingAverage(period).Update);
        SameSeries(NaiveSma(Closes, period), streamed);
        Assert.Equal(period - 1, FirstIndex(streamed));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(20)]
    public void Ema_matches_a_replay_from_the_sma_seed(int period)
    {
        var streamed = Stream(Daily, new ExponentialMovingAverage(period).Update);
        SameSeries(NaiveEma(Closes, period), streamed);
        Assert.Equal(period - 1, FirstIndex(streamed));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(14)]
    public void Rsi_matches_a_replay_of_wilder_smoothing(int period)
    {
        var streamed = Stream(Daily, new RelativeStrengthIndex(period).Update);
        SameSeries(NaiveRsi(Closes, period), streamed, floor: 1);
        Assert.Equal(period, FirstIndex(streamed));
    }

    [Fact]
    public void Atr14_matches_a_replay_and_starts_at_bar_14()
    {
        var streamed = Stream(Daily, new AverageTrueRange(14).Update);
        SameSeries(NaiveAtr(Daily, 14), streamed);
        Assert.Equal(14, FirstIndex(streamed));
    }

    [Fact]
    public void Donchian20_matches_a_window_scan_and_starts_at_bar_19()
    {
        var streamed = Stream(Daily, new DonchianChannel(20).Update);
        Assert.Equal(19, FirstIndex(streamed));
        for (var i = 0; i < Daily.Count; i++)
        {
            if (i < 19)
            {
                Assert.Null(streamed[i]);
                continue;
            }

            var window = Daily.GetRange(i - 19, 20);
            Assert.Equal((double)window.Max(b => b.High), streamed[i]!.Value.Upper);
            Assert.Equal((double)window.Min(b => b.Low), streamed[i]!.Value.Lower);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(55)]
    public void Donchian_of_any_period_matches_a_window_scan_across_block_boundaries_and_a_reset(int period)
    {
        // The channel works in blocks of `period` bars, so every alignment of the window against a block (and the
        // first block, before any is complete) must give the plain max/min of the window.
        var channel = new DonchianChannel(period);
        Stream(Daily.Take(period * 3 + 1).ToList(), channel.Update);
        channel.Reset();
        var streamed = Stream(Daily, channel.Update);
        for (var i = 0; i < Daily.Count; i++)
        {
            if (i < period - 1)
            {
                Assert.Null(streamed[i]);
                continue;
            }

            var window = Daily.GetRange(i - period + 1, period);
            Assert.Equal((double)window.Max(b => b.High), streamed[i]!.Value.Upper);
            Assert.Equal((double)window.Min(b => b.Low), streamed[i]!.Value.Lower);
        }
    }

    [Fact]
    public void Donchian_holds_ties_and_plateaus()
    {
        // Repeated highs and lows (a flat market, then a plateau at the top) must not lose the extreme.
        double[] highs = [5, 5, 5, 7, 7, 7, 7, 3, 3, 8, 8, 1, 1, 1, 1, 1, 9, 2, 2, 2];
        var channel = new DonchianChannel(4);
        for (var i = 0; i < highs.Length; i++)
        {
            var value = channel.Update(highs[i], highs[i] - 1);
            if (i < 3)
            {
                Assert.Null(value);
                continue;
            }

            var window = highs[(i - 3)..(i + 1)];
            Assert.Equal(window.Max(), value!.Value.Upper);
            Assert.Equal(window.Min() - 1, value.Value.Lower);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(20)]
    public void Bollinger_and_zscore_match_a_two_pass_population_sigma(int period)
    {
        var bands = Stream(Daily, new BollingerBands(period).Update);
        var z = Stream(Daily, new RollingZScore(period).Update);
        var (mean, sigma) = NaiveMeanSigma(Closes, period);

        SameSeries(mean, bands.Select(b => b?.Middle).ToArray());
        SameSeries(sigma, bands.Select(b => b?.StdDev).ToArray());
        SameSeries(Zip(mean, sigma, (m, s) => m + 2 * s), bands.Select(b => b?.Upper).ToArray());
        SameSeries(Zip(mean, sigma, (m, s) => m - 2 * s), bands.Select(b => b?.Lower).ToArray());
        var naiveZ = new double?[Closes.Length];
        for (var i = 0; i < Closes.Length; i++)
        {
            naiveZ[i] = sigma[i] is > 0 ? (Closes[i] - mean[i]!.Value) / sigma[i]!.Value : null;
        }

        // z is a difference over σ: compare on the scale of one σ, not relative to a z near 0.
        SameSeries(naiveZ, z, floor: 1);
        Assert.Equal(period - 1, FirstIndex(bands));
        Assert.Equal(period - 1, FirstIndex(z));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(20)]
    public void Volatility_matches_a_two_pass_sample_std_of_log_returns(int period)
    {
        var streamed = Stream(Daily, new RollingVolatility(period).Update);
        var naive = new double?[Closes.Length];
        for (var i = period; i < Closes.Length; i++)
        {
            var returns = Enumerable.Range(i - period + 1, period).Select(j => Math.Log(Closes[j] / Closes[j - 1])).ToArray();
            var mean = returns.Average();
            naive[i] = Math.Sqrt(returns.Sum(r => (r - mean) * (r - mean)) / (period - 1));
        }

        SameSeries(naive, streamed);
        Assert.Equal(period, FirstIndex(streamed));
    }

    [Fact]
    public void Bollinger_sigma_of_prices_near_100_with_tiny_spread_stays_exact_over_a_long_series()
    {
        // σ ≈ 0.001 on a level of 100: the sum/sum-of-squares shortcut would lose about 8 of 16 digits here.
        var random = new Random(5);
        var values = Enumerable.Range(0, 300_000).Select(_ => 100.0 + 0.001 * (random.NextDouble() - 0.5)).ToArray();
        var bands = new BollingerBands(20);
        for (var i = 0; i < values.Length; i++)
        {
            var value = bands.Update(values[i]);
            if (i >= 19 && (i % 997 == 0 || i == values.Length - 1))
            {
                var window = values.AsSpan(i - 19, 20).ToArray();
                var mean = window.Average();
                var sigma = Math.Sqrt(window.Sum(v => (v - mean) * (v - mean)) / 20);
                Close(sigma, value!.Value.StdDev);
                Close(mean, value.Value.Middle, tolerance: 1e-14);
            }
        }
    }

    [Fact]
    public void Sma_running_sum_does_not_drift_over_two_million_updates()
    {
        var random = new Random(9);
        var sma = new SimpleMovingAverage(20);
        var window = new Queue<double>();
        double? last = null;
        for (var i = 0; i < 2_000_000; i++)
        {
            // Large swings between 1e6 and 1e-3 are the worst case for add-then-subtract.
            var value = i % 2 == 0 ? 1e6 * random.NextDouble() : 1e-3 * random.NextDouble();
            last = sma.Update(value);
            window.Enqueue(value);
            if (window.Count > 20)
            {
                window.Dequeue();
            }
        }

        Close(window.Sum() / 20, last!.Value, tolerance: 1e-13);
    }

    [Fact]
    public void Session_vwap_matches_a_scan_of_the_session_so_far()
    {
        var bars = Intraday(sessions: 30, seed: 3);
        var streamed = Stream(bars, new SessionVwap().Update);
        var naive = new double?[bars.Count];
        var dates = bars.Select(b => ExchangeTime.SessionDate(b.Timestamp)).ToArray();
        for (var i = 0; i < bars.Count; i++)
        {
            double pv = 0, v = 0;
            for (var j = 0; j <= i; j++)
            {
                if (dates[j] != dates[i])
                {
                    continue;
                }

                var b = bars[j];
                var price = b.Vwap.HasValue ? (double)b.Vwap.Value : (double)(b.High + b.Low + b.Close) / 3;
                pv += price * (double)b.Volume;
                v += (double)b.Volume;
            }

            naive[i] = v > 0 ? pv / v : null;
        }

        SameSeries(naive, streamed);
        Assert.Contains(streamed, v => v is null);   // zero-volume session openings exist in the data
    }

    [Fact]
    public void Gap_matches_a_lookup_of_the_session_open_and_the_prior_session_close()
    {
        var bars = Intraday(sessions: 30, seed: 4);
        var streamed = Stream(bars, new GapPercent().Update);
        var naive = new double?[bars.Count];
        for (var i = 0; i < bars.Count; i++)
        {
            var date = ExchangeTime.SessionDate(bars[i].Timestamp);
            var first = i;
            while (first > 0 && ExchangeTime.SessionDate(bars[first - 1].Timestamp) == date)
            {
                first--;
            }

            naive[i] = first == 0 ? null : (double)bars[first].Open / (double)bars[first - 1].Close - 1;
        }

        SameSeries(naive, streamed, floor: 1e-3);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(3, false)]
    [InlineData(10, false)]
    [InlineData(5, true)]
    public void Rvol_matches_a_scan_of_past_sessions(int lookback, bool extended)
    {
        var bars = Intraday(sessions: 40, seed: 10 + lookback);
        var streamed = Stream(bars, new RelativeVolume(Timeframe.FiveMinutes, lookback, extended).Update);
        SameSeries(NaiveRvol(bars, lookback, extended), streamed);
        Assert.True(streamed.Count(v => v.HasValue) > bars.Count / 2);
    }

    [Fact]
    public void Daily_rvol_matches_a_scan_of_the_previous_n_volumes()
    {
        var bars = TestBars.RandomWalk(300, seed: 2).Select((b, i) => b with { Volume = 1000 + (i * 7919 % 5000) }).ToList();
        var streamed = Stream(bars, new RelativeVolume(Timeframe.OneDay, 10).Update);
        var naive = new double?[bars.Count];
        for (var i = 10; i < bars.Count; i++)
        {
            naive[i] = (double)bars[i].Volume / bars.Skip(i - 10).Take(10).Average(b => (double)b.Volume);
        }

        SameSeries(naive, streamed);
    }

    private static TResult?[] Stream<TResult>(IReadOnlyList<Bar> bars, Func<Bar, TResult?> update) where TResult : struct =>
        bars.Select(update).ToArray();

    private static double?[] Zip(double?[] a, double?[] b, Func<double, double, double> f) =>
        a.Select((x, i) => x.HasValue && b[i].HasValue ? f(x.Value, b[i]!.Value) : (double?)null).ToArray();

    private static double?[] NaiveSma(double[] x, int p)
    {
        var result = new double?[x.Length];
        for (var i = p - 1; i < x.Length; i++)
        {
            var sum = 0.0;
            for (var j = i - p + 1; j <= i; j++)
            {
                sum += x[j];
            }

            result[i] = sum / p;
        }

        return result;
    }

    private static double?[] NaiveEma(double[] x, int p)
    {
        var result = new double?[x.Length];
        var alpha = 2.0 / (p + 1);
        for (var i = p - 1; i < x.Length; i++)
        {
            // Replay from the seed every time: slow on purpose.
            var ema = x.Take(p).Average();
            for (var j = p; j <= i; j++)
            {
                ema = alpha * x[j] + (1 - alpha) * ema;
            }

            result[i] = ema;
        }

        return result;
    }

    private static double?[] NaiveRsi(double[] x, int p)
    {
        var result = new double?[x.Length];
        for (var i = p; i < x.Length; i++)
        {
            double gain = 0, loss = 0;
            for (var j = 1; j <= p; j++)
            {
                gain += Math.Max(x[j] - x[j - 1], 0);
                loss += Math.Max(x[j - 1] - x[j], 0);
            }

            gain /= p;
            loss /= p;
            for (var j = p + 1; j <= i; j++)
            {
                gain = (gain * (p - 1) + Math.Max(x[j] - x[j - 1], 0)) / p;
                loss = (loss * (p - 1) + Math.Max(x[j - 1] - x[j], 0)) / p;
            }

            result[i] = loss == 0 ? 100 : 100 - 100 / (1 + gain / loss);
        }

        return result;
    }

    private static double?[] NaiveAtr(IReadOnlyList<Bar> bars, int p)
    {
        // TR from its definition, tabulated once so the replay below stays affordable.
        var tr = new double[bars.Count];
        for (var j = 1; j < bars.Count; j++)
        {
            tr[j] = new[]
            {
                (double)(bars[j].High - bars[j].Low),
                Math.Abs((double)(bars[j].High - bars[j - 1].Close)),
                Math.Abs((double)(bars[j].Low - bars[j - 1].Close)),
            }.Max();
        }

        double Tr(int j) => tr[j];

        var result = new double?[bars.Count];
        for (var i = p; i < bars.Count; i++)
        {
            var atr = Enumerable.Range(1, p).Average(Tr);
            for (var j = p + 1; j <= i; j++)
            {
                atr = (atr * (p - 1) + Tr(j)) / p;
            }

            result[i] = atr;
        }

        return result;
    }

    private static (double?[] Mean, double?[] Sigma) NaiveMeanSigma(double[] x, int p)
    {
        var mean = new double?[x.Length];
        var sigma = new double?[x.Length];
        for (var i = p - 1; i < x.Length; i++)
        {
            var window = x[(i - p + 1)..(i + 1)];
            var m = window.Average();
            mean[i] = m;
            sigma[i] = Math.Sqrt(window.Sum(v => (v - m) * (v - m)) / p);
        }

        return (mean, sigma);
    }

    /// <summary>RVOL from its definition: scan every past session for its cumulative volume at today's minute.</summary>
    private static double?[] NaiveRvol(List<Bar> bars, int lookback, bool extended)
    {
        var anchor = extended ? 240 : 570;
        var length = extended ? 960 : 390;
        // Dates and minutes are precomputed only because time-zone conversion is slow; the scan below stays naive.
        var dates = bars.Select(b => ExchangeTime.SessionDate(b.Timestamp)).ToArray();
        var minutes = bars.Select(b => (int)Math.Floor(ExchangeTime.ToNewYork(b.Timestamp).TimeOfDay.TotalMinutes) - anchor)
            .Select(m => m >= 0 && m < length ? m : (int?)null)
            .ToArray();

        var result = new double?[bars.Count];
        for (var i = 0; i < bars.Count; i++)
        {
            if (minutes[i] is not { } minute)
            {
                continue;
            }

            var today = dates[i];
            var cumulative = Enumerable.Range(0, i + 1)
                .Where(j => dates[j] == today && minutes[j] is not null)
                .Sum(j => (double)bars[j].Volume);

            // Past sessions with at least one in-session bar, most recent first; the definition keeps the latest 2N.
            var past = Enumerable.Range(0, i)
                .Where(j => minutes[j] is not null && dates[j] < today)
                .GroupBy(j => dates[j])
                .OrderByDescending(g => g.Key)
                .Take(2 * lookback)
                .Where(g => g.Max(j => minutes[j]!.Value) >= minute)
                .Take(lookback)
                .Select(g => g.Where(j => minutes[j] <= minute).Sum(j => (double)bars[j].Volume))
                .ToList();

            if (past.Count == lookback && past.Average() > 0)
            {
                result[i] = cumulative / past.Average();
            }
        }

        return result;
    }
}
