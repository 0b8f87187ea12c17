namespace AiTrader.Core.Signals.Kalman;

/// <summary>The standard normal CDF and the error function, via W. J. Cody's rational Chebyshev approximations.</summary>
/// <remarks>
/// Cody, W. J. (1969), "Rational Chebyshev approximations for the error function", Mathematics of Computation
/// 23(107), 631-637; coefficients as in his CALERF routine (netlib SPECFUN). Relative error is below 1e-15 in
/// double precision, which Abramowitz-Stegun 7.1.26 (|error| up to 1.5e-7) would not give for tail probabilities.
/// </remarks>
public static class NormalDistribution
{
    private const double InverseSqrtPi = 0.56418958354775628695;

    private static readonly double[] A =
        [3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02, 3.20937758913846947e03, 1.85777706184603153e-1];

    private static readonly double[] B =
        [2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03, 2.84423683343917062e03];

    private static readonly double[] C =
    [
        5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01, 2.98635138197400131e02,
        8.81952221241769090e02, 1.71204761263407058e03, 2.05107837782607147e03, 1.23033935479799725e03,
        2.15311535474403846e-8,
    ];

    private static readonly double[] D =
    [
        1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02, 1.62138957456669019e03,
        3.29079923573345963e03, 4.36261909014324716e03, 3.43936767414372164e03, 1.23033935480374942e03,
    ];

    private static readonly double[] P =
    [
        3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2,
        6.58749161529837803e-4, 1.63153871373020978e-2,
    ];

    private static readonly double[] Q =
        [2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1, 6.05183413124413191e-2, 2.33520497626869185e-3];

    /// <summary>P(Z ≤ x) for a standard normal Z.</summary>
    public static double Cdf(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        // Going through erfc of -x/√2 keeps full relative accuracy in the lower tail, where 1 - erf would cancel.
        return 0.5 * Erfc(-x / Math.Sqrt(2.0));
    }

    /// <summary>The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt.</summary>
    public static double Erf(double x)
    {
        var y = Math.Abs(x);
        if (y <= 0.46875)
        {
            return x * SmallArgumentRatio(y);
        }

        var erfc = ErfcPositive(y);
        return x < 0 ? erfc - 1.0 : 1.0 - erfc;
    }

    /// <summary>The complementary error function erfc(x) = 1 − erf(x), accurate in the tails.</summary>
    public static double Erfc(double x)
    {
        var y = Math.Abs(x);
        if (y <= 0.46875)
        {
            return 1.0 - x * SmallArgumentRatio(y);
        }

        var erfc = ErfcPositive(y);
        return x < 0 ? 2.0 - erfc : erfc;
    }

    // erf(y)/y on |y| ≤ 0.46875 (Cody's first interval).
    private static double SmallArgumentRatio(double y)
    {
        var z = y * y;
        var num = A[4] * z;
        var den = z;
        for (var i = 0; i < 3; i++)
        {
            num = (num + A[i]) * z;
            den = (den + B[i]) * z;
        }

        return (num + A[3]) / (den + B[3]);
    }

    // erfc(y) for y > 0.46875: Cody's second (≤ 4) and third (> 4) intervals.
    private static double ErfcPositive(double y)
    {
        if (y >= 26.6)
        {
            return 0.0; // below the smallest double
        }

        double scaled; // exp(y²)·erfc(y)
        if (y <= 4.0)
        {
            var num = C[8] * y;
            var den = y;
            for (var i = 0; i < 7; i++)
            {
                num = (num + C[i]) * y;
                den = (den + D[i]) * y;
            }

            scaled = (num + C[7]) / (den + D[7]);
        }
        else
        {
            var z = 1.0 / (y * y);
            var num = P[5] * z;
            var den = z;
            for (var i = 0; i < 4; i++)
            {
                num = (num + P[i]) * z;
                den = (den + Q[i]) * z;
            }

            scaled = (InverseSqrtPi - z * (num + P[4]) / (den + Q[4])) / y;
        }

        // Cody splits exp(-y²) as exp(-r²)·exp(-(y-r)(y+r)) with r = y rounded down to 1/16, so the rounding
        // error of y² is not amplified by the exponential.
        var r = Math.Truncate(y * 16.0) / 16.0;
        var del = (y - r) * (y + r);
        return Math.Exp(-r * r) * Math.Exp(-del) * scaled;
    }
}
