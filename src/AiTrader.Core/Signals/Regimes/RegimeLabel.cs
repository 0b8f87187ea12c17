namespace AiTrader.Core.Signals.Regimes;

/// <summary>One bar's regime together with the inputs and thresholds that produced it, so every label can be audited.</summary>
/// <param name="BarIndex">The bar's zero-based index (from the Kalman state).</param>
/// <param name="Regime">The label for this bar.</param>
/// <param name="PreviousRegime">The label of the previous bar (<see cref="MarketRegime.Unknown"/> before the first).</param>
/// <param name="BarsInRegime">Consecutive bars with this label, this bar included (1 on the bar it was entered).</param>
/// <param name="ProbabilityUp">The Kalman filter's P(velocity &gt; 0).</param>
/// <param name="Velocity">The Kalman filter's velocity (log return per bar in log mode).</param>
/// <param name="RealizedVolatility">Rolling standard deviation of log returns at this bar (NaN while filling).</param>
/// <param name="VolatilityThreshold">The percentile of past realized volatility the bar was compared with (NaN in warm-up).</param>
/// <param name="VolatilityPercentile">Which percentile that was: the enter level, or the exit level while already Volatile.</param>
/// <param name="PastVolatilityCount">How many past realized-volatility values the percentile was taken over.</param>
/// <param name="Reason">Why this label, in words, e.g. "prob_up 0.91 ≥ 0.80 enter threshold".</param>
public sealed record RegimeLabel(
    int BarIndex,
    MarketRegime Regime,
    MarketRegime PreviousRegime,
    int BarsInRegime,
    double ProbabilityUp,
    double Velocity,
    double RealizedVolatility,
    double VolatilityThreshold,
    double VolatilityPercentile,
    int PastVolatilityCount,
    string Reason);
