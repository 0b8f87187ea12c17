using AiTrader.Core.Domain;

namespace AiTrader.Core.Risk;

/// <summary>One counted day trade: a position in <paramref name="Symbol"/> opened and reduced on the same New York session date.</summary>
/// <param name="SessionDate">The New York session date of both legs.</param>
/// <param name="Symbol">The instrument.</param>
/// <param name="ClosedAtUtc">The time of the reducing fill that completed the round trip.</param>
public sealed record DayTrade(DateOnly SessionDate, Symbol Symbol, DateTime ClosedAtUtc);
