namespace AiTrader.MarketData.Dal;

/// <summary>Behaviour switches of <see cref="MarketDataDal"/>.</summary>
public sealed record MarketDataDalOptions
{
    /// <summary>When a named vendor's key is missing: true = warn and serve the bundled sample data (backtests),
    /// false = fail with "&lt;KEY&gt; is not set; set it or use --vendor sample" (<c>aitrader fetch</c>).</summary>
    public bool FallbackToSampleWhenNoKey { get; init; }

    /// <summary>How long a short vendor answer (see <see cref="SessionCoverage"/>) stays in the cache before its range is
    /// asked again. Short on purpose: long enough that a run loading a symbol twice does not spend a second request of a
    /// 25-a-day quota, short enough that the next run revalidates it. Final answers never expire.</summary>
    public TimeSpan ProvisionalTtl { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Clock used to clip requests to bars that are already final.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
