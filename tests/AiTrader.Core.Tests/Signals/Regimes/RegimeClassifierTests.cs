using AiTrader.Core.Signals.Kalman;
using AiTrader.Core.Signals.Regimes;
using AiTrader.Core.Tests.Signals.Kalman;

namespace AiTrader.Core.Tests.Signals.Regimes;

public class RegimeClassifierTests
{
    private static KalmanState State(int bar, double probUp, double velocity = 0.0, bool warmup = false) =>
        new(bar, 0, 1, 0, velocity, 1e-4, 0, 1e-6, 0, 1e-4, 0.2, 0.03, probUp, 1e-4, 1e-7, warmup);

    private static readonly RegimeOptions Small = new()
    {
        MinimumVolatilityHistory = 5,
        PercentileLookback = 20,
        MinimumDwellBars = 1,
    };

    [Fact]
    public void Oscillating_between_075_and_085_after_entering_at_085_stays_trending_up()
    {
        var classifier = new RegimeClassifier(Small with { MinimumDwellBars = 3 });
        var bar = 0;
        for (; bar < 10; bar++)
        {
            classifier.Update(State(bar, 0.5), 0.01); // 5 Unknown bars, then Calm
        }

        var entered = classifier.Update(State(bar++, 0.85), 0.01);
        Assert.Equal(MarketRegime.TrendingUp, entered.Regime);
        Assert.Equal("prob_up 0.85 ≥ 0.80 enter threshold", entered.Reason);

        for (var i = 0; i < 60; i++)
        {
            var label = classifier.Update(State(bar++, i % 2 == 0 ? 0.75 : 0.85), 0.01);
            Assert.Equal(MarketRegime.TrendingUp, label.Regime);
            Assert.Equal(i + 2, label.BarsInRegime);
        }

        var left = classifier.Update(State(bar, 0.55), 0.01);
        Assert.Equal(MarketRegime.Calm, left.Regime);
        Assert.Equal(MarketRegime.TrendingUp, left.PreviousRegime);
        Assert.Contains("prob_up 0.55 < 0.60 exit threshold", left.Reason);
    }

    [Fact]
    public void Without_hysteresis_the_same_sequence_would_flicker()
    {
        // The control for the test above: equal enter and exit levels and no dwell.
        var classifier = new RegimeClassifier(Small with { TrendExitProbability = 0.80 });
        for (var bar = 0; bar < 10; bar++)
        {
            classifier.Update(State(bar, 0.5), 0.01);
        }

        var labels = Enumerable.Range(10, 20).Select(bar => classifier.Update(State(bar, bar % 2 == 0 ? 0.85 : 0.75), 0.01).Regime).ToArray();
        Assert.Equal(10, labels.Count(r => r == MarketRegime.Calm));
        Assert.Equal(10, labels.Count(r => r == MarketRegime.TrendingUp));
    }

    [Fact]
    public void Minimum_dwell_holds_a_new_label_before_it_can_change()
    {
        var classifier = new RegimeClassifier(Small with { MinimumDwellBars = 3 });
        var bar = 0;
        for (; bar < 10; bar++)
        {
            classifier.Update(State(bar, 0.5), 0.01);
        }

        Assert.Equal(MarketRegime.TrendingUp, classifier.Update(State(bar++, 0.9), 0.01).Regime);
        var held1 = classifier.Update(State(bar++, 0.5), 0.01);
        var held2 = classifier.Update(State(bar++, 0.5), 0.01);
        var released = classifier.Update(State(bar, 0.5), 0.01);
        Assert.Equal(MarketRegime.TrendingUp, held1.Regime);
        Assert.StartsWith("held TrendingUp: 1 bar(s) < 3 minimum dwell (would be Calm:", held1.Reason);
        Assert.Equal(MarketRegime.TrendingUp, held2.Regime);
        Assert.Equal(3, held2.BarsInRegime);
        Assert.Equal(MarketRegime.Calm, released.Regime);
    }

