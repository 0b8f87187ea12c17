namespace AiTrader.Core.Signals.Regimes;

/// <summary>One bar's regime together with the inputs and thresholds that produced it, so every label can be audited.</summary>
/// <remarks>Labels from <see cref="RegimeClassifier"/> work out <see cref="Reason"/> on first read from the inputs they
/// keep (the classifier's rules run again in explaining mode), so streaming millions of bars formats no text.
/// Equality compares every value and the reason.</remarks>
public sealed record RegimeLabel
{
    /// <param name="barIndex">The bar's zero-based index (from the Kalman state).</param>
    /// <param name="regime">The label for this bar.</param>
    /// <param name="previousRegime">The label of the previous bar (<see cref="MarketRegime.Unknown"/> before the first).</param>
    /// <param name="barsInRegime">Consecutive bars with this label, this bar included (1 on the bar it was entered).</param>
    /// <param name="probabilityUp">The Kalman filter's P(velocity &gt; 0).</param>
    /// <param name="velocity">The Kalman filter's velocity (log return per bar in log mode).</param>
    /// <param name="realizedVolatility">Rolling standard deviation of log returns at this bar (NaN while filling).</param>
    /// <param name="volatilityThreshold">The percentile of past realized volatility the bar was compared with (NaN in warm-up).</param>
    /// <param name="volatilityPercentile">Which percentile that was: the enter level, or the exit level while already Volatile.</param>
    /// <param name="pastVolatilityCount">How many past realized-volatility values the percentile was taken over.</param>
    /// <param name="reason">Why this label, in words, e.g. "prob_up 0.91 ≥ 0.80 enter threshold".</param>
    public RegimeLabel(int barIndex, MarketRegime regime, MarketRegime previousRegime, int barsInRegime,
        double probabilityUp, double velocity, double realizedVolatility, double volatilityThreshold,
        double volatilityPercentile, int pastVolatilityCount, string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        BarIndex = barIndex;
        Regime = regime;
        PreviousRegime = previousRegime;
        BarsInRegime = barsInRegime;
        ProbabilityUp = probabilityUp;
        Velocity = velocity;
        RealizedVolatility = realizedVolatility;
        VolatilityThreshold = volatilityThreshold;
        VolatilityPercentile = volatilityPercentile;
        PastVolatilityCount = pastVolatilityCount;
        _reason = reason;
    }

    /// <summary>A classifier's label, explained on demand from <paramref name="inputs"/>.</summary>
    internal RegimeLabel(int barIndex, MarketRegime regime, int barsInRegime, double velocity, RegimeInputs inputs)
    {
        BarIndex = barIndex;
        Regime = regime;
        PreviousRegime = inputs.Previous;
        BarsInRegime = barsInRegime;
        ProbabilityUp = inputs.ProbabilityUp;
        Velocity = velocity;
        RealizedVolatility = inputs.Volatility;
        VolatilityThreshold = inputs.Threshold;
        VolatilityPercentile = inputs.Percentile;
        PastVolatilityCount = inputs.PastCount;
        _inputs = inputs;
    }

    private readonly RegimeInputs _inputs;
    private string? _reason;

    public int BarIndex { get; init; }

    public MarketRegime Regime { get; init; }

    public MarketRegime PreviousRegime { get; init; }

    public int BarsInRegime { get; init; }

    public double ProbabilityUp { get; init; }

    public double Velocity { get; init; }

    public double RealizedVolatility { get; init; }

    public double VolatilityThreshold { get; init; }

    public double VolatilityPercentile { get; init; }

    public int PastVolatilityCount { get; init; }

    /// <summary>Why this label, in words, e.g. "prob_up 0.91 ≥ 0.80 enter threshold".</summary>
    public string Reason
    {
        get
        {
            if (_reason is null)
            {
                RegimeClassifier.Decide(_inputs, explain: true, out var reason);
                _reason = reason!;
            }

            return _reason;
        }
        init => _reason = value ?? throw new ArgumentNullException(nameof(value));
    }

    public bool Equals(RegimeLabel? other) =>
        other is not null
        && BarIndex == other.BarIndex
        && Regime == other.Regime
        && PreviousRegime == other.PreviousRegime
        && BarsInRegime == other.BarsInRegime
        && ProbabilityUp.Equals(other.ProbabilityUp)
        && Velocity.Equals(other.Velocity)
        && RealizedVolatility.Equals(other.RealizedVolatility)
        && VolatilityThreshold.Equals(other.VolatilityThreshold)
        && VolatilityPercentile.Equals(other.VolatilityPercentile)
        && PastVolatilityCount == other.PastVolatilityCount
        && Reason == other.Reason;

    public override int GetHashCode() =>
        HashCode.Combine(BarIndex, Regime, PreviousRegime, BarsInRegime, ProbabilityUp, RealizedVolatility, Reason);
}
