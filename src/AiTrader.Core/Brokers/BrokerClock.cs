namespace AiTrader.Core.Brokers;

/// <summary>The broker's market clock; every time is UTC.</summary>
public sealed record BrokerClock(DateTime Timestamp, bool IsOpen, DateTime NextOpen, DateTime NextClose);

/// <summary>One trading day from the broker's calendar; times are UTC instants of the New York session bounds.</summary>
/// <param name="Open">Regular-session open (09:30 New York).</param>
/// <param name="Close">Regular-session close (16:00, or 13:00 on early-close days).</param>
/// <param name="SessionOpen">Extended-hours start (04:00 New York) when the broker reports it.</param>
/// <param name="SessionClose">Extended-hours end (20:00 New York) when the broker reports it.</param>
public sealed record BrokerCalendarDay(DateOnly Date, DateTime Open, DateTime Close, DateTime? SessionOpen = null, DateTime? SessionClose = null)
{
    public bool IsEarlyClose => Close - Open < TimeSpan.FromHours(6.5);
}
