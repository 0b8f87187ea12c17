using AiTrader.Core.Domain;

namespace AiTrader.Core.Signals.MultiTimeframe;

/// <summary>One base (1Min) bar with the latest higher-timeframe values that had closed by the end of that bar; null until one has.</summary>
/// <param name="Timestamp">The base bar's open time (UTC); the row describes what is known at Timestamp + 1 minute.</param>
/// <param name="Close">The base bar's close.</param>
/// <param name="FiveMinutes">The latest closed 5Min bar's signals.</param>
/// <param name="FifteenMinutes">The latest closed 15Min bar's signals.</param>
/// <param name="OneHour">The latest closed 1Hour bar's signals.</param>
/// <param name="OneDay">The latest closed session's (1Day) signals.</param>
public sealed record MultiTimeframeRow(
    DateTime Timestamp,
    decimal Close,
    TimeframeFeatures? FiveMinutes,
    TimeframeFeatures? FifteenMinutes,
    TimeframeFeatures? OneHour,
    TimeframeFeatures? OneDay)
{
    /// <summary>The features of <paramref name="timeframe"/> (one of <see cref="MultiTimeframeFeatures.Timeframes"/>).</summary>
    public TimeframeFeatures? For(Timeframe timeframe) => timeframe.Minutes switch
    {
        5 => FiveMinutes,
        15 => FifteenMinutes,
        60 => OneHour,
        1440 => OneDay,
        _ => throw new ArgumentOutOfRangeException(nameof(timeframe), timeframe, "Multi-timeframe rows hold 5Min, 15Min, 1Hour and 1Day."),
    };
}
