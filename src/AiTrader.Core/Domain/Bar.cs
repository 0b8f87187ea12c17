namespace AiTrader.Core.Domain;

/// <summary>One OHLCV bar. <see cref="Timestamp"/> is the bar's open time in UTC (for daily bars: the session's
/// 09:30 ET open; use <see cref="Sessions.ExchangeTime.SessionDate"/> to get the trading date).</summary>
public readonly record struct Bar
{
    public Bar(DateTime timestamp, decimal open, decimal high, decimal low, decimal close, decimal volume,
        long? tradeCount = null, decimal? vwap = null)
    {
        if (timestamp.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException($"Bar timestamp {timestamp:O} must have Kind=Utc.", nameof(timestamp));
        }

        Timestamp = timestamp;
        Open = open;
        High = high;
        Low = low;
        Close = close;
        Volume = volume;
        TradeCount = tradeCount;
        Vwap = vwap;
    }

    public DateTime Timestamp { get; init; }
    public decimal Open { get; init; }
    public decimal High { get; init; }
    public decimal Low { get; init; }
    public decimal Close { get; init; }

    /// <summary>Shares traded. Decimal because split adjustment of a reverse split can make it fractional.</summary>
    public decimal Volume { get; init; }

    public long? TradeCount { get; init; }
    public decimal? Vwap { get; init; }

    /// <summary>True when high is the highest and low the lowest of the four prices and all are positive.</summary>
    public bool IsConsistent =>
        Low > 0 && High >= Low && High >= Open && High >= Close && Low <= Open && Low <= Close && Volume >= 0;
}
