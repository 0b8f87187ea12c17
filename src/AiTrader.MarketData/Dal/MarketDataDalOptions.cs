namespace AiTrader.MarketData.Dal;

/// <summary>Behaviour switches of <see cref="MarketDataDal"/>.</summary>
public sealed record MarketDataDalOptions
{
    /// <summary>When a named vendor's key is missing: true = warn and serve the bundled sample data (backtests),
    /// false = fail with "&lt;KEY&gt; is not set; set it or use --vendor sample" (<c>aitrader fetch</c>).</summary>
    public bool FallbackToSampleWhenNoKey { get; init; }

    /// <summary>Clock used to clip requests to bars that are already final.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
