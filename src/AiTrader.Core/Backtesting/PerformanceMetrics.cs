namespace AiTrader.Core.Backtesting;

/// <summary>Options for <see cref="PerformanceCalculator"/>: the annualization factor and an annual risk-free rate.</summary>
/// <param name="TradingDaysPerYear">Periods per year used to annualize daily statistics (252 for US equities).</param>
/// <param name="RiskFreeRate">Annual risk-free rate as a fraction (0.05 = 5%); converted to a daily rate by
/// compounding: rf_daily = (1 + rf)^(1/TradingDaysPerYear) − 1.</param>
/// <param name="MinTradingDaysToAnnualize">Fewer daily returns than this and the annualized figures (CAGR, Calmar,
/// annualized volatility, Sharpe, Sortino) are not meaningful: raising a week's return to the 36th power gives
/// CAGRs like 7.8e16%. 63 sessions is one quarter.</param>
public sealed record MetricsOptions(int TradingDaysPerYear = 252, double RiskFreeRate = 0.0, int MinTradingDaysToAnnualize = 63);

/// <summary>One session date of the daily returns series: the last equity of that New York date and its simple return.</summary>
/// <param name="Date">New York session date (<see cref="Sessions.ExchangeTime.SessionDate"/> of the last point of the date).</param>
/// <param name="Equity">Equity of the last point on that date.</param>
/// <param name="Return">Equity / previous date's equity − 1; the first date is relative to the initial capital.</param>
public readonly record struct DailyReturn(DateOnly Date, decimal Equity, double Return);

/// <summary>Performance statistics of one backtest; fractions are fractions (0.12 = 12%), money is account currency.</summary>
/// <remarks>Every definition is in <see cref="PerformanceCalculator"/> and docs/reference/metrics.md. A <c>null</c>
/// ratio means "undefined" (for example no volatility, no losing trade), never zero.</remarks>
public sealed record PerformanceMetrics
{
    // ---- Account ----

    /// <summary>Starting cash.</summary>
    public required decimal InitialCapital { get; init; }

    /// <summary>Equity of the last equity point (the initial capital when the curve is empty).</summary>
    public required decimal FinalEquity { get; init; }

    /// <summary>FinalEquity − InitialCapital.</summary>
    public required decimal NetProfit { get; init; }

    /// <summary>FinalEquity / InitialCapital − 1.</summary>
    public required double TotalReturn { get; init; }

    /// <summary>(FinalEquity / InitialCapital)^(TradingDaysPerYear / TradingDays) − 1; null when TradingDays = 0,
    /// −1 when final equity is zero or negative.</summary>
    public required double? Cagr { get; init; }

    // ---- Daily returns ----

    /// <summary>N: the number of daily returns, i.e. distinct New York session dates in the equity curve.</summary>
    public required int TradingDays { get; init; }

    /// <summary>False when N is below <see cref="MetricsOptions.MinTradingDaysToAnnualize"/>: the annualized figures are
    /// then shown as not meaningful (summary.json writes <c>cagr</c> and <c>calmar</c> as null).</summary>
    public bool AnnualizedMeaningful { get; init; } = true;

    /// <summary>Arithmetic mean of the daily simple returns; null when N = 0.</summary>
    public required double? MeanDailyReturn { get; init; }

    /// <summary>Sample standard deviation (n − 1) of daily returns; null when N &lt; 2.</summary>
    public required double? DailyVolatility { get; init; }

    /// <summary>DailyVolatility × sqrt(TradingDaysPerYear); null when N &lt; 2.</summary>
    public required double? AnnualizedVolatility { get; init; }

    /// <summary>The annual risk-free rate rf (<see cref="MetricsOptions.RiskFreeRate"/>, a fraction) that Sharpe and Sortino
    /// are measured against, recorded so a reader knows which rate the ratios assume.</summary>
    public required double RiskFreeRate { get; init; }

    /// <summary>(mean(r) − rf_daily) / DailyVolatility × sqrt(TradingDaysPerYear); null when the volatility is zero or undefined.</summary>
    public required double? Sharpe { get; init; }

