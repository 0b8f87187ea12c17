using AiTrader.Core.Signals.Regimes;

namespace AiTrader.Core.Strategies;

/// <summary>Settings of <see cref="MomentumStrategy"/>: prob_up entry and exit thresholds, regime whitelist, ATR stop and risk.</summary>
public sealed record MomentumParameters
{
    /// <summary>The whitelist used when none is given: trending_up|calm.</summary>
    public static readonly RegimeSet DefaultRegimes = RegimeSet.Of(MarketRegime.TrendingUp, MarketRegime.Calm);

    /// <summary><c>prob_entry</c>: enter long when prob_up ≥ this (short when prob_up ≤ 1 − this).</summary>
    public double EntryProbability { get; init; } = 0.80;

    /// <summary><c>prob_exit</c>: exit a long when prob_up falls below this (a short when prob_up rises above 1 − this).</summary>
    public double ExitProbability { get; init; } = 0.50;

    /// <summary><c>regimes</c>: regimes a long may be entered in; shorts use the mirror (trending_up ↔ trending_down).</summary>
    public RegimeSet Regimes { get; init; } = DefaultRegimes;

    /// <summary><c>atr_period</c>: Wilder ATR period.</summary>
    public int AtrPeriod { get; init; } = 14;

    /// <summary><c>atr_multiplier</c> (<c>k</c>): initial and trailing stop distance in ATRs.</summary>
    public decimal AtrMultiplier { get; init; } = 3m;

    /// <summary><c>risk_fraction</c> (<c>risk</c>): fraction of equity lost if the initial stop is hit, for the default sizer.</summary>
    public decimal RiskFraction { get; init; } = 0.01m;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first out-of-range parameter.</summary>
    public MomentumParameters Validate()
    {
        if (!(EntryProbability > 0.5 && EntryProbability < 1))
        {
            throw new ArgumentException($"Parameter 'prob_entry' must be in (0.5, 1); got {ReasonText.Number(EntryProbability)}.", nameof(EntryProbability));
        }

        if (!(ExitProbability > 0 && ExitProbability <= EntryProbability))
        {
            throw new ArgumentException(
                $"Parameter 'prob_exit' must be in (0, prob_entry {ReasonText.Number(EntryProbability)}]; got {ReasonText.Number(ExitProbability)}.",
                nameof(ExitProbability));
        }

        if (Regimes.IsEmpty || Regimes.Contains(MarketRegime.Unknown))
        {
            throw new ArgumentException($"Parameter 'regimes' must list tradable regimes; got '{Regimes}'.", nameof(Regimes));
        }

        if (AtrPeriod < 1)
        {
            throw new ArgumentException($"Parameter 'atr_period' must be at least 1; got {AtrPeriod}.", nameof(AtrPeriod));
        }

        if (AtrMultiplier <= 0)
        {
            throw new ArgumentException($"Parameter 'atr_multiplier' must be positive; got {AtrMultiplier}.", nameof(AtrMultiplier));
        }

        if (RiskFraction <= 0 || RiskFraction > 1)
        {
            throw new ArgumentException($"Parameter 'risk_fraction' must be in (0, 1]; got {RiskFraction}.", nameof(RiskFraction));
        }

        return this;
    }
}
