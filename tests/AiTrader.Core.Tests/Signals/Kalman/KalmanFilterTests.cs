using AiTrader.Core.Domain;
using AiTrader.Core.Signals.Kalman;

namespace AiTrader.Core.Tests.Signals.Kalman;

public class KalmanFilterTests
{
    // Raw prices, R = 1, q = 4 (so Q = [[1, 2], [2, 4]]), P0 = diag(1, 1.5): every step below is exact in binary
    // fractions except the third, whose denominator is 111.
    private static readonly KalmanOptions HandOptions = new()
    {
        UseLogPrice = false,
        MeasurementNoise = 1.0,
        ProcessNoise = 4.0,
        InitialLevelVariance = 1.0,
        InitialVelocityVariance = 1.5,
        WarmupBars = 2,
    };

    [Fact]
    public void First_three_steps_match_a_hand_computation()
    {
        var s = KalmanFilter.FilterSeries([10.0, 12.0, 13.0], HandOptions);

        // Bar 0: prior x = [10, 0], P = diag(1, 1.5); z = 10 so ν = 0; S = 1 + 1 = 2; K = [1/2, 0/2] = [0.5, 0].
        //   x = [10, 0]; P00 = (1 − 0.5)·1 = 0.5, P01 = 0, P11 = 1.5 − 0·0 = 1.5.
        AssertStep(s[0], level: 10, velocity: 0, p00: 0.5, p01: 0, p11: 1.5, innovation: 0, sVar: 2, k0: 0.5, k1: 0);
        Assert.Equal(0.5, s[0].ProbabilityVelocityPositive, 15);
        Assert.True(s[0].IsWarmup);

        // Bar 1: x⁻ = [10 + 0, 0] = [10, 0].
        //   F·P·Fᵀ = [[0.5 + 2·0 + 1.5, 0 + 1.5], [1.5, 1.5]] = [[2, 1.5], [1.5, 1.5]]; + Q → P⁻ = [[3, 3.5], [3.5, 5.5]].
        //   z = 12: ν = 2; S = 3 + 1 = 4; K = [3/4, 3.5/4] = [0.75, 0.875].
        //   x = [10 + 0.75·2, 0 + 0.875·2] = [11.5, 1.75].
        //   P00 = 0.25·3 = 0.75; P01 = 0.25·3.5 = 0.875; P11 = 5.5 − 0.875·3.5 = 2.4375.
        AssertStep(s[1], level: 11.5, velocity: 1.75, p00: 0.75, p01: 0.875, p11: 2.4375, innovation: 2, sVar: 4, k0: 0.75, k1: 0.875);
        Assert.Equal(NormalDistribution.Cdf(1.75 / Math.Sqrt(2.4375)), s[1].ProbabilityVelocityPositive, 15);
        Assert.Equal(0.8688341622958213, s[1].ProbabilityVelocityPositive, 13); // Φ(1.1208970766…), CPython erfc

        // Bar 2: x⁻ = [11.5 + 1.75, 1.75] = [13.25, 1.75].
        //   F·P·Fᵀ = [[0.75 + 1.75 + 2.4375, 0.875 + 2.4375], [·, 2.4375]] = [[4.9375, 3.3125], [3.3125, 2.4375]];
        //   + Q → P⁻ = [[5.9375, 5.3125], [5.3125, 6.4375]].
        //   z = 13: ν = −0.25; S = 6.9375; K = [5.9375/6.9375, 5.3125/6.9375] = [95/111, 85/111].
        //   x = [13.25 − 0.25·95/111, 1.75 − 0.25·85/111].
        //   P00 = (16/111)·5.9375 = 95/111; P01 = (16/111)·5.3125 = 85/111; P11 = 6.4375 − (85/111)·5.3125 = 263/111.
        AssertStep(s[2], level: 13.25 - 0.25 * 95 / 111, velocity: 1.75 - 0.25 * 85 / 111,
            p00: 95.0 / 111, p01: 85.0 / 111, p11: 263.0 / 111, innovation: -0.25, sVar: 6.9375, k0: 95.0 / 111, k1: 85.0 / 111);
        Assert.False(s[2].IsWarmup);
        Assert.Equal(s[2].Level, s[2].FilteredPrice); // raw mode: the level is the price
    }

    private static void AssertStep(KalmanState s, double level, double velocity, double p00, double p01, double p11,
        double innovation, double sVar, double k0, double k1)
    {
        Assert.Equal(level, s.Level, 12);
        Assert.Equal(velocity, s.Velocity, 12);
        Assert.Equal(p00, s.P00, 12);
        Assert.Equal(p01, s.P01, 12);
        Assert.Equal(p11, s.P11, 12);
        Assert.Equal(innovation, s.Innovation, 12);
        Assert.Equal(sVar, s.InnovationVariance, 12);
        Assert.Equal(k0, s.GainLevel, 12);
        Assert.Equal(k1, s.GainVelocity, 12);
    }

