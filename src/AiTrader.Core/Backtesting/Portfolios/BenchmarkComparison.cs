using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;

namespace AiTrader.Core.Backtesting.Portfolios;

/// <summary>A portfolio run against buy-and-hold of one symbol over the same span.</summary>
/// <param name="Symbol">The benchmark symbol.</param>
/// <param name="BuyAndHold">Metrics of the benchmark's buy-and-hold curve (no trades).</param>
/// <param name="Relative">Alpha, beta, tracking error and information ratio of the portfolio against it.</param>
public sealed record BenchmarkComparison(Symbol Symbol, PerformanceMetrics BuyAndHold, RelativeMetrics Relative)
{
    /// <summary>Buys <paramref name="benchmark"/> at the close of the portfolio curve's first timestamp (or its first bar
    /// after it) and compares daily returns on the session dates both have. With a <paramref name="calendar"/>, the
    /// benchmark trades only the bars the account trades (the regular session unless <paramref name="extendedHours"/>).</summary>
    public static BenchmarkComparison Compute(decimal initialCapital, IReadOnlyList<EquityPoint> portfolioCurve,
        BarSeries benchmark, MetricsOptions? options = null, Sessions.ITradingCalendar? calendar = null, bool extendedHours = false)
    {
        ArgumentNullException.ThrowIfNull(portfolioCurve);
        ArgumentNullException.ThrowIfNull(benchmark);
        var curve = portfolioCurve.Count == 0
            ? []
            : Portfolios.BuyAndHold.Curve(initialCapital, benchmark, portfolioCurve[0].Timestamp, portfolioCurve[^1].Timestamp,
                calendar, extendedHours);
        var metrics = PerformanceCalculator.Compute(initialCapital, curve, [], options);
        var (strategy, bench) = RelativePerformance.PairDailyReturns(
            PerformanceCalculator.DailyReturns(initialCapital, portfolioCurve),
            PerformanceCalculator.DailyReturns(initialCapital, curve));
        return new BenchmarkComparison(benchmark.Symbol, metrics, RelativePerformance.Compute(strategy, bench, options));
    }
}
