using AiTrader.Core.Backtesting;

namespace AiTrader.Core.Reporting;

/// <summary>The underwater curve: at each equity point, equity / running peak − 1 (0 at a new high, negative below it).</summary>
/// <remarks>The initial capital is the first peak, as in <see cref="PerformanceCalculator"/>, so the deepest point of
/// this curve is −<see cref="PerformanceMetrics.MaxDrawdown"/>.</remarks>
public static class DrawdownSeries
{
    /// <summary>One drawdown fraction (≤ 0) per equity point.</summary>
    public static double[] Compute(decimal initialCapital, IReadOnlyList<EquityPoint> equity)
    {
        ArgumentNullException.ThrowIfNull(equity);
        var result = new double[equity.Count];
        var peak = initialCapital;
        for (var i = 0; i < equity.Count; i++)
        {
            var e = equity[i].Equity;
            if (e >= peak)
            {
                peak = e;
                continue;
            }

            result[i] = peak > 0 ? (double)(e / peak - 1m) : 0;
        }

        return result;
    }
}
