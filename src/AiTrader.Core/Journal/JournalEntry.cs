using System.Text.Json;
using AiTrader.Core.Domain;

namespace AiTrader.Core.Journal;

/// <summary>One append-only journal line: what happened, when (UTC), to which order and why, plus a JSON payload.</summary>
/// <param name="Id">The store's monotonic sequence number; 0 for an entry not appended yet. Ids only grow but may have gaps.</param>
/// <param name="Timestamp">When it happened (the event's time, e.g. the fill time or the bar time of a replay), UTC.</param>
/// <param name="Kind">What it records.</param>
/// <param name="Symbol">The instrument, or null (a summary).</param>
/// <param name="Side">Buy or sell, when the entry is about an order.</param>
/// <param name="Quantity">Shares (positive for orders and fills; signed for a position).</param>
/// <param name="Price">Fill price, limit/estimated price, or a position's average price.</param>
/// <param name="OrderId">The broker's order id.</param>
/// <param name="ClientOrderId">Our idempotent client order id.</param>
/// <param name="Reason">Why, in the trader's words; a block's reason starts with the rule name (<c>pdt: ...</c>).</param>
/// <param name="Data">A JSON object with the numbers behind the entry (compact text), or null.</param>
/// <param name="EventKey">Optional idempotency key: a second append with the same key stores nothing and returns the first.</param>
public sealed record JournalEntry(
    long Id,
    DateTime Timestamp,
    JournalKind Kind,
    Symbol? Symbol,
    OrderSide? Side,
    decimal? Quantity,
    decimal? Price,
    string? OrderId,
    string? ClientOrderId,
    string Reason,
    string? Data = null,
    string? EventKey = null)
{
    /// <summary>A new entry (Id 0) with only the required fields; set the rest with <c>with</c>.</summary>
    public static JournalEntry Create(DateTime timestamp, JournalKind kind, string reason, Symbol? symbol = null) =>
        new(0, timestamp, kind, symbol, null, null, null, null, null, reason);

    /// <summary>Checks what every store requires: a UTC timestamp, a JSON object (or null) as data, a non-blank key when given.
    /// Returns the entry with its timestamp truncated to whole microseconds, the precision both stores keep.</summary>
    public JournalEntry Normalize()
    {
        if (Timestamp.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException($"Journal timestamp {Timestamp:O} must have Kind=Utc.", "entry");
        }

        if (Data is not null)
        {
            try
            {
                using var doc = JsonDocument.Parse(Data);
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    throw new ArgumentException("Journal data must be a JSON object.", "entry");
                }
            }
            catch (JsonException ex)
            {
                throw new ArgumentException($"Journal data is not valid JSON: {ex.Message}", "entry", ex);
            }
        }

        if (EventKey is not null && string.IsNullOrWhiteSpace(EventKey))
        {
            throw new ArgumentException("An event key must not be blank; use null for none.", "entry");
        }

        var micros = Timestamp.AddTicks(-(Timestamp.Ticks % TimeSpan.TicksPerMicrosecond));
        return this with { Timestamp = micros, Reason = Reason ?? string.Empty };
    }

    /// <summary>The New York session date the entry belongs to (an after-hours 00:30Z entry is the previous NY date).</summary>
    public DateOnly SessionDate => Sessions.ExchangeTime.SessionDate(Timestamp);
}
