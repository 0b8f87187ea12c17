using AiTrader.Core.Sessions;

namespace AiTrader.Core.Execution;

/// <summary>The simulated exchange's account and rules, the same in a backtest and in paper trading: starting cash,
/// slippage in basis points, per-share commission with a minimum, shorting, volume caps and the session rules.</summary>
/// <param name="InitialCapital">Starting cash in account currency.</param>
/// <param name="SlippageBps">Adverse slippage on market and gapped stop fills: buys pay open × (1 + bps/10000), sells get open × (1 − bps/10000).</param>
/// <param name="CommissionPerShare">Commission per share per fill.</param>
/// <param name="MinCommission">Smallest commission charged for one fill.</param>
/// <param name="AllowShort">Whether short entries are accepted; when false the order router rejects them.</param>
/// <param name="MaxVolumeShare">Largest share of a bar's volume one order may take on that bar (0.1 = 10%); the rest
/// fills on later bars of the same session or is cancelled at the session's end. Null: no volume limit.</param>
/// <param name="ExtendedHours">Whether pre-market and after-hours bars are traded; when false only bars inside the
/// regular session are traded (seen by the strategy and able to fill), and nothing trades on a day the exchange is closed.</param>
/// <param name="Calendar">The exchange calendar that says which bars are traded; null trades every bar (for
/// synthetic series, which have no holidays). The CLI, paper and live trading pass the NYSE calendar.</param>
public sealed record ExchangeOptions(
    decimal InitialCapital = 100_000m,
    decimal SlippageBps = 5m,
    decimal CommissionPerShare = 0.005m,
    decimal MinCommission = 1.00m,
    bool AllowShort = false,
    decimal? MaxVolumeShare = null,
    bool ExtendedHours = false,
    ITradingCalendar? Calendar = null)
{
    /// <summary>The largest starting capital accepted: a trillion dollars.</summary>
    public const decimal MaxCapital = 1_000_000_000_000m;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public ExchangeOptions Validate()
    {
        if (InitialCapital <= 0)
        {
            throw new ArgumentException($"InitialCapital must be positive; got {InitialCapital}.", nameof(InitialCapital));
        }

        // Far above any account, and far enough below decimal's range that shares × price × fees never overflow.
        if (InitialCapital > MaxCapital)
        {
            throw new ArgumentException($"InitialCapital must be at most {MaxCapital:N0}; got {InitialCapital}.", nameof(InitialCapital));
        }

        if (SlippageBps < 0 || SlippageBps >= 10_000)
        {
            throw new ArgumentException($"SlippageBps must be in [0, 10000); got {SlippageBps}.", nameof(SlippageBps));
        }

        if (CommissionPerShare < 0)
        {
            throw new ArgumentException($"CommissionPerShare must not be negative; got {CommissionPerShare}.", nameof(CommissionPerShare));
        }

        if (MinCommission < 0)
        {
            throw new ArgumentException($"MinCommission must not be negative; got {MinCommission}.", nameof(MinCommission));
        }

        if (MaxVolumeShare is { } share && (share <= 0 || share > 1))
        {
            throw new ArgumentException($"MaxVolumeShare must be in (0, 1]; got {share}.", nameof(MaxVolumeShare));
        }

        return this;
    }
}