    [Fact]
    public void Known_sequence_matches_hand_labels()
    {
        // Lookback 4 past vol values, at least 3 needed, no dwell. Percentiles are type 7: h = (n − 1)·p.
        var classifier = new RegimeClassifier(new RegimeOptions
        {
            MinimumVolatilityHistory = 3,
            PercentileLookback = 4,
            MinimumDwellBars = 1,
        });
        (double Prob, double Vol, MarketRegime Expected, double Threshold, string Reason)[] steps =
        [
            (0.50, 0.010, MarketRegime.Unknown, double.NaN, "warm-up: 0 past vol values < 3 needed for the percentile"),
            (0.50, 0.010, MarketRegime.Unknown, double.NaN, "warm-up: 1 past vol values < 3 needed for the percentile"),
            (0.50, 0.010, MarketRegime.Unknown, double.NaN, "warm-up: 2 past vol values < 3 needed for the percentile"),
            // past [.010 ×3]: 80th pct = .010; .010 is not above it; prob .90 ≥ .80.
            (0.90, 0.010, MarketRegime.TrendingUp, 0.010, "prob_up 0.90 ≥ 0.80 enter threshold"),
            // past [.010 ×4]: 80th pct = .010; .012 > .010 overrides the trend.
            (0.70, 0.012, MarketRegime.Volatile, 0.010, "realized vol 0.012 > 0.01 (80th pct of 4 past bars) enter threshold"),
            // past sorted [.010 .010 .010 .012]: 70th pct h = 2.1 → .010 + 0.1·.002 = .0102; .011 ≥ .0102 stays.
            (0.70, 0.011, MarketRegime.Volatile, 0.0102, "realized vol 0.011 ≥ 0.0102 (70th pct of 4 past bars) exit threshold: stays Volatile"),
            // past sorted [.010 .010 .011 .012]: h = 2.1 → .011 + 0.1·.001 = .0111; .010 < .0111 leaves; prob .70 → Calm.
            (0.70, 0.010, MarketRegime.Calm, 0.0111,
                "realized vol 0.01 < 0.0111 (70th pct of 4 past bars) exit threshold; prob_up 0.70 between 0.20 and 0.80"),
            // past sorted [.010 .010 .011 .012]: 80th pct h = 2.4 → .011 + 0.4·.001 = .0114; prob .15 ≤ .20.
            (0.15, 0.010, MarketRegime.TrendingDown, 0.0114, "prob_up 0.15 ≤ 0.20 enter threshold"),
            // same past set: .0114; prob .35 ≤ .40 keeps the down trend.
            (0.35, 0.010, MarketRegime.TrendingDown, 0.0114, "prob_up 0.35 ≤ 0.40 exit threshold: stays TrendingDown"),
            // past sorted [.010 .010 .010 .011]: h = 2.4 → .010 + 0.4·.001 = .0104; prob .45 > .40 leaves.
            (0.45, 0.010, MarketRegime.Calm, 0.0104, "prob_up 0.45 > 0.40 exit threshold; prob_up 0.45 between 0.20 and 0.80"),
            // past [.010 ×4]: .010; prob .85 ≥ .80.
            (0.85, 0.010, MarketRegime.TrendingUp, 0.010, "prob_up 0.85 ≥ 0.80 enter threshold"),
        ];

        var previous = MarketRegime.Unknown;
        for (var i = 0; i < steps.Length; i++)
        {
            var label = classifier.Update(State(i, steps[i].Prob, velocity: 0.001 * i), steps[i].Vol);
            Assert.Equal(steps[i].Expected, label.Regime);
            Assert.Equal(steps[i].Reason, label.Reason);
            Assert.Equal(steps[i].Threshold, label.VolatilityThreshold, 12);
            Assert.Equal(previous, label.PreviousRegime);
            Assert.Equal(steps[i].Prob, label.ProbabilityUp);
            Assert.Equal(0.001 * i, label.Velocity);
            Assert.Equal(steps[i].Vol, label.RealizedVolatility);
            previous = label.Regime;
        }
    }

    [Fact]
    public void Volatility_threshold_stays_exact_with_repeated_values_over_many_window_turns()
    {
        // Few distinct values, so the sorted window holds long runs of equal values as old ones leave and new ones
        // arrive; the threshold must still equal the percentile of a fresh sort of the past window on every bar.
        var options = Small with { PercentileLookback = 37, MinimumVolatilityHistory = 5 };
        var classifier = new RegimeClassifier(options);
        var rnd = new Random(11);
        double[] levels = [0.01, 0.02, 0.02, 0.03, 0.0];
        var vols = Enumerable.Range(0, 600).Select(_ => levels[rnd.Next(levels.Length)]).ToArray();
        var previous = MarketRegime.Unknown;
        for (var t = 0; t < vols.Length; t++)
        {
            var label = classifier.Update(State(t, 0.5), vols[t]);
            if (t >= 5)
            {
                var past = vols[Math.Max(0, t - 37)..t];
                var p = previous == MarketRegime.Volatile ? 0.70 : 0.80;
                Assert.Equal(RegimeClassifier.Percentile(past, p), label.VolatilityThreshold);
                Assert.Equal(past.Length, label.PastVolatilityCount);
            }

            previous = label.Regime;
        }
    }

    [Fact]
    public void Volatility_threshold_is_a_percentile_of_strictly_past_values()
    {
        var options = Small with { PercentileLookback = 50, MinimumVolatilityHistory = 10 };
        var classifier = new RegimeClassifier(options);
        var rnd = new Random(5);
        var vols = Enumerable.Range(0, 200).Select(_ => 0.01 + 0.01 * rnd.NextDouble()).ToArray();
        vols[150] = 1.0; // a spike must not raise its own threshold
        var previous = MarketRegime.Unknown;
        for (var t = 0; t < vols.Length; t++)
        {
            var label = classifier.Update(State(t, 0.5), vols[t]);
            if (t >= 10)
            {
                var past = vols[Math.Max(0, t - 50)..t];
                var p = previous == MarketRegime.Volatile ? 0.70 : 0.80;
                Assert.Equal(RegimeClassifier.Percentile(past, p), label.VolatilityThreshold);
                Assert.Equal(p, label.VolatilityPercentile);
                Assert.Equal(past.Length, label.PastVolatilityCount);
            }

            previous = label.Regime;
        }
    }

