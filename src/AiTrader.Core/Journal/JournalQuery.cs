using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Journal;

/// <summary>A journal filter; every criterion left null matches everything. Results come in append (id) order.</summary>
/// <param name="Date">The New York session date (<see cref="ExchangeTime.SessionDate"/>) of the entries.</param>
/// <param name="Kind">Only this kind.</param>
/// <param name="Symbol">Only this instrument.</param>
public sealed record JournalQuery(DateOnly? Date = null, JournalKind? Kind = null, Symbol? Symbol = null)
{
    /// <summary>Everything.</summary>
    public static JournalQuery All { get; } = new();

    /// <summary>The UTC half-open range [start, end) of <see cref="Date"/>: New York midnight to the next midnight, DST included.</summary>
    public (DateTime StartUtc, DateTime EndUtc)? UtcRange =>
        Date is { } d ? (ExchangeTime.ToUtc(d, TimeOnly.MinValue), ExchangeTime.ToUtc(d.AddDays(1), TimeOnly.MinValue)) : null;

    /// <summary>True when <paramref name="entry"/> passes the filter (what a store's WHERE clause does).</summary>
    public bool Matches(JournalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return (Date is null || entry.SessionDate == Date)
            && (Kind is null || entry.Kind == Kind)
            && (Symbol is null || entry.Symbol == Symbol);
    }
}
