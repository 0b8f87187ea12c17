namespace AiTrader.Core.Sessions;

/// <summary>One exchange trading day with its session boundaries as UTC instants.</summary>
public sealed record TradingSession(
    DateOnly Date,
    DateTime PremarketOpenUtc,
    DateTime OpenUtc,
    DateTime CloseUtc,
    DateTime AfterHoursCloseUtc,
    bool IsEarlyClose);
