namespace AiTrader.Core.Signals.Regimes;

/// <summary>Thresholds of the <see cref="RegimeClassifier"/>; enter and exit levels differ so labels do not flicker.</summary>
public sealed record RegimeOptions
{
    /// <summary>Log returns in the rolling realized-volatility window.</summary>
    public int VolatilityWindow { get; init; } = 20;

    /// <summary>Trailing number of past realized-volatility values the percentiles are taken over (252 ≈ a year of days).</summary>
    public int PercentileLookback { get; init; } = 252;

    /// <summary>Past realized-volatility values needed before any label other than Unknown.</summary>
    public int MinimumVolatilityHistory { get; init; } = 60;

    /// <summary>Enter Volatile when realized vol is above this percentile of its past values.</summary>
    public double VolatileEnterPercentile { get; init; } = 0.80;

    /// <summary>Stay Volatile while realized vol is at or above this percentile of its past values.</summary>
    public double VolatileExitPercentile { get; init; } = 0.70;

    /// <summary>Enter TrendingUp when prob_up ≥ this; TrendingDown mirrors it at prob_up ≤ 1 − this.</summary>
    public double TrendEnterProbability { get; init; } = 0.80;

    /// <summary>Stay TrendingUp while prob_up ≥ this; TrendingDown mirrors it at prob_up ≤ 1 − this.</summary>
    public double TrendExitProbability { get; init; } = 0.60;

    /// <summary>A new label must last this many bars before another change is allowed (1 = no hold).</summary>
    public int MinimumDwellBars { get; init; } = 3;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (VolatilityWindow < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(VolatilityWindow), VolatilityWindow, "Need at least 2 returns.");
        }

        if (PercentileLookback < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(PercentileLookback), PercentileLookback, "Must be positive.");
        }

        if (MinimumVolatilityHistory < 1 || MinimumVolatilityHistory > PercentileLookback)
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumVolatilityHistory), MinimumVolatilityHistory,
                "Must be between 1 and the percentile lookback.");
        }

        if (!(VolatileExitPercentile > 0 && VolatileExitPercentile <= VolatileEnterPercentile && VolatileEnterPercentile < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(VolatileExitPercentile), VolatileExitPercentile,
                "Need 0 < exit percentile ≤ enter percentile < 1.");
        }

        if (!(TrendExitProbability > 0.5 && TrendExitProbability <= TrendEnterProbability && TrendEnterProbability < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(TrendExitProbability), TrendExitProbability,
                "Need 0.5 < exit probability ≤ enter probability < 1.");
        }

        if (MinimumDwellBars < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumDwellBars), MinimumDwellBars, "Must be at least 1.");
        }
    }
}
