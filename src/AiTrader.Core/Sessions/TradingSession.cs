namespace AiTrader.Core.Sessions;

/// <summary>One exchange trading day with its session boundaries as UTC instants.</summary>
public sealed record TradingSession(
    DateOnly Date,
    DateTime PremarketOpenUtc,
    DateTime OpenUtc,
    DateTime CloseUtc,
    DateTime AfterHoursCloseUtc,
    bool IsEarlyClose)
{
    /// <summary>True when <paramref name="utc"/> lies in the regular session (open inclusive, close exclusive), or,
    /// with <paramref name="extendedHours"/>, anywhere from the pre-market open to the after-hours close.</summary>
    public bool Contains(DateTime utc, bool extendedHours = false) => extendedHours
        ? utc >= PremarketOpenUtc && utc < AfterHoursCloseUtc
        : utc >= OpenUtc && utc < CloseUtc;
}
