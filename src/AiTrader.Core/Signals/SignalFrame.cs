using AiTrader.Core.Signals.Kalman;
using AiTrader.Core.Signals.Regimes;

namespace AiTrader.Core.Signals;

/// <summary>One bar's probabilistic signal: the bar, the Kalman trend estimate, the regime and the indicators (null during warm-up).</summary>
/// <remarks>
/// Every value depends only on this bar and earlier ones (see <see cref="SignalPipeline"/>). Indicator names carry the
/// default periods of <see cref="SignalPipelineOptions"/> (sma_20, atr_14, …); with other periods the same slots hold
/// those values. Column reference: docs/reference/signals.md.
/// </remarks>
/// <param name="Timestamp">The bar's open time (UTC), as in <see cref="Domain.Bar.Timestamp"/>.</param>
/// <param name="Open">The bar's open.</param>
/// <param name="High">The bar's high.</param>
/// <param name="Low">The bar's low.</param>
/// <param name="Close">The bar's close: the price the filter observed.</param>
/// <param name="Volume">The bar's volume.</param>
/// <param name="FilteredPrice">Kalman level in price units (exp(level), the median, in log mode).</param>
/// <param name="Velocity">Kalman velocity per bar: a log return per bar in log mode, price per bar otherwise.</param>
/// <param name="PriceVariance">Variance of the filtered price in price²: P00 in raw mode; FilteredPrice²·P00 in log
/// mode (delta method, since d exp(l)/dl = exp(l)).</param>
/// <param name="ProbabilityUp">Φ(velocity/√P11): the filter's probability that the trend is up.</param>
/// <param name="Regime">The regime label of this bar.</param>
/// <param name="RegimeLabel">The regime with its inputs, thresholds and reason.</param>
/// <param name="Kalman">The full Kalman posterior (covariances, innovation, gains, noise) for auditing.</param>
/// <param name="Sma">sma_20: simple moving average of closes.</param>
/// <param name="Ema">ema_20: exponential moving average of closes, seeded with the SMA.</param>
/// <param name="Atr">atr_14: Wilder average true range.</param>
/// <param name="Rsi">rsi_14: Wilder relative strength index.</param>
/// <param name="DonchianHigh">donchian_high_20: highest high of the last 20 bars, this one included.</param>
/// <param name="DonchianLow">donchian_low_20: lowest low of the last 20 bars, this one included.</param>
/// <param name="ZScore">zscore_20: (close − sma_20)/σ, σ the population std of the last 20 closes.</param>
/// <param name="BollingerUpper">bb_upper_20: sma_20 + 2σ.</param>
/// <param name="BollingerLower">bb_lower_20: sma_20 − 2σ.</param>
/// <param name="Volatility">vol_20: sample std of the last 20 log returns, per bar.</param>
/// <param name="Vwap">vwap: session VWAP; intraday bars only (null on daily bars, where it would be the typical price).</param>
/// <param name="GapPercent">gap_pct: session open over the previous session's last close, minus 1 (a fraction).</param>
/// <param name="RelativeVolume">rvol: relative volume by time of day (intraday) or versus the previous bars (daily).</param>
public sealed record SignalFrame(
    DateTime Timestamp,
    decimal Open,
    decimal High,
    decimal Low,
    decimal Close,
    decimal Volume,
    double FilteredPrice,
    double Velocity,
    double PriceVariance,
    double ProbabilityUp,
    MarketRegime Regime,
    RegimeLabel RegimeLabel,
    KalmanState Kalman,
    double? Sma,
    double? Ema,
    double? Atr,
    double? Rsi,
    double? DonchianHigh,
    double? DonchianLow,
    double? ZScore,
    double? BollingerUpper,
    double? BollingerLower,
    double? Volatility,
    double? Vwap,
    double? GapPercent,
    double? RelativeVolume)
{
    /// <summary>True while the Kalman filter is in warm-up (its noise estimate and gain have not settled).</summary>
    public bool IsWarmup => Kalman.IsWarmup;

    /// <summary>Standard deviation of the velocity, √P11, in the filter's units.</summary>
    public double VelocityStdDev => Kalman.VelocityStdDev;
}