    /// <summary>Target downside deviation: sqrt((1/N) Σ min(r_i − rf_daily, 0)²) over all N days; null when N = 0.</summary>
    public required double? DownsideDeviation { get; init; }

    /// <summary>(mean(r) − rf_daily) / DownsideDeviation × sqrt(TradingDaysPerYear); null when the downside deviation is zero.</summary>
    public required double? Sortino { get; init; }

    // ---- Drawdown (bar-level equity) ----

    /// <summary>Largest peak-to-trough fall as a positive fraction (0.25 = equity fell 25% below its running peak).</summary>
    public required double MaxDrawdown { get; init; }

    /// <summary>Session date of the peak before the maximum drawdown; null when MaxDrawdown = 0.</summary>
    public required DateOnly? MaxDrawdownPeakDate { get; init; }

    /// <summary>Session date of the lowest point of the maximum drawdown; null when MaxDrawdown = 0.</summary>
    public required DateOnly? MaxDrawdownTroughDate { get; init; }

    /// <summary>Session date equity first got back to the peak after the trough; null when not recovered (or no drawdown).</summary>
    public required DateOnly? MaxDrawdownRecoveryDate { get; init; }

    /// <summary>Longest time under water in calendar days: from a peak's session date to its recovery date, or to the
    /// last point's date when still under water at the end. Zero when equity never fell below a peak.</summary>
    public required int MaxDrawdownDurationDays { get; init; }

    /// <summary>Cagr / MaxDrawdown; null when MaxDrawdown = 0 or Cagr is null.</summary>
    public required double? Calmar { get; init; }

    // ---- Trades (Pnl is net of fees) ----

    /// <summary>Number of completed round trips.</summary>
    public required int Trades { get; init; }

    /// <summary>Trades with Pnl &gt; 0.</summary>
    public required int Wins { get; init; }

    /// <summary>Trades with Pnl &lt; 0 (break-even trades are neither wins nor losses but count in Trades).</summary>
    public required int Losses { get; init; }

    /// <summary>Wins / Trades; null when there are no trades.</summary>
    public required double? WinRate { get; init; }

    /// <summary>Sum of the Pnl of all trades (net of fees).</summary>
    public required decimal TotalPnl { get; init; }

    /// <summary>Sum of the Pnl of winning trades (≥ 0).</summary>
    public required decimal GrossProfit { get; init; }

    /// <summary>Sum of the Pnl of losing trades (≤ 0).</summary>
    public required decimal GrossLoss { get; init; }

    /// <summary>GrossProfit / Wins; null when there are no wins.</summary>
    public required decimal? AverageWin { get; init; }

    /// <summary>GrossLoss / Losses, a negative number; null when there are no losses.</summary>
    public required decimal? AverageLoss { get; init; }

    /// <summary>AverageWin / |AverageLoss|; null when there are no wins or no losses.</summary>
    public required double? PayoffRatio { get; init; }

    /// <summary>GrossProfit / |GrossLoss|; null when there is no losing trade (the ratio would be infinite, which JSON cannot hold).</summary>
    public required double? ProfitFactor { get; init; }

    /// <summary>Largest winning Pnl; null when there are no wins.</summary>
    public required decimal? LargestWin { get; init; }

    /// <summary>Most negative losing Pnl; null when there are no losses.</summary>
    public required decimal? LargestLoss { get; init; }

    /// <summary>Mean of ExitTime − EntryTime over all trades; null when there are no trades.</summary>
    public required TimeSpan? AverageHoldingPeriod { get; init; }

    /// <summary>Sum of the fees of all trades.</summary>
    public required decimal TotalFees { get; init; }

    // ---- Exposure ----

    /// <summary>Time in market: fraction of equity points with GrossExposure &gt; 0 (0 for an empty curve).</summary>
    public required double Exposure { get; init; }

    /// <summary>Mean GrossExposure over all equity points (0 for an empty curve).</summary>
    public required double AverageGrossExposure { get; init; }
}
