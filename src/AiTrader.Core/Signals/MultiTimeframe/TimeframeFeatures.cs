using AiTrader.Core.Domain;
using AiTrader.Core.Signals.Regimes;

namespace AiTrader.Core.Signals.MultiTimeframe;

/// <summary>The signals of one completed higher-timeframe bar, as seen from a base bar at or after its close.</summary>
/// <param name="Timeframe">The higher timeframe (5Min, 15Min, 1Hour or 1Day).</param>
/// <param name="BarStart">The higher-timeframe bar's start (UTC), as stamped by <see cref="MarketData.BarResampler"/>.</param>
/// <param name="BarEnd">When that bar closed: start + length, cut at the session close; 1Day: the session close.</param>
/// <param name="Close">The higher-timeframe bar's close.</param>
/// <param name="FilteredPrice">Kalman filtered price on the higher-timeframe series.</param>
/// <param name="ProbabilityUp">Kalman P(velocity &gt; 0) on the higher-timeframe series.</param>
/// <param name="Regime">Regime label on the higher-timeframe series.</param>
/// <param name="Rsi">rsi_14 on the higher-timeframe series (null during its warm-up).</param>
/// <param name="Atr">atr_14 on the higher-timeframe series (null during its warm-up).</param>
/// <param name="Sma">sma_20 on the higher-timeframe series (null during its warm-up).</param>
/// <param name="Frame">The whole higher-timeframe <see cref="SignalFrame"/>, for any other column.</param>
public sealed record TimeframeFeatures(
    Timeframe Timeframe,
    DateTime BarStart,
    DateTime BarEnd,
    decimal Close,
    double FilteredPrice,
    double ProbabilityUp,
    MarketRegime Regime,
    double? Rsi,
    double? Atr,
    double? Sma,
    SignalFrame Frame);