    // Kalata (1984) / Bar-Shalom, Li & Kirubarajan (2001, ch. 6): for the discrete white-noise acceleration model
    // with tracking index λ = √(q/R)·T², the steady-state gains satisfy λ² = β²/(1 − α) and
    // β = 2(2 − α) − 4√(1 − α). Writing u = √(1 − α) gives α = 1 − u², β = 2(1 − u)² and λu = 2(1 − u)², i.e.
    // 2u² − (4 + λ)u + 2 = 0, whose root in (0, 1) is u = ((4 + λ) − √(λ² + 8λ)) / 4.
    [Theory]
    [InlineData(1e-4)]
    [InlineData(1e-3)]
    [InlineData(1e-2)]
    [InlineData(1.0)]
    [InlineData(100.0)]
    public void Gain_converges_to_the_closed_form_alpha_beta_steady_state(double qOverR)
    {
        var lambda = Math.Sqrt(qOverR);
        var u = ((4 + lambda) - Math.Sqrt(lambda * lambda + 8 * lambda)) / 4;
        var alpha = 1 - u * u;
        var beta = 2 * (1 - u) * (1 - u);
        Assert.Equal(beta, 2 * (2 - alpha) - 4 * Math.Sqrt(1 - alpha), 12);
        Assert.Equal(lambda * lambda, beta * beta / (1 - alpha), 9);

        var options = new KalmanOptions { UseLogPrice = false, MeasurementNoise = 2.5, ProcessNoise = 2.5 * qOverR };
        var filter = new KalmanFilter(options);
        var rnd = new Random(7);
        KalmanState last = null!;
        for (var i = 0; i < 20_000; i++)
        {
            last = filter.Update(100 + rnd.NextDouble()); // the gain does not depend on the data
        }

        Assert.Equal(alpha, last.GainLevel, 9);
        Assert.Equal(beta, last.GainVelocity, 9);
    }

