namespace AiTrader.Core.Strategies;

/// <summary>Settings of <see cref="BreakoutStrategy"/>: channel lookback, ATR period, stop multiple k and risk per trade.</summary>
/// <param name="Lookback">Donchian channel length N in bars.</param>
/// <param name="AtrPeriod">Wilder ATR period.</param>
/// <param name="AtrMultiplier">k: the stop sits k · ATR from the close.</param>
/// <param name="RiskFraction">Fraction of equity lost if the initial stop is hit (before slippage and fees).</param>
public sealed record BreakoutParameters(
    int Lookback = 20,
    int AtrPeriod = 14,
    decimal AtrMultiplier = 3m,
    decimal RiskFraction = 0.01m)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first out-of-range parameter.</summary>
    public BreakoutParameters Validate()
    {
        if (Lookback < 1)
        {
            throw new ArgumentException($"Parameter 'lookback' must be at least 1; got {Lookback}.", nameof(Lookback));
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
