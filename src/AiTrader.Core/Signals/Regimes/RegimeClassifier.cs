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
    private readonly Queue<double> _pastVolatility = new();
    private MarketRegime _regime = MarketRegime.Unknown;
    private int _barsInRegime;

    public RegimeClassifier(RegimeOptions? options = null)
    {
        Options = options ?? new RegimeOptions();
        Options.Validate();
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
    public RegimeLabel Update(KalmanState kalman, double realizedVolatility)
    {
        ArgumentNullException.ThrowIfNull(kalman);
        var previous = _regime;
        var prob = kalman.ProbabilityVelocityPositive;
        var vol = realizedVolatility;
        var past = _pastVolatility.Count;

        MarketRegime candidate;
        string reason;
        var threshold = double.NaN;
        var percentile = double.NaN;

        if (kalman.IsWarmup)
        {
            candidate = MarketRegime.Unknown;
            reason = "warm-up: Kalman filter not settled";
        }
        else if (!double.IsFinite(vol))
        {
            candidate = MarketRegime.Unknown;
            reason = Invariant($"warm-up: realized vol needs {Options.VolatilityWindow} returns");
        }
        else if (past < Options.MinimumVolatilityHistory)
        {
            candidate = MarketRegime.Unknown;
            reason = Invariant($"warm-up: {past} past vol values < {Options.MinimumVolatilityHistory} needed for the percentile");
        }
        else
        {
            var wasVolatile = previous == MarketRegime.Volatile;
            percentile = wasVolatile ? Options.VolatileExitPercentile : Options.VolatileEnterPercentile;
            threshold = Percentile(_pastVolatility, percentile);
            var pct = Invariant($"{percentile * 100:0.#}th pct of {past} past bars");
            if (wasVolatile && vol >= threshold)
            {
                candidate = MarketRegime.Volatile;
                reason = Invariant($"realized vol {vol:G4} ≥ {threshold:G4} ({pct}) exit threshold: stays Volatile");
            }
            else if (!wasVolatile && vol > threshold)
            {
                candidate = MarketRegime.Volatile;
                reason = Invariant($"realized vol {vol:G4} > {threshold:G4} ({pct}) enter threshold");
            }
            else
            {
                (candidate, reason) = ClassifyTrend(previous, prob);
                if (wasVolatile)
                {
                    reason = Invariant($"realized vol {vol:G4} < {threshold:G4} ({pct}) exit threshold; ") + reason;
                }
            }
        }

        // Minimum dwell: a fresh label is held a few bars so one noisy bar cannot bounce it straight back.
        if (candidate != previous && previous != MarketRegime.Unknown && candidate != MarketRegime.Unknown
            && _barsInRegime < Options.MinimumDwellBars)
        {
            reason = Invariant($"held {previous}: {_barsInRegime} bar(s) < {Options.MinimumDwellBars} minimum dwell (would be {candidate}: {reason})");
            candidate = previous;
        }

        _barsInRegime = candidate == previous ? _barsInRegime + 1 : 1;
        _regime = candidate;

        // Record this bar's vol only after using the history, so the percentile at bar t sees bars < t only.
        if (double.IsFinite(vol))
        {
            _pastVolatility.Enqueue(vol);
            if (_pastVolatility.Count > Options.PercentileLookback)
            {
                _pastVolatility.Dequeue();
            }
        }

        return new RegimeLabel(kalman.BarIndex, candidate, previous, _barsInRegime, prob, kalman.Velocity, vol,
            threshold, percentile, past, reason);
    }

    private (MarketRegime Regime, string Reason) ClassifyTrend(MarketRegime previous, double prob)
    {
        var enterUp = Options.TrendEnterProbability;
        var exitUp = Options.TrendExitProbability;
        var enterDown = 1.0 - enterUp;
        var exitDown = 1.0 - exitUp;

        if (previous == MarketRegime.TrendingUp && prob >= exitUp)
        {
            return (MarketRegime.TrendingUp, Invariant($"prob_up {prob:0.00} ≥ {exitUp:0.00} exit threshold: stays TrendingUp"));
        }

        if (previous == MarketRegime.TrendingDown && prob <= exitDown)
        {
            return (MarketRegime.TrendingDown, Invariant($"prob_up {prob:0.00} ≤ {exitDown:0.00} exit threshold: stays TrendingDown"));
        }

        if (prob >= enterUp)
        {
            return (MarketRegime.TrendingUp, Invariant($"prob_up {prob:0.00} ≥ {enterUp:0.00} enter threshold"));
        }

        if (prob <= enterDown)
        {
            return (MarketRegime.TrendingDown, Invariant($"prob_up {prob:0.00} ≤ {enterDown:0.00} enter threshold"));
        }

        var left = previous switch
        {
            MarketRegime.TrendingUp => Invariant($"prob_up {prob:0.00} < {exitUp:0.00} exit threshold; "),
            MarketRegime.TrendingDown => Invariant($"prob_up {prob:0.00} > {exitDown:0.00} exit threshold; "),
            _ => string.Empty,
        };
        return (MarketRegime.Calm, left + Invariant($"prob_up {prob:0.00} between {enterDown:0.00} and {enterUp:0.00}"));
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
        var h = (sorted.Length - 1) * p;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
