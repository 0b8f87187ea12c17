using AiTrader.Core.Domain;
using AiTrader.Core.Signals.Indicators;
using AiTrader.Core.Signals.Kalman;
using AiTrader.Core.Signals.Regimes;

namespace AiTrader.Core.Strategies;

/// <summary>One bar's signal inputs to the momentum and mean-reversion strategies.</summary>
/// <param name="ProbabilityUp">Kalman P(velocity &gt; 0).</param>
/// <param name="Velocity">Kalman velocity (log return per bar by default).</param>
/// <param name="FilteredPrice">Kalman filtered price (price units).</param>
/// <param name="Regime">The regime label of this bar.</param>
/// <param name="Atr">Wilder ATR, or null while it warms up.</param>
/// <param name="IsWarmup">True while the Kalman filter is in warm-up.</param>
public readonly record struct StrategySignal(
    double ProbabilityUp,
    double Velocity,
    double FilteredPrice,
    MarketRegime Regime,
    double? Atr,
    bool IsWarmup)
{
    /// <summary>Entries are allowed: the filter is past warm-up, the regime is known and the ATR exists.</summary>
    public bool IsReady => !IsWarmup && Regime != MarketRegime.Unknown && Atr is not null;
}

/// <summary>Streams <see cref="StrategySignal"/>s one bar at a time; the seam where a shared signal pipeline (or a test script) plugs in.</summary>
public interface IStrategySignalSource
{
    /// <summary>Forgets all bars so the source can start again from the first.</summary>
    void Reset();

    /// <summary>Feeds the bar that just closed and returns its signal; must not depend on any later bar.</summary>
    StrategySignal Update(in Bar bar);
}

/// <summary>The default signal source: a streaming Kalman filter, realized volatility and regime classifier on closes, plus a Wilder ATR.</summary>
public sealed class StrategySignals : IStrategySignalSource
{
    private readonly KalmanOptions? _kalmanOptions;
    private readonly RegimeOptions? _regimeOptions;
    private readonly AverageTrueRange _atr;
    private KalmanFilter _kalman;
    private RegimeClassifier _classifier;
    private RealizedVolatility _volatility;

    public StrategySignals(int atrPeriod = 14, KalmanOptions? kalman = null, RegimeOptions? regimes = null)
    {
        _kalmanOptions = kalman;
        _regimeOptions = regimes;
        _atr = new AverageTrueRange(atrPeriod);
        (_kalman, _classifier, _volatility) = Fresh();
    }

    public void Reset()
    {
        _atr.Reset();
        // The filter and classifier have no Reset: fresh instances are the same state and cannot drift from it.
        (_kalman, _classifier, _volatility) = Fresh();
    }

    public StrategySignal Update(in Bar bar)
    {
        var close = (double)bar.Close;
        // The value paths of the filter and the classifier: the same numbers as their records, without allocating them.
        ref readonly var state = ref _kalman.Step(close);
        var regime = _classifier.Classify(state.IsWarmup, state.ProbabilityVelocityPositive, _volatility.Update(close), out _, out _);
        var atr = _atr.Update((double)bar.High, (double)bar.Low, close);
        return new StrategySignal(state.ProbabilityVelocityPositive, state.Velocity, state.FilteredPrice, regime, atr,
            state.IsWarmup);
    }

    private (KalmanFilter, RegimeClassifier, RealizedVolatility) Fresh()
    {
        var classifier = new RegimeClassifier(_regimeOptions);
        return (new KalmanFilter(_kalmanOptions), classifier, new RealizedVolatility(classifier.Options.VolatilityWindow));
    }
}
