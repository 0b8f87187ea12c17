using AiTrader.Core.Signals.Kalman;
using AiTrader.Core.Signals.Regimes;

namespace AiTrader.Core.Signals;

/// <summary>Settings of a <see cref="SignalPipeline"/>: the Kalman filter, the regime classifier and the indicator periods.</summary>
public sealed record SignalPipelineOptions
{
    public KalmanOptions Kalman { get; init; } = new();

    public RegimeOptions Regime { get; init; } = new();

    public int SmaPeriod { get; init; } = 20;

    public int EmaPeriod { get; init; } = 20;

    public int AtrPeriod { get; init; } = 14;

    public int RsiPeriod { get; init; } = 14;

    public int DonchianPeriod { get; init; } = 20;

    /// <summary>Window of Bollinger bands and of the z-score (they share σ).</summary>
    public int BollingerPeriod { get; init; } = 20;

    /// <summary>Band width in population standard deviations.</summary>
    public double BollingerK { get; init; } = 2.0;

    /// <summary>Log returns in the vol_20 column (per bar, not annualized).</summary>
    public int VolatilityPeriod { get; init; } = 20;

    /// <summary>Past sessions (intraday) or bars (daily) RVOL averages over.</summary>
    public int RelativeVolumeSessions { get; init; } = 10;

    /// <summary>Intraday RVOL keys minutes from 04:00 ET instead of 09:30 ET (feed extended-hours bars).</summary>
    public bool ExtendedHours { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Kalman);
        ArgumentNullException.ThrowIfNull(Regime);
        Kalman.Validate();
        Regime.Validate();
        Positive(SmaPeriod, nameof(SmaPeriod));
        Positive(EmaPeriod, nameof(EmaPeriod));
        Positive(AtrPeriod, nameof(AtrPeriod));
        Positive(RsiPeriod, nameof(RsiPeriod));
        Positive(DonchianPeriod, nameof(DonchianPeriod));
        Positive(RelativeVolumeSessions, nameof(RelativeVolumeSessions));
        if (BollingerPeriod < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(BollingerPeriod), BollingerPeriod, "Need at least 2 closes.");
        }

        if (VolatilityPeriod < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(VolatilityPeriod), VolatilityPeriod, "Need at least 2 returns.");
        }

        if (!(BollingerK > 0 && double.IsFinite(BollingerK)))
        {
            throw new ArgumentOutOfRangeException(nameof(BollingerK), BollingerK, "Must be positive and finite.");
        }
    }

    private static void Positive(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentOutOfRangeException(name, value, "Must be at least 1.");
        }
    }
}
