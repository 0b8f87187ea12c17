namespace AiTrader.Core.Signals.Kalman;

/// <summary>Settings of the constant-velocity <see cref="KalmanFilter"/>; see docs/explanations/kalman-and-regimes.md.</summary>
public sealed record KalmanOptions
{
    /// <summary>Filter ln(price) (default) so velocity is a per-bar log return, comparable across symbols and
    /// unchanged by split adjustment; false filters raw prices (velocity in price units per bar).</summary>
    public bool UseLogPrice { get; init; } = true;

    /// <summary>Measurement noise variance R in model units (log price² or price²). Null: estimated online as
    /// <see cref="MeasurementNoiseScale"/> × the sample variance of first differences over the trailing
    /// <see cref="NoiseWindow"/> bars.</summary>
    public double? MeasurementNoise { get; init; }

    /// <summary>Process noise intensity q of Q = q·[[1/4, 1/2], [1/2, 1]] (discrete white-noise acceleration).
    /// Null: q = <see cref="ProcessToMeasurementRatio"/> × R.</summary>
    public double? ProcessNoise { get; init; }

    /// <summary>q/R when q is not configured; its square root is Kalata's tracking index λ. The default 1e-3
    /// gives steady-state gains α ≈ 0.22, β ≈ 0.028: a velocity that reacts over a few weeks of daily bars.</summary>
    public double ProcessToMeasurementRatio { get; init; } = 1e-3;

    /// <summary>R = scale × Var(Δz) when R is estimated. The default 9 makes √P_vv match the actual spread of
    /// the velocity estimate on a driftless random walk at the default ratio, so prob_up is calibrated rather
    /// than overconfident (the constant-velocity model treats random-walk steps as noise).</summary>
    public double MeasurementNoiseScale { get; init; } = 9.0;

    /// <summary>Trailing number of first differences used to estimate R (fewer while the series is shorter).</summary>
    public int NoiseWindow { get; init; } = 60;

    /// <summary>Outputs of the first this-many bars are flagged <see cref="KalmanState.IsWarmup"/>: the noise
    /// estimate and the gain have not settled yet.</summary>
    public int WarmupBars { get; init; } = 60;

    /// <summary>Prior variance of the level around the first observation (model units²).</summary>
    public double InitialLevelVariance { get; init; } = 1.0;

    /// <summary>Prior variance of the velocity around 0 (model units² per bar²); large so the first
    /// difference dominates.</summary>
    public double InitialVelocityVariance { get; init; } = 1.0;

    /// <summary>Lower bound on R so a flat stretch of prices cannot make the innovation variance zero.</summary>
    public double MinimumMeasurementNoise { get; init; } = 1e-12;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (MeasurementNoise is { } r && !(r > 0 && double.IsFinite(r)))
        {
            throw new ArgumentOutOfRangeException(nameof(MeasurementNoise), r, "Measurement noise R must be positive and finite.");
        }

        if (ProcessNoise is { } q && !(q >= 0 && double.IsFinite(q)))
        {
            throw new ArgumentOutOfRangeException(nameof(ProcessNoise), q, "Process noise q must be non-negative and finite.");
        }

        if (!(ProcessToMeasurementRatio >= 0 && double.IsFinite(ProcessToMeasurementRatio)))
        {
            throw new ArgumentOutOfRangeException(nameof(ProcessToMeasurementRatio), ProcessToMeasurementRatio, "q/R must be non-negative and finite.");
        }

        if (!(MeasurementNoiseScale > 0 && double.IsFinite(MeasurementNoiseScale)))
        {
            throw new ArgumentOutOfRangeException(nameof(MeasurementNoiseScale), MeasurementNoiseScale, "The noise scale must be positive and finite.");
        }

        if (NoiseWindow < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(NoiseWindow), NoiseWindow, "The noise window needs at least 2 differences.");
        }

        if (WarmupBars < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(WarmupBars), WarmupBars, "Warm-up bars must be non-negative.");
        }

        if (!(InitialLevelVariance > 0 && double.IsFinite(InitialLevelVariance)))
        {
            throw new ArgumentOutOfRangeException(nameof(InitialLevelVariance), InitialLevelVariance, "Must be positive and finite.");
        }

        if (!(InitialVelocityVariance > 0 && double.IsFinite(InitialVelocityVariance)))
        {
            throw new ArgumentOutOfRangeException(nameof(InitialVelocityVariance), InitialVelocityVariance, "Must be positive and finite.");
        }

        if (!(MinimumMeasurementNoise > 0 && double.IsFinite(MinimumMeasurementNoise)))
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumMeasurementNoise), MinimumMeasurementNoise, "Must be positive and finite.");
        }
    }
}
