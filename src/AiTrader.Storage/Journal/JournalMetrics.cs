using System.Diagnostics.Metrics;
using AiTrader.Core.Journal;

namespace AiTrader.Storage;

/// <summary>What the journal records, as metrics on the platform's meter (<c>AiTrader</c>): orders, fills, guardrail
/// blocks by rule, rejects and the rest, counted when an entry is stored (a repeated event key stores nothing and counts
/// nothing), so the figures agree with the journal, which stays the source of truth.</summary>
internal static class JournalMetrics
{
    private static readonly Meter Meter = new("AiTrader");

    private static readonly Counter<long> Entries = Meter.CreateCounter<long>(
        "aitrader.journal.entries", "{entry}", "Journal entries stored, by kind (order, fill, block, ...) and, for blocks, the guardrail rule.");

    public static void Stored(JournalEntry entry)
    {
        if (entry.Kind == JournalKind.Block)
        {
            // A block's reason starts with the rule's name: "pdt: ...", "drawdown: ...".
            var colon = entry.Reason.IndexOf(':', StringComparison.Ordinal);
            var rule = colon is > 0 and <= 40 ? entry.Reason[..colon] : "unknown";
            Entries.Add(1, new("kind", entry.Kind.ToText()), new("rule", rule));
        }
        else
        {
            Entries.Add(1, new KeyValuePair<string, object?>("kind", entry.Kind.ToText()));
        }
    }
}
