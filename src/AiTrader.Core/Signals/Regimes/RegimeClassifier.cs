using AiTrader.Core.Signals.Kalman;
using static System.FormattableString;

namespace AiTrader.Core.Signals.Regimes;

/// <summary>Streaming regime labels from the Kalman trend probability and realized volatility, with hysteresis and a minimum dwell.</summary>
/// <remarks>
/// Rules, in order (see docs/explanations/kalman-and-regimes.md):
/// 1. Unknown while the filter warms up, realized vol is not yet defined, or fewer than
///    <see cref="RegimeOptions.MinimumVolatilityHistory"/> past vol values exist.
/// 2. Volatile when vol &gt; the enter percentile of its strictly past values; once Volatile, stay while vol ≥ the
///    exit percentile.
/// 3. Otherwise TrendingUp when prob_up ≥ enter (stay while ≥ exit), TrendingDown mirrored around 0.5, else Calm.
/// 4. A change is deferred until the current label has lasted <see cref="RegimeOptions.MinimumDwellBars"/>.
/// </remarks>
public sealed class RegimeClassifier
{
    private readonly SortedSlidingWindow _pastVolatility;
    private MarketRegime _regime = MarketRegime.Unknown;
    private int _barsInRegime;

    public RegimeClassifier(RegimeOptions? options = null)
    {
        Options = options ?? new RegimeOptions();
        Options.Validate();
        _pastVolatility = new SortedSlidingWindow(Options.PercentileLookback);
    }

    public RegimeOptions Options { get; }

    /// <summary>Classifies a price series end to end: a fresh Kalman filter, realized volatility and classifier.</summary>
    public static RegimeLabel[] ClassifySeries(ReadOnlySpan<double> prices, KalmanOptions? kalmanOptions = null,
        RegimeOptions? regimeOptions = null)
    {
        var filter = new KalmanFilter(kalmanOptions);
        var classifier = new RegimeClassifier(regimeOptions);
        var volatility = new RealizedVolatility(classifier.Options.VolatilityWindow);
        var labels = new RegimeLabel[prices.Length];
        for (var i = 0; i < prices.Length; i++)
        {
            labels[i] = classifier.Update(filter.Update(prices[i]), volatility.Update(prices[i]));
        }

        return labels;
    }

    /// <summary>Labels the bar described by <paramref name="kalman"/>; <paramref name="realizedVolatility"/> is that
    /// same bar's realized volatility (NaN while undefined).</summary>
    /// <remarks>The label's <see cref="RegimeLabel.Reason"/> is worked out when first read, by the same rules applied
    /// to the inputs the label records: formatting it on every bar cost more than the whole classification.</remarks>
    public RegimeLabel Update(KalmanState kalman, double realizedVolatility)
    {
        ArgumentNullException.ThrowIfNull(kalman);
        var regime = Classify(kalman.IsWarmup, kalman.ProbabilityVelocityPositive, realizedVolatility, out var inputs, out var barsInRegime);
        return new RegimeLabel(kalman.BarIndex, regime, barsInRegime, kalman.Velocity, inputs);
    }

    /// <summary><see cref="Update"/> without the label: the regime, the inputs the label would keep and its bar count.</summary>
    internal MarketRegime Classify(bool kalmanWarmup, double probabilityUp, double realizedVolatility, out RegimeInputs inputs,
        out int barsInRegime)
    {
        var previous = _regime;
        var vol = realizedVolatility;
        var past = _pastVolatility.Count;
        var threshold = double.NaN;
        var percentile = double.NaN;
        if (!kalmanWarmup && double.IsFinite(vol) && past >= Options.MinimumVolatilityHistory)
        {
            percentile = previous == MarketRegime.Volatile ? Options.VolatileExitPercentile : Options.VolatileEnterPercentile;
            threshold = _pastVolatility.Percentile(percentile);
        }

        inputs = new RegimeInputs(Options, previous, kalmanWarmup, probabilityUp, vol, past, threshold, percentile, _barsInRegime);
        var candidate = Decide(inputs, explain: false, out _);
        _barsInRegime = candidate == previous ? _barsInRegime + 1 : 1;
        _regime = candidate;

        // Record this bar's vol only after using the history, so the percentile at bar t sees bars < t only.
        if (double.IsFinite(vol))
        {
            _pastVolatility.Add(vol);
        }

        barsInRegime = _barsInRegime;
        return candidate;
    }

    /// <summary>The rules, applied to one bar's inputs: the label, and with <paramref name="explain"/> why, in words.</summary>
    internal static MarketRegime Decide(in RegimeInputs x, bool explain, out string? reason)
    {
        var candidate = Rules(x, explain, out reason);
        if (IsHeld(x, candidate))
        {
            if (explain)
            {
                reason = Invariant($"held {x.Previous}: {x.PriorBarsInRegime} bar(s) < {x.Options.MinimumDwellBars} minimum dwell (would be {candidate}: {reason})");
            }

            candidate = x.Previous;
        }

        return candidate;
    }

    // Minimum dwell: a fresh label is held a few bars so one noisy bar cannot bounce it straight back.
    internal static bool IsHeld(in RegimeInputs x, MarketRegime candidate) =>
        candidate != x.Previous && x.Previous != MarketRegime.Unknown && candidate != MarketRegime.Unknown
        && x.PriorBarsInRegime < x.Options.MinimumDwellBars;

