using System.Diagnostics.Metrics;

namespace AiTrader.MarketData.Streaming;

/// <summary>The market-data stream as metrics on the platform's meter (<c>AiTrader</c>): how late each live bar arrives.</summary>
internal static class StreamMetrics
{
    private static readonly Meter Meter = new("AiTrader");

    private static readonly Histogram<double> LagSeconds = Meter.CreateHistogram<double>(
        "aitrader.stream.lag", "s", "From a live minute bar's close to its arrival from the stream.");

    public static void Lag(TimeSpan lag) => LagSeconds.Record(lag.TotalSeconds);
}
