using AiTrader.Core.Signals.Regimes;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Risk.Sizing;

/// <summary>How to size a strategy's entries on top of its own fixed risk: optional fractional Kelly and regime scaling.</summary>
/// <param name="RegimeAware">Wrap the sizer in a <see cref="RegimeAwareSizer"/> (CLI <c>--regime-aware-sizing</c>).</param>
/// <param name="KellyFraction">Use a <see cref="FractionalKellySizer"/> with this fraction (CLI <c>--risk-agent fractional_kelly
/// --risk-agent-fraction 0.5</c>); null for plain fixed-fractional risk.</param>
/// <param name="KellyCap">Largest fraction of equity at risk per entry under Kelly.</param>
/// <param name="KellyPayoffPrior">Payoff ratio b Kelly uses until the strategy has its own closed-trade estimate.</param>
/// <param name="RegimeMultipliers">Per-regime multipliers; null for <see cref="RegimeAwareSizer.DefaultMultipliers"/>.</param>
public sealed record SizingOptions(
    bool RegimeAware = false,
    decimal? KellyFraction = null,
    decimal KellyCap = 0.25m,
    decimal? KellyPayoffPrior = null,
    IReadOnlyDictionary<MarketRegime, decimal>? RegimeMultipliers = null)
{
    /// <summary>Builds the sizer chain: fixed risk at <paramref name="baseRiskFraction"/> → Kelly (fixed risk as its fallback) → regime scaling.</summary>
    public IPositionSizer Build(decimal baseRiskFraction)
    {
        IPositionSizer sizer = new FixedFractionalSizer(baseRiskFraction);
        if (KellyFraction is { } fraction)
        {
            sizer = new FractionalKellySizer(fraction, KellyCap, sizer, KellyPayoffPrior);
        }

        return RegimeAware ? new RegimeAwareSizer(sizer, RegimeMultipliers) : sizer;
    }
}