    [Fact]
    public void Velocity_converges_to_the_drift_of_a_log_random_walk()
    {
        // Level: log random walk with drift μ = 0.001/bar and step noise σw = 0.005; observed with noise σe = 0.005.
        const double mu = 0.001;
        const int n = 20_000;
        var rnd = new Random(42);
        var prices = new double[n];
        var level = Math.Log(50.0);
        for (var i = 0; i < n; i++)
        {
            level += mu + 0.005 * Gaussian(rnd);
            prices[i] = Math.Exp(level + 0.005 * Gaussian(rnd));
        }

        var states = KalmanFilter.FilterSeries(prices);
        var half = states[(n / 2)..];
        var meanVelocity = half.Average(s => s.Velocity);

        // The mean of the velocity over the last half is close to (level_end − level_mid)/(n/2) plus a bounded
        // end effect; its standard error is about σw/√(n/2) = 0.005/100 = 5e-5. Five standard errors:
        Assert.InRange(meanVelocity, mu - 2.5e-4, mu + 2.5e-4);
        Assert.True(half.Average(s => s.ProbabilityVelocityPositive) > 0.5);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Outputs_up_to_bar_k_do_not_depend_on_later_bars(bool estimatedNoise)
    {
        var options = estimatedNoise
            ? new KalmanOptions { NoiseWindow = 20, WarmupBars = 25 }
            : new KalmanOptions { MeasurementNoise = 1e-4, ProcessNoise = 1e-7 };
        var prices = SyntheticPrices(seed: 3, n: 200);
        var full = KalmanFilter.FilterSeries(prices, options);

        for (var k = 0; k < prices.Length; k++)
        {
            var truncated = KalmanFilter.FilterSeries(prices.AsSpan(0, k + 1), options);
            Assert.Equal(full.AsSpan(0, k + 1).ToArray(), truncated);

            // A different future (a crash after bar k) must not change the past either.
            var altered = (double[])prices.Clone();
            for (var j = k + 1; j < altered.Length; j++)
            {
                altered[j] = prices[j] * 0.5;
            }

            Assert.Equal(full[k], KalmanFilter.FilterSeries(altered, options)[k]);
        }
    }

    [Fact]
    public void Estimated_noise_uses_the_trailing_window_of_log_differences()
    {
        var options = new KalmanOptions { NoiseWindow = 30, MeasurementNoiseScale = 9, ProcessToMeasurementRatio = 1e-3 };
        var prices = SyntheticPrices(seed: 11, n: 120);
        var states = KalmanFilter.FilterSeries(prices, options);

        foreach (var t in new[] { 1, 2, 10, 30, 31, 75, 119 })
        {
            var first = Math.Max(1, t - options.NoiseWindow + 1);
            var diffs = Enumerable.Range(first, t - first + 1).Select(i => Math.Log(prices[i]) - Math.Log(prices[i - 1])).ToArray();
            double variance;
            if (diffs.Length == 1)
            {
                variance = diffs[0] * diffs[0];
            }
            else
            {
                var mean = diffs.Average();
                variance = diffs.Sum(d => (d - mean) * (d - mean)) / (diffs.Length - 1);
            }

            Assert.Equal(9 * variance, states[t].MeasurementNoise, 1e-15);
            Assert.Equal(1e-3 * states[t].MeasurementNoise, states[t].ProcessNoise, 1e-18);
        }
    }

    [Fact]
    public void Warmup_flag_covers_the_configured_number_of_bars()
    {
        var states = KalmanFilter.FilterSeries(SyntheticPrices(seed: 5, n: 80), new KalmanOptions { WarmupBars = 60 });
        Assert.All(states[..60], s => Assert.True(s.IsWarmup));
        Assert.All(states[60..], s => Assert.False(s.IsWarmup));
        Assert.Equal(Enumerable.Range(0, 80), states.Select(s => s.BarIndex));
    }

    [Fact]
    public void Log_mode_reports_price_as_exp_of_level_and_velocity_as_log_return()
    {
        // A noiseless geometric trend: +1% per bar. The velocity must approach ln(1.01).
        var prices = Enumerable.Range(0, 400).Select(i => 20.0 * Math.Pow(1.01, i)).ToArray();
        var last = KalmanFilter.FilterSeries(prices, new KalmanOptions { MeasurementNoise = 1e-4, ProcessNoise = 1e-7 })[^1];
        Assert.Equal(Math.Exp(last.Level), last.FilteredPrice, 12);
        Assert.Equal(Math.Log(1.01), last.Velocity, 9);
        Assert.Equal(prices[^1], last.FilteredPrice, 6);
        Assert.True(last.ProbabilityVelocityPositive > 0.999);
    }

    [Fact]
    public void Falling_prices_give_a_low_probability_of_positive_velocity()
    {
        var prices = Enumerable.Range(0, 200).Select(i => 100.0 * Math.Pow(0.99, i)).ToArray();
        var last = KalmanFilter.FilterSeries(prices, new KalmanOptions { MeasurementNoise = 1e-4, ProcessNoise = 1e-7 })[^1];
        Assert.True(last.Velocity < 0);
        Assert.True(last.ProbabilityVelocityPositive < 0.001);
    }

    [Fact]
    public void Bar_closes_and_raw_doubles_give_the_same_states()
    {
        var prices = SyntheticPrices(seed: 9, n: 50);
        var start = new DateTime(2024, 1, 2, 14, 30, 0, DateTimeKind.Utc);
        var bars = prices.Select((p, i) =>
        {
            var c = (decimal)p;
            return new Bar(start.AddDays(i), c, c, c, c, 1000m);
        }).ToArray();
        var fromDoubles = KalmanFilter.FilterSeries(bars.Select(b => (double)b.Close).ToArray());
        Assert.Equal(fromDoubles, KalmanFilter.FilterCloses(bars));
    }

    [Fact]
    public void Streaming_current_is_the_last_update()
    {
        var filter = new KalmanFilter();
        Assert.Null(filter.Current);
        var s = filter.Update(10);
        Assert.Same(s, filter.Current);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Invalid_prices_are_rejected_in_log_mode(double price)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new KalmanFilter().Update(price));
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new KalmanFilter(new KalmanOptions { MeasurementNoise = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KalmanFilter(new KalmanOptions { ProcessNoise = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new KalmanFilter(new KalmanOptions { NoiseWindow = 1 }));
    }

    [Fact]
    public void Flat_prices_do_not_divide_by_zero()
    {
        var states = KalmanFilter.FilterSeries(Enumerable.Repeat(42.0, 100).ToArray());
        Assert.All(states, s => Assert.True(double.IsFinite(s.Velocity) && double.IsFinite(s.P11) && s.InnovationVariance > 0));
        Assert.Equal(42.0, states[^1].FilteredPrice, 9);
    }

    internal static double[] SyntheticPrices(int seed, int n)
    {
        var rnd = new Random(seed);
        var prices = new double[n];
        var logPrice = Math.Log(100.0);
        for (var i = 0; i < n; i++)
        {
            logPrice += 0.0005 + 0.01 * Gaussian(rnd);
            prices[i] = Math.Exp(logPrice);
        }

        return prices;
    }

    // Box-Muller; seeded System.Random is deterministic across runs and platforms.
    internal static double Gaussian(Random rnd)
    {
        var u1 = 1.0 - rnd.NextDouble();
        var u2 = rnd.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