    [Fact]
    public void Labels_up_to_bar_k_do_not_depend_on_later_bars()
    {
        var prices = KalmanFilterTests.SyntheticPrices(seed: 21, n: 260);
        var kalman = new KalmanOptions { WarmupBars = 30, NoiseWindow = 30 };
        var regime = new RegimeOptions { MinimumVolatilityHistory = 20, PercentileLookback = 60 };
        var full = RegimeClassifier.ClassifySeries(prices, kalman, regime);
        Assert.Contains(full, l => l.Regime != MarketRegime.Unknown);

        for (var k = 0; k < prices.Length; k += 3)
        {
            var truncated = RegimeClassifier.ClassifySeries(prices.AsSpan(0, k + 1), kalman, regime);
            Assert.Equal(full.AsSpan(0, k + 1).ToArray(), truncated);
        }
    }

    [Fact]
    public void Two_trend_regimes_are_labelled_mostly_correctly()
    {
        // 700 bars rising 0.4%/bar then 700 falling 0.4%/bar, daily noise 0.8%.
        var rnd = new Random(17);
        var prices = new double[1400];
        var logPrice = Math.Log(100.0);
        for (var i = 0; i < prices.Length; i++)
        {
            logPrice += (i < 700 ? 0.004 : -0.004) + 0.008 * KalmanFilterTests.Gaussian(rnd);
            prices[i] = Math.Exp(logPrice);
        }

        var labels = RegimeClassifier.ClassifySeries(prices);
        Assert.All(labels[..60], l => Assert.Equal(MarketRegime.Unknown, l.Regime));

        // Skip the warm-up and 50 bars after the turn. Volatile takes roughly a quarter of the bars by construction
        // (20-bar realized vol above its own past 80th percentile, held down to the 70th), so the checks are: the
        // right trend label holds most bars overall and nearly all bars not flagged Volatile, the wrong one almost none.
        AssertMostlyTrend(labels[100..700], MarketRegime.TrendingUp, MarketRegime.TrendingDown);
        AssertMostlyTrend(labels[750..], MarketRegime.TrendingDown, MarketRegime.TrendingUp);
    }

    private static void AssertMostlyTrend(RegimeLabel[] labels, MarketRegime right, MarketRegime wrong)
    {
        var counts = string.Join(", ", labels.GroupBy(l => l.Regime).Select(g => $"{g.Key}={g.Count()}"));
        var calmOrTrend = labels.Where(l => l.Regime != MarketRegime.Volatile).ToArray();
        Assert.True(labels.Count(l => l.Regime == right) > 0.6 * labels.Length, counts);
        Assert.True(calmOrTrend.Count(l => l.Regime == right) > 0.85 * calmOrTrend.Length, counts);
        Assert.True(labels.Count(l => l.Regime == wrong) < 0.02 * labels.Length, counts);
        Assert.True(labels.Count(l => l.Regime == MarketRegime.Volatile) < 0.35 * labels.Length, counts);
    }

    [Fact]
    public void A_jump_in_volatility_is_labelled_volatile()
    {
        var rnd = new Random(23);
        var prices = new double[800];
        var logPrice = Math.Log(100.0);
        for (var i = 0; i < prices.Length; i++)
        {
            logPrice += (i < 600 ? 0.005 : 0.02) * KalmanFilterTests.Gaussian(rnd);
            prices[i] = Math.Exp(logPrice);
        }

        var labels = RegimeClassifier.ClassifySeries(prices);
        var afterJump = labels[620..670];
        Assert.True(afterJump.Count(l => l.Regime == MarketRegime.Volatile) >= 0.9 * afterJump.Length);
        Assert.All(afterJump.Where(l => l.Regime == MarketRegime.Volatile), l => Assert.StartsWith("realized vol", l.Reason));
    }

    [Fact]
    public void Warmup_states_give_unknown()
    {
        var label = new RegimeClassifier().Update(State(0, 0.99, warmup: true), 0.01);
        Assert.Equal(MarketRegime.Unknown, label.Regime);
        Assert.Equal("warm-up: Kalman filter not settled", label.Reason);
    }

    [Fact]
    public void Percentile_is_type_7_linear_interpolation()
    {
        double[] values = [4, 1, 3, 2];
        Assert.Equal(3.4, RegimeClassifier.Percentile(values, 0.8), 12); // numpy.percentile([1,2,3,4], 80)
        Assert.Equal(1.0, RegimeClassifier.Percentile(values, 0.0));
        Assert.Equal(4.0, RegimeClassifier.Percentile(values, 1.0));
        Assert.Equal(7.0, RegimeClassifier.Percentile([7.0], 0.7));
    }
}
