using AiTrader.Core.Backtesting;

namespace AiTrader.Core.Reporting;

/// <summary>The underwater curve: at each equity point, equity / running peak − 1 (0 at a new high, negative below it).</summary>
/// <remarks>The initial capital is the first peak, as in <see cref="PerformanceCalculator"/>, so the deepest point of
/// this curve is −<see cref="PerformanceMetrics.MaxDrawdown"/> up to double rounding (the metric divides in decimal).</remarks>
public static class DrawdownSeries
{
    /// <summary>Equity <paramref name="equity"/> against the running <paramref name="peak"/> (raised when reached): 0 at
    /// or above it, else equity / peak − 1. In doubles: this is what a chart draws, and a decimal division per point
    /// was the costliest step of a multi-million-point report; the exact figure is <see cref="PerformanceMetrics.MaxDrawdown"/>.</summary>
    public static double Fraction(double equity, ref double peak)
    {
        if (equity >= peak)
        {
            peak = equity;
            return 0;
        }

        return peak > 0 ? (equity / peak) - 1 : 0;
    }

    /// <summary>One drawdown fraction (≤ 0) per equity point.</summary>
    public static double[] Compute(decimal initialCapital, IReadOnlyList<EquityPoint> equity)
    {
        ArgumentNullException.ThrowIfNull(equity);
        var result = new double[equity.Count];
        var peak = (double)initialCapital;
        for (var i = 0; i < equity.Count; i++)
        {
            result[i] = Fraction((double)equity[i].Equity, ref peak);
        }

        return result;
    }
}
