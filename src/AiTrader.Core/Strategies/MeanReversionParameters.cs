using AiTrader.Core.Signals.Regimes;

namespace AiTrader.Core.Strategies;

/// <summary>Settings of <see cref="MeanReversionStrategy"/>: z-score window and thresholds, regime whitelist, stop, holding limit and risk.</summary>
public sealed record MeanReversionParameters
{
    /// <summary>The whitelist used when none is given: calm.</summary>
    public static readonly RegimeSet DefaultRegimes = RegimeSet.Of(MarketRegime.Calm);

    /// <summary><c>entry_z</c>: enter long when z ≤ −this (short when z ≥ this).</summary>
    public double EntryZ { get; init; } = 2.0;

    /// <summary><c>exit_z</c>: exit a long when z ≥ −this (a short when z ≤ this); 0 means back at the filtered price.</summary>
    public double ExitZ { get; init; } = 0.0;

    /// <summary><c>z_window</c>: past residuals the standard deviation σ is taken over.</summary>
    public int ZWindow { get; init; } = 20;

    /// <summary><c>regimes</c>: regimes a long may be entered in; shorts use the mirror (trending_up ↔ trending_down).</summary>
    public RegimeSet Regimes { get; init; } = DefaultRegimes;

    /// <summary><c>atr_period</c>: Wilder ATR period.</summary>
    public int AtrPeriod { get; init; } = 14;

    /// <summary><c>atr_multiplier</c> (<c>k</c>): the fixed stop sits k·ATR from the entry decision's close.</summary>
    public decimal AtrMultiplier { get; init; } = 3m;

    /// <summary><c>max_hold_bars</c>: exit after this many bars in the trade; 0 for no limit.</summary>
    public int MaxHoldBars { get; init; } = 20;

    /// <summary><c>risk_fraction</c> (<c>risk</c>): fraction of equity lost if the stop is hit, for the default sizer.</summary>
    public decimal RiskFraction { get; init; } = 0.01m;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first out-of-range parameter.</summary>
    public MeanReversionParameters Validate()
    {
        if (!(EntryZ > 0 && double.IsFinite(EntryZ)))
        {
            throw new ArgumentException($"Parameter 'entry_z' must be positive; got {ReasonText.Number(EntryZ)}.", nameof(EntryZ));
        }

        if (!(ExitZ < EntryZ && double.IsFinite(ExitZ)))
        {
            throw new ArgumentException(
                $"Parameter 'exit_z' must be below entry_z {ReasonText.Number(EntryZ)}; got {ReasonText.Number(ExitZ)}.", nameof(ExitZ));
        }

        if (ZWindow < 2)
        {
            throw new ArgumentException($"Parameter 'z_window' must be at least 2; got {ZWindow}.", nameof(ZWindow));
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

        if (MaxHoldBars < 0)
        {
            throw new ArgumentException($"Parameter 'max_hold_bars' must be 0 (no limit) or more; got {MaxHoldBars}.", nameof(MaxHoldBars));
        }

        if (RiskFraction <= 0 || RiskFraction > 1)
        {
            throw new ArgumentException($"Parameter 'risk_fraction' must be in (0, 1]; got {RiskFraction}.", nameof(RiskFraction));
        }

        return this;
    }
}
