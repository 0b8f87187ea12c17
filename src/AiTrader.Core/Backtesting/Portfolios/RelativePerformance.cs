namespace AiTrader.Core.Backtesting.Portfolios;

/// <summary>A strategy's daily returns measured against a benchmark's; fractions, annualized where the name says so.</summary>
/// <param name="Days">n, the number of paired daily returns.</param>
/// <param name="Alpha">Annualized CAPM alpha: (mean(x) − β · mean(y)) × A on daily excess returns; null when β is.</param>
/// <param name="Beta">cov(x, y) / var(y) on daily excess returns; null when n &lt; 2 or the benchmark never moves.</param>
/// <param name="Correlation">Pearson correlation of the daily returns; null when either series is constant.</param>
/// <param name="TrackingError">Sample standard deviation of the active return (strategy − benchmark) × sqrt(A); null when n &lt; 2.</param>
/// <param name="InformationRatio">mean(active) × A / TrackingError; null when the tracking error is zero or undefined.</param>
public sealed record RelativeMetrics(
    int Days,
    double? Alpha,
    double? Beta,
    double? Correlation,
    double? TrackingError,
    double? InformationRatio);

/// <summary>Alpha, beta, tracking error and information ratio of one daily return series against another (pure).</summary>
/// <remarks>x_i = r_i − rf_d and y_i = b_i − rf_d are the daily excess returns, rf_d = (1 + rf)^(1/A) − 1 as in
/// <see cref="PerformanceCalculator"/>, A = <see cref="MetricsOptions.TradingDaysPerYear"/>. β is the least-squares
/// slope of x on y and the daily alpha its intercept; alpha is annualized arithmetically (× A), the usual Jensen's
/// alpha convention. The active return a_i = r_i − b_i needs no risk-free rate (it cancels).</remarks>
public static class RelativePerformance
{
    // Below this a standard deviation is floating-point noise of a constant series (same bound as PerformanceCalculator).
    private const double ZeroTolerance = 1e-12;

    /// <summary>Compares <paramref name="strategy"/> with <paramref name="benchmark"/>, paired day by day.</summary>
    /// <exception cref="ArgumentException">The two series differ in length.</exception>
    public static RelativeMetrics Compute(IReadOnlyList<double> strategy, IReadOnlyList<double> benchmark,
        MetricsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(benchmark);
        if (strategy.Count != benchmark.Count)
        {
            throw new ArgumentException($"Return series must pair up: {strategy.Count} strategy days, {benchmark.Count} benchmark days.", nameof(benchmark));
        }

        options ??= new MetricsOptions();
        var n = strategy.Count;
        if (n < 2)
        {
            return new RelativeMetrics(n, null, null, null, null, null);
        }

        double periods = options.TradingDaysPerYear;
        var rfDaily = Math.Pow(1 + options.RiskFreeRate, 1 / periods) - 1;
        var x = strategy.Select(r => r - rfDaily).ToArray();
        var y = benchmark.Select(r => r - rfDaily).ToArray();
        var active = strategy.Zip(benchmark, (r, b) => r - b).ToArray();

        var meanX = x.Average();
        var meanY = y.Average();
        double sxy = 0, sxx = 0, syy = 0;
        for (var i = 0; i < n; i++)
        {
            sxy += (x[i] - meanX) * (y[i] - meanY);
            sxx += (x[i] - meanX) * (x[i] - meanX);
            syy += (y[i] - meanY) * (y[i] - meanY);
        }

        var stdX = Math.Sqrt(sxx / (n - 1));
        var stdY = Math.Sqrt(syy / (n - 1));
        double? beta = stdY > ZeroTolerance ? sxy / syy : null;
        double? alpha = beta is { } b ? (meanX - b * meanY) * periods : null;
        double? correlation = stdX > ZeroTolerance && stdY > ZeroTolerance ? sxy / Math.Sqrt(sxx * syy) : null;

        var meanActive = active.Average();
        var activeStd = Math.Sqrt(active.Sum(a => (a - meanActive) * (a - meanActive)) / (n - 1));
        var trackingError = activeStd * Math.Sqrt(periods);
        double? informationRatio = activeStd > ZeroTolerance ? meanActive * periods / trackingError : null;
        return new RelativeMetrics(n, alpha, beta, correlation, trackingError, informationRatio);
    }

    /// <summary>Pairs two daily series on the session dates both have and returns the simple returns between consecutive
    /// common dates (the first common date is the base, so n = common dates − 1).</summary>
    /// <remarks>Returning from the equities rather than joining the precomputed returns keeps the two legs of each pair
    /// over the same interval when one series has a date the other lacks.</remarks>
    public static (double[] Strategy, double[] Benchmark) PairDailyReturns(IReadOnlyList<DailyReturn> strategy,
        IReadOnlyList<DailyReturn> benchmark)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(benchmark);
        var benchmarkByDate = benchmark.ToDictionary(d => d.Date, d => d.Equity);
        var s = new List<double>();
        var b = new List<double>();
        (decimal Strategy, decimal Benchmark)? previous = null;
        foreach (var day in strategy)
        {
            if (!benchmarkByDate.TryGetValue(day.Date, out var benchmarkEquity))
            {
                continue;
            }

            if (previous is { } p && p.Strategy > 0 && p.Benchmark > 0)
            {
                s.Add((double)(day.Equity / p.Strategy - 1m));
                b.Add((double)(benchmarkEquity / p.Benchmark - 1m));
            }

            previous = (day.Equity, benchmarkEquity);
        }

        return (s.ToArray(), b.ToArray());
    }
}
