using AiTrader.Core.IO;

namespace AiTrader.Core.Signals.Regimes;

/// <summary>Writes a regime label's reason straight to UTF-8: the same text as <see cref="RegimeLabel.Reason"/>,
/// without making the string.</summary>
/// <remarks>A signals CSV has a reason on every row. Formatting it as an interpolated string (a
/// <see cref="FormattableString"/>, boxed arguments, the string itself) cost more than the rest of the row. The
/// wording here must follow <see cref="RegimeClassifier"/>'s rules; a test compares the two on every branch.</remarks>
internal static class RegimeReasonWriter
{
    private static readonly byte[][] Names = Enum.GetValues<MarketRegime>().Select(r => System.Text.Encoding.UTF8.GetBytes(r.ToString())).ToArray();

    public static void Write(in RegimeInputs x, Utf8CsvWriter w)
    {
        var wouldBe = RegimeClassifier.RulesWithoutDwell(x);
        var held = RegimeClassifier.IsHeld(x, wouldBe);
        if (held)
        {
            w.Raw("held "u8);
            Name(w, x.Previous);
            w.Raw(": "u8).Integer(x.PriorBarsInRegime).Raw(" bar(s) < "u8).Integer(x.Options.MinimumDwellBars)
                .Raw(" minimum dwell (would be "u8);
            Name(w, wouldBe);
            w.Raw(": "u8);
        }

        WriteRules(x, w);
        if (held)
        {
            w.Char(')');
        }
    }

    private static void WriteRules(in RegimeInputs x, Utf8CsvWriter w)
    {
        var o = x.Options;
        if (x.KalmanWarmup)
        {
            w.Raw("warm-up: Kalman filter not settled"u8);
            return;
        }

        if (!double.IsFinite(x.Volatility))
        {
            w.Raw("warm-up: realized vol needs "u8).Integer(o.VolatilityWindow).Raw(" returns"u8);
            return;
        }

        if (x.PastCount < o.MinimumVolatilityHistory)
        {
            w.Raw("warm-up: "u8).Integer(x.PastCount).Raw(" past vol values < "u8).Integer(o.MinimumVolatilityHistory)
                .Raw(" needed for the percentile"u8);
            return;
        }

        var wasVolatile = x.Previous == MarketRegime.Volatile;
        var (vol, threshold) = (x.Volatility, x.Threshold);
        if (wasVolatile && vol >= threshold)
        {
            w.Raw("realized vol "u8).Double(vol, "G4").Raw(" ≥ "u8).Double(threshold, "G4").Raw(" ("u8);
            Percentile(w, x);
            w.Raw(") exit threshold: stays Volatile"u8);
            return;
        }

        if (!wasVolatile && vol > threshold)
        {
            w.Raw("realized vol "u8).Double(vol, "G4").Raw(" > "u8).Double(threshold, "G4").Raw(" ("u8);
            Percentile(w, x);
            w.Raw(") enter threshold"u8);
            return;
        }

        if (wasVolatile)
        {
            w.Raw("realized vol "u8).Double(vol, "G4").Raw(" < "u8).Double(threshold, "G4").Raw(" ("u8);
            Percentile(w, x);
            w.Raw(") exit threshold; "u8);
        }

        WriteTrend(o, x.Previous, x.ProbabilityUp, w);
    }

    private static void Percentile(Utf8CsvWriter w, in RegimeInputs x) =>
        w.Double(x.Percentile * 100, "0.#").Raw("th pct of "u8).Integer(x.PastCount).Raw(" past bars"u8);

    private static void WriteTrend(RegimeOptions o, MarketRegime previous, double prob, Utf8CsvWriter w)
    {
        var enterUp = o.TrendEnterProbability;
        var exitUp = o.TrendExitProbability;
        var enterDown = 1.0 - enterUp;
        var exitDown = 1.0 - exitUp;
        if (previous == MarketRegime.TrendingUp && prob >= exitUp)
        {
            Prob(w, prob).Raw(" ≥ "u8);
            Fixed2(w, exitUp).Raw(" exit threshold: stays TrendingUp"u8);
            return;
        }

        if (previous == MarketRegime.TrendingDown && prob <= exitDown)
        {
            Prob(w, prob).Raw(" ≤ "u8);
            Fixed2(w, exitDown).Raw(" exit threshold: stays TrendingDown"u8);
            return;
        }

        if (prob >= enterUp)
        {
            Prob(w, prob).Raw(" ≥ "u8);
            Fixed2(w, enterUp).Raw(" enter threshold"u8);
            return;
        }

        if (prob <= enterDown)
        {
            Prob(w, prob).Raw(" ≤ "u8);
            Fixed2(w, enterDown).Raw(" enter threshold"u8);
            return;
        }

        if (previous == MarketRegime.TrendingUp)
        {
            Prob(w, prob).Raw(" < "u8);
            Fixed2(w, exitUp).Raw(" exit threshold; "u8);
        }
        else if (previous == MarketRegime.TrendingDown)
        {
            Prob(w, prob).Raw(" > "u8);
            Fixed2(w, exitDown).Raw(" exit threshold; "u8);
        }

        Prob(w, prob).Raw(" between "u8);
        Fixed2(w, enterDown).Raw(" and "u8);
        Fixed2(w, enterUp);
    }

    private static Utf8CsvWriter Prob(Utf8CsvWriter w, double prob) => Fixed2(w.Raw("prob_up "u8), prob);

    private static void Name(Utf8CsvWriter w, MarketRegime regime)
    {
        if ((uint)regime < (uint)Names.Length)
        {
            w.Raw(Names[(int)regime]);
        }
        else
        {
            w.Text(regime.ToString());
        }
    }

    /// <summary><c>value.ToString("0.00", InvariantCulture)</c>. The runtime first rounds the double to 15 significant
    /// digits and then to two decimals, half away from zero; unless the value is within 1e-6 of a half cent, rounding
    /// value × 100 to the nearest integer gives the same digits (for 0 ≤ value &lt; 1e6 the 15-digit step moves
    /// value × 100 by less than 1e-7). Near a half cent, and for other values, the runtime formats it.</summary>
    internal static Utf8CsvWriter Fixed2(Utf8CsvWriter w, double value)
    {
        if (value < 1e6 && !double.IsNegative(value))
        {
            var scaled = value * 100;
            var whole = Math.Floor(scaled);
            var fraction = scaled - whole;
            if (Math.Abs(fraction - 0.5) > 1e-6)
            {
                var cents = (long)whole + (fraction > 0.5 ? 1 : 0);
                var units = cents / 100;
                var rest = (int)(cents - (units * 100));
                return w.Integer(units).Char('.').Char((char)('0' + (rest / 10))).Char((char)('0' + (rest % 10)));
            }
        }

        return w.Double(value, "0.00");
    }
}