    /// <summary>Rules 1 to 3 alone: the label the bar would get without the minimum dwell.</summary>
    internal static MarketRegime RulesWithoutDwell(in RegimeInputs x) => Rules(x, explain: false, out _);

    // Rules 1 to 3: the label before the minimum dwell, and with explain why.
    private static MarketRegime Rules(in RegimeInputs x, bool explain, out string? reason)
    {
        var o = x.Options;
        MarketRegime candidate;
        reason = null;
        if (x.KalmanWarmup)
        {
            candidate = MarketRegime.Unknown;
            if (explain)
            {
                reason = "warm-up: Kalman filter not settled";
            }
        }
        else if (!double.IsFinite(x.Volatility))
        {
            candidate = MarketRegime.Unknown;
            if (explain)
            {
                reason = Invariant($"warm-up: realized vol needs {o.VolatilityWindow} returns");
            }
        }
        else if (x.PastCount < o.MinimumVolatilityHistory)
        {
            candidate = MarketRegime.Unknown;
            if (explain)
            {
                reason = Invariant($"warm-up: {x.PastCount} past vol values < {o.MinimumVolatilityHistory} needed for the percentile");
            }
        }
        else
        {
            var wasVolatile = x.Previous == MarketRegime.Volatile;
            var (vol, threshold) = (x.Volatility, x.Threshold);
            var pct = explain ? Invariant($"{x.Percentile * 100:0.#}th pct of {x.PastCount} past bars") : null;
            if (wasVolatile && vol >= threshold)
            {
                candidate = MarketRegime.Volatile;
                if (explain)
                {
                    reason = Invariant($"realized vol {vol:G4} ≥ {threshold:G4} ({pct}) exit threshold: stays Volatile");
                }
            }
            else if (!wasVolatile && vol > threshold)
            {
                candidate = MarketRegime.Volatile;
                if (explain)
                {
                    reason = Invariant($"realized vol {vol:G4} > {threshold:G4} ({pct}) enter threshold");
                }
            }
            else
            {
                candidate = ClassifyTrend(o, x.Previous, x.ProbabilityUp, explain, out reason);
                if (explain && wasVolatile)
                {
                    reason = Invariant($"realized vol {vol:G4} < {threshold:G4} ({pct}) exit threshold; ") + reason;
                }
            }
        }

        return candidate;
    }

    private static MarketRegime ClassifyTrend(RegimeOptions o, MarketRegime previous, double prob, bool explain, out string? reason)
    {
        var enterUp = o.TrendEnterProbability;
        var exitUp = o.TrendExitProbability;
        var enterDown = 1.0 - enterUp;
        var exitDown = 1.0 - exitUp;
        reason = null;

        if (previous == MarketRegime.TrendingUp && prob >= exitUp)
        {
            if (explain)
            {
                reason = Invariant($"prob_up {prob:0.00} ≥ {exitUp:0.00} exit threshold: stays TrendingUp");
            }

            return MarketRegime.TrendingUp;
        }

        if (previous == MarketRegime.TrendingDown && prob <= exitDown)
        {
            if (explain)
            {
                reason = Invariant($"prob_up {prob:0.00} ≤ {exitDown:0.00} exit threshold: stays TrendingDown");
            }

            return MarketRegime.TrendingDown;
        }

        if (prob >= enterUp)
        {
            if (explain)
            {
                reason = Invariant($"prob_up {prob:0.00} ≥ {enterUp:0.00} enter threshold");
            }

            return MarketRegime.TrendingUp;
        }

        if (prob <= enterDown)
        {
            if (explain)
            {
                reason = Invariant($"prob_up {prob:0.00} ≤ {enterDown:0.00} enter threshold");
            }

            return MarketRegime.TrendingDown;
        }

        if (explain)
        {
            var left = previous switch
            {
                MarketRegime.TrendingUp => Invariant($"prob_up {prob:0.00} < {exitUp:0.00} exit threshold; "),
                MarketRegime.TrendingDown => Invariant($"prob_up {prob:0.00} > {exitDown:0.00} exit threshold; "),
                _ => string.Empty,
            };
            reason = left + Invariant($"prob_up {prob:0.00} between {enterDown:0.00} and {enterUp:0.00}");
        }

        return MarketRegime.Calm;
    }

    /// <summary>The p-quantile with linear interpolation between order statistics (Hyndman and Fan type 7, the
    /// default of R, NumPy and Excel's PERCENTILE.INC).</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("Need at least one value.", nameof(values));
        }

        if (!(p >= 0 && p <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "Percentile must be in [0, 1].");
        }

        Array.Sort(sorted);
        return PercentileOfSorted(sorted, p);
    }

    /// <summary><see cref="Percentile"/> of values already in ascending order (not checked).</summary>
    internal static double PercentileOfSorted(ReadOnlySpan<double> sorted, double p)
    {
        if (!(p >= 0 && p <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "Percentile must be in [0, 1].");
        }

        var h = (sorted.Length - 1) * p;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}

/// <summary>Everything one regime decision reads: the options, the previous label and how long it has lasted, the
/// filter's state and the volatility figures. A label keeps them so it can say why when asked.</summary>
internal readonly record struct RegimeInputs(
    RegimeOptions Options,
    MarketRegime Previous,
    bool KalmanWarmup,
    double ProbabilityUp,
    double Volatility,
    int PastCount,
    double Threshold,
    double Percentile,
    int PriorBarsInRegime);
