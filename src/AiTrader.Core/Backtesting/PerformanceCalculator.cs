using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Backtesting;

/// <summary>Computes <see cref="PerformanceMetrics"/> from an equity curve and a trade list (pure, no I/O).</summary>
/// <remarks>
/// <para>Returns series: the bar-level equity curve is collapsed to one value per New York session date (the last point
/// of each <see cref="ExchangeTime.SessionDate"/>), so a 1-minute run and a daily run of the same strategy are measured
/// alike. r_i = E_i / E_(i−1) − 1 with E_0 = initial capital. N is the number of daily returns.</para>
/// <para>Annualization uses <see cref="MetricsOptions.TradingDaysPerYear"/> (A, default 252): volatility = sample std × sqrt(A);
/// Sharpe = (mean(r) − rf_d) / std(r) × sqrt(A); Sortino = (mean(r) − rf_d) / DD × sqrt(A) with
/// DD = sqrt((1/N) Σ min(r_i − rf_d, 0)²) over all N days (Sortino &amp; Price target downside deviation);
/// rf_d = (1 + rf)^(1/A) − 1; CAGR = (final / initial)^(A / N) − 1.</para>
/// <para>Drawdowns use every equity point (not only daily closes) with the initial capital as the first peak.</para>
/// </remarks>
public static class PerformanceCalculator
{
    // A standard deviation this small is floating-point noise of a constant series, not risk; dividing by it would
    // report an absurd Sharpe instead of "undefined".
    private const double ZeroTolerance = 1e-12;

    /// <summary>Computes every metric. <paramref name="equity"/> must be in time order with UTC timestamps.</summary>
    public static PerformanceMetrics Compute(decimal initialCapital, IReadOnlyList<EquityPoint> equity,
        IReadOnlyList<TradeRecord> trades, MetricsOptions? options = null) =>
        Compute(initialCapital, equity, trades, options, out _);

    /// <summary>As above, also handing back the daily series the metrics came from (see <see cref="DailyReturns"/>),
    /// so a report's monthly table does not walk a multi-million-point curve a second time.</summary>
    public static PerformanceMetrics Compute(decimal initialCapital, IReadOnlyList<EquityPoint> equity,
        IReadOnlyList<TradeRecord> trades, MetricsOptions? options, out IReadOnlyList<DailyReturn> daily)
    {
        ArgumentNullException.ThrowIfNull(equity);
        ArgumentNullException.ThrowIfNull(trades);
        options ??= new MetricsOptions();
        if (options.TradingDaysPerYear <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "TradingDaysPerYear must be positive.");
        }

