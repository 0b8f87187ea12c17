namespace AiTrader.Core.Signals.Regimes;

/// <summary>The market state a <see cref="RegimeClassifier"/> assigns to a bar.</summary>
public enum MarketRegime
{
    /// <summary>Not enough history yet (filter warm-up, volatility window or percentile history not filled).</summary>
    Unknown,

    /// <summary>The filter is confident the trend velocity is positive.</summary>
    TrendingUp,

    /// <summary>The filter is confident the trend velocity is negative.</summary>
    TrendingDown,

    /// <summary>Neither a confident trend nor unusual volatility.</summary>
    Calm,

    /// <summary>Realized volatility is high relative to its own recent past; overrides the trend labels.</summary>
    Volatile,
}
