namespace AiTrader.Core.Backtesting.Sweeps;

/// <summary>The statistic a sweep ranks by; every one of them is better when higher.</summary>
public enum RankMetric
{
    Sharpe,
    Cagr,
    TotalReturn,
    Calmar,
    ProfitFactor,
}

/// <summary>Names, parsing and extraction of <see cref="RankMetric"/> values.</summary>
public static class RankMetrics
{
    private static readonly (RankMetric Metric, string Name)[] Table =
    [
        (RankMetric.Sharpe, "sharpe"),
        (RankMetric.Cagr, "cagr"),
        (RankMetric.TotalReturn, "total_return"),
        (RankMetric.Calmar, "calmar"),
        (RankMetric.ProfitFactor, "profit_factor"),
    ];

    /// <summary>The snake_case names accepted by <c>--rank-by</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = Table.Select(t => t.Name).ToArray();

    /// <summary>The snake_case name, as in the CSV header.</summary>
    public static string Name(this RankMetric metric) => Table.First(t => t.Metric == metric).Name;

    /// <summary>Parses <c>sharpe|cagr|total_return|calmar|profit_factor</c> (case-insensitive, '-' accepted for '_').</summary>
    public static RankMetric Parse(string text)
    {
        var key = (text ?? "").Trim().Replace('-', '_').ToLowerInvariant();
        foreach (var (metric, name) in Table)
        {
            if (name == key)
            {
                return metric;
            }
        }

        throw new FormatException($"rank metric '{text}' is not known; use {string.Join(", ", Names)}.");
    }

    /// <summary>The metric's value, or null when it is undefined (no trades, no volatility, not finite).</summary>
    public static double? ValueOf(this RankMetric metric, PerformanceMetrics m)
    {
        ArgumentNullException.ThrowIfNull(m);
        double? value = metric switch
        {
            RankMetric.Sharpe => m.Sharpe,
            RankMetric.Cagr => m.Cagr,
            RankMetric.TotalReturn => m.TotalReturn,
            RankMetric.Calmar => m.Calmar,
            RankMetric.ProfitFactor => m.ProfitFactor,
            _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
        };
        return value is { } v && double.IsFinite(v) ? v : null;
    }
}