        if (double.IsNaN(options.RiskFreeRate) || options.RiskFreeRate <= -1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "RiskFreeRate must be a fraction greater than −1.");
        }

        if (initialCapital <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(initialCapital), "Initial capital must be positive.");
        }

        // One walk over the curve yields the daily series, the drawdown and the exposure (it used to be five).
        var pass = EquityPass.Run(initialCapital, equity);
        daily = pass.Daily;
        var finalEquity = pass.Count == 0 ? initialCapital : pass.Final;
        var returns = new double[daily.Count];
        for (var i = 0; i < returns.Length; i++)
        {
            returns[i] = daily[i].Return;
        }

        var n = returns.Length;
        double periods = options.TradingDaysPerYear;
        var sqrtA = Math.Sqrt(periods);
        var rfDaily = Math.Pow(1 + options.RiskFreeRate, 1 / periods) - 1;

        double? mean = n > 0 ? returns.Average() : null;
        double? std = n > 1 ? SampleStdDev(returns, mean!.Value) : null;
        double? sharpe = std is { } s && s > ZeroTolerance ? (mean!.Value - rfDaily) / s * sqrtA : null;
        double? downside = n > 0 ? DownsideDeviation(returns, rfDaily) : null;
        double? sortino = downside is { } dd && dd > ZeroTolerance ? (mean!.Value - rfDaily) / dd * sqrtA : null;

        var growth = (double)(finalEquity / initialCapital);
        double? cagr = n == 0 ? null : growth <= 0 ? -1.0 : Math.Pow(growth, periods / n) - 1;

        var drawdown = pass.Drawdown;
        double? calmar = drawdown.Max > 0 && cagr is { } c ? c / drawdown.Max : null;

        return new PerformanceMetrics
        {
            InitialCapital = initialCapital,
            FinalEquity = finalEquity,
            NetProfit = finalEquity - initialCapital,
            // Subtract in decimal so 0.989604 − 1 prints as −0.010396, not −0.01039599999999996.
            TotalReturn = (double)(finalEquity / initialCapital - 1m),
            Cagr = cagr,
            TradingDays = n,
            AnnualizedMeaningful = n >= options.MinTradingDaysToAnnualize,
            MeanDailyReturn = mean,
            DailyVolatility = std,
            AnnualizedVolatility = std * sqrtA,
            RiskFreeRate = options.RiskFreeRate,
            Sharpe = sharpe,
            DownsideDeviation = downside,
            Sortino = sortino,
            MaxDrawdown = drawdown.Max,
            MaxDrawdownPeakDate = drawdown.Peak,
            MaxDrawdownTroughDate = drawdown.Trough,
            MaxDrawdownRecoveryDate = drawdown.Recovery,
            MaxDrawdownDurationDays = drawdown.LongestDays,
            Calmar = calmar,
            Trades = trades.Count,
            Wins = trades.Count(t => t.Pnl > 0),
            Losses = trades.Count(t => t.Pnl < 0),
            WinRate = trades.Count == 0 ? null : (double)trades.Count(t => t.Pnl > 0) / trades.Count,
            TotalPnl = trades.Sum(t => t.Pnl),
            GrossProfit = trades.Where(t => t.Pnl > 0).Sum(t => t.Pnl),
            GrossLoss = trades.Where(t => t.Pnl < 0).Sum(t => t.Pnl),
            AverageWin = AverageOrNull(trades.Where(t => t.Pnl > 0)),
            AverageLoss = AverageOrNull(trades.Where(t => t.Pnl < 0)),
            PayoffRatio = PayoffRatio(trades),
            ProfitFactor = ProfitFactor(trades),
            LargestWin = trades.Any(t => t.Pnl > 0) ? trades.Max(t => t.Pnl) : null,
            LargestLoss = trades.Any(t => t.Pnl < 0) ? trades.Min(t => t.Pnl) : null,
            AverageHoldingPeriod = trades.Count == 0
                ? null
                : TimeSpan.FromTicks((long)trades.Average(t => (double)(t.ExitTime - t.EntryTime).Ticks)),
            TotalFees = trades.Sum(t => t.Fees),
            Exposure = pass.Count == 0 ? 0 : (double)pass.Exposed / pass.Count,
            AverageGrossExposure = pass.Count == 0 ? 0 : pass.ExposureSum / pass.Count,
        };
    }

    /// <summary>The daily returns series: one entry per New York session date (last point of the date), the first
    /// relative to <paramref name="initialCapital"/>.</summary>
    /// <remarks>Once equity is zero or negative the account is ruined and there is nothing left to compound, so a return
    /// measured from a non-positive base is taken as 0 (the fall itself was already counted).</remarks>
    public static IReadOnlyList<DailyReturn> DailyReturns(decimal initialCapital, IReadOnlyList<EquityPoint> equity)
    {
        ArgumentNullException.ThrowIfNull(equity);
        if (initialCapital <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(initialCapital), "Initial capital must be positive.");
        }

        return EquityPass.Run(initialCapital, equity).Daily;
    }

    private static double SampleStdDev(double[] values, double mean)
    {
        var sumSq = 0.0;
        foreach (var v in values)
        {
            sumSq += (v - mean) * (v - mean);
        }

        return Math.Sqrt(sumSq / (values.Length - 1));
    }

    private static double DownsideDeviation(double[] returns, double target)
    {
        var sumSq = 0.0;
        foreach (var r in returns)
        {
            var shortfall = Math.Min(r - target, 0);
            sumSq += shortfall * shortfall;
        }

        // Divide by all N periods, not by the count of losing ones: days at or above target are zero shortfall,
        // which is what makes this the Sortino & Price target downside deviation.
        return Math.Sqrt(sumSq / returns.Length);
    }

    private readonly record struct DrawdownStats(
        double Max, DateOnly? Peak, DateOnly? Trough, DateOnly? Recovery, int LongestDays);

    /// <summary>Everything the metrics read from the curve, in one walk: the daily series (last point of each session
    /// date), the drawdown on every point and the exposure sums. Session dates come from a <see cref="SessionDateCursor"/>
    /// (one time-zone conversion per date); the arithmetic is the definitions' own, term by term, so the figures are
    /// exactly those of the separate passes it replaces.</summary>
    private sealed class EquityPass
    {
        public List<DailyReturn> Daily { get; } = [];

        public DrawdownStats Drawdown { get; private set; } = new(0, null, null, null, 0);

        public int Count { get; private set; }

        public decimal Final { get; private set; }

        public int Exposed { get; private set; }

        public double ExposureSum { get; private set; }

        public static EquityPass Run(decimal initialCapital, IReadOnlyList<EquityPoint> equity)
        {
            var pass = new EquityPass();
            var cursor = new SessionDateCursor();
            var previousEquity = initialCapital;
            DateTime? lastTimestamp = null;
            var pendingDate = default(DateOnly);
            var pendingEquity = 0m;

            // Drawdown: the initial capital is the first peak, dated by the first point.
            var peak = initialCapital;
            var peakDate = default(DateOnly);
            var max = 0.0;
            DateOnly? maxPeak = null, maxTrough = null, maxRecovery = null;
            var awaitingRecovery = false;
            var underwater = false;
            // The lowest equity since the current peak. For one peak the drawdown 1 − e/peak can only grow at a new
            // low (decimal division is monotone), so a point at or above it cannot set a new maximum and skips the
            // division: most points of a long run are under water, and a decimal divide is the walk's costliest step.
            var lowSincePeak = decimal.MaxValue;
            var longest = 0;
            var count = 0;
            var exposed = 0;
            var exposureSum = 0.0;
            var date = default(DateOnly);
            var final = 0m;
            foreach (var chunk in EquityChunks.Of(equity))
            {
                foreach (var point in chunk.Span)
                {
                    if (lastTimestamp is { } last && point.Timestamp < last)
                    {
                        throw new ArgumentException(
                            $"Equity points must be in time order: {point.Timestamp:O} follows {last:O}.", nameof(equity));
                    }

                    lastTimestamp = point.Timestamp;
                    date = cursor.DateOf(point.Timestamp);
                    if (count == 0)
                    {
                        peakDate = date;
                    }
                    else if (date != pendingDate)
                    {
                        var r = previousEquity > 0 ? (double)(pendingEquity / previousEquity - 1m) : 0.0;
                        pass.Daily.Add(new DailyReturn(pendingDate, pendingEquity, r));
                        previousEquity = pendingEquity;
                    }

                    pendingDate = date;
                    pendingEquity = point.Equity;
                    final = point.Equity;
                    count++;

                    if (point.GrossPositionValue != 0)
                    {
                        var exposure = point.GrossExposure;
                        exposureSum += (double)exposure;
                        if (exposure > 0)
                        {
                            exposed++;
                        }
                    }
                    else
                    {
                        // 0 / equity is 0: no division needed for a flat point.
                        exposureSum += 0.0;
                    }

                    if (point.Equity >= peak)
                    {
                        if (underwater)
                        {
                            longest = Math.Max(longest, date.DayNumber - peakDate.DayNumber);
                            underwater = false;
                        }

                        if (awaitingRecovery)
                        {
                            maxRecovery = date;
                            awaitingRecovery = false;
                        }

                        peak = point.Equity;
                        peakDate = date;
                        lowSincePeak = decimal.MaxValue;
                        continue;
                    }

                    underwater = true;
                    if (point.Equity >= lowSincePeak)
                    {
                        continue;
                    }

                    lowSincePeak = point.Equity;
                    var dd = (double)(1 - point.Equity / peak);
                    if (dd > max)
                    {
                        max = dd;
                        maxPeak = peakDate;
                        maxTrough = date;
                        maxRecovery = null;
                        awaitingRecovery = true;
                    }
                }
            }

            if (count > 0)
            {
                var r = previousEquity > 0 ? (double)(pendingEquity / previousEquity - 1m) : 0.0;
                pass.Daily.Add(new DailyReturn(pendingDate, pendingEquity, r));
                if (underwater)
                {
                    longest = Math.Max(longest, date.DayNumber - peakDate.DayNumber);
                }

                pass.Drawdown = new DrawdownStats(max, maxPeak, maxTrough, maxRecovery, longest);
            }

            pass.Count = count;
            pass.Final = final;
            pass.Exposed = exposed;
            pass.ExposureSum = exposureSum;
            return pass;
        }
    }

    private static decimal? AverageOrNull(IEnumerable<TradeRecord> trades)
    {
        var list = trades.ToList();
        return list.Count == 0 ? null : list.Sum(t => t.Pnl) / list.Count;
    }

    private static double? PayoffRatio(IReadOnlyList<TradeRecord> trades)
    {
        var avgWin = AverageOrNull(trades.Where(t => t.Pnl > 0));
        var avgLoss = AverageOrNull(trades.Where(t => t.Pnl < 0));
        return avgWin is { } w && avgLoss is { } l ? (double)(w / -l) : null;
    }

    private static double? ProfitFactor(IReadOnlyList<TradeRecord> trades)
    {
        var grossLoss = trades.Where(t => t.Pnl < 0).Sum(t => t.Pnl);
        if (grossLoss == 0)
        {
            return null;
        }

        return (double)(trades.Where(t => t.Pnl > 0).Sum(t => t.Pnl) / -grossLoss);
    }
}
