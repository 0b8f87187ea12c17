namespace AiTrader.Core.Signals.Kalman;

/// <summary>The constant-velocity Kalman filter's posterior after one bar, with everything needed to audit the step.</summary>
/// <param name="BarIndex">Zero-based count of prices seen before this one.</param>
/// <param name="Observation">The measurement z in model units: ln(price), or price when not using log prices.</param>
/// <param name="FilteredPrice">The level in price units: exp(level) in log mode. That is the median of the
/// implied log-normal price, not its mean (the mean would be exp(level + P00/2)).</param>
/// <param name="Level">Posterior level estimate (model units).</param>
/// <param name="Velocity">Posterior velocity: level change per bar (a log return per bar in log mode).</param>
/// <param name="P00">Posterior variance of the level.</param>
/// <param name="P01">Posterior covariance of level and velocity.</param>
/// <param name="P11">Posterior variance of the velocity.</param>
/// <param name="Innovation">z − predicted level: the surprise of this bar.</param>
/// <param name="InnovationVariance">S = predicted P00 + R: the variance the filter expected for the innovation.</param>
/// <param name="GainLevel">Kalman gain on the level (α in steady state).</param>
/// <param name="GainVelocity">Kalman gain on the velocity (β in steady state, per bar).</param>
/// <param name="ProbabilityVelocityPositive">Φ(velocity / √P11): the filter's probability that the trend is up.</param>
/// <param name="MeasurementNoise">The R used for this bar.</param>
/// <param name="ProcessNoise">The q used for this bar's prediction.</param>
/// <param name="IsWarmup">True while the noise estimate and the gain have not settled (see <see cref="KalmanOptions.WarmupBars"/>).</param>
public sealed record KalmanState(
    int BarIndex,
    double Observation,
    double FilteredPrice,
    double Level,
    double Velocity,
    double P00,
    double P01,
    double P11,
    double Innovation,
    double InnovationVariance,
    double GainLevel,
    double GainVelocity,
    double ProbabilityVelocityPositive,
    double MeasurementNoise,
    double ProcessNoise,
    bool IsWarmup)
{
    /// <summary>Standard deviation of the velocity estimate, √P11.</summary>
    public double VelocityStdDev => Math.Sqrt(P11);

    /// <summary>Innovation / √S: about standard normal when the noise model fits.</summary>
    public double NormalizedInnovation => Innovation / Math.Sqrt(InnovationVariance);
}

/// <summary>The numbers of a <see cref="KalmanState"/> as a value: what the filter computes per bar, before (and unless)
/// a record is made of them. The signal pipeline and the strategies read these, so a bar costs no allocation.</summary>
internal readonly record struct KalmanValues(
    int BarIndex,
    double Observation,
    double FilteredPrice,
    double Level,
    double Velocity,
    double P00,
    double P01,
    double P11,
    double Innovation,
    double InnovationVariance,
    double GainLevel,
    double GainVelocity,
    double ProbabilityVelocityPositive,
    double MeasurementNoise,
    double ProcessNoise,
    bool IsWarmup)
{
    public KalmanState ToState() => new(BarIndex, Observation, FilteredPrice, Level, Velocity, P00, P01, P11, Innovation,
        InnovationVariance, GainLevel, GainVelocity, ProbabilityVelocityPositive, MeasurementNoise, ProcessNoise, IsWarmup);
}
