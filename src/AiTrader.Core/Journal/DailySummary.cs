using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AiTrader.Core.Domain;
using AiTrader.Core.Risk;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Journal;

/// <summary>One New York session date's journal in numbers: orders, fills, realized P&amp;L, blocks by rule, day trades.</summary>
/// <param name="Date">The New York session date.</param>
/// <param name="Decisions">Decision entries.</param>
/// <param name="Orders">Order entries (submissions).</param>
/// <param name="Fills">Fill entries (a partial fill counts once per execution).</param>
/// <param name="Cancels">Cancel entries.</param>
/// <param name="Rejects">Reject entries.</param>
/// <param name="Blocks">Block entries: orders a guardrail refused.</param>
/// <param name="BlocksByRule">Blocks by the rule that decided (the first block in evaluation order), keyed by rule name.</param>
/// <param name="RealizedPnl">Realized P&amp;L of the day's fills, before fees.</param>
/// <param name="Fees">Commissions of the day's fills.</param>
/// <param name="DayTrades">Round trips opened and reduced on this date (the PDT rule's counting).</param>
/// <param name="Symbols">Instruments with a fill, in ordinal order.</param>
public sealed record DailySummary(
    DateOnly Date,
    int Decisions,
    int Orders,
    int Fills,
    int Cancels,
    int Rejects,
    int Blocks,
    IReadOnlyDictionary<string, int> BlocksByRule,
    decimal RealizedPnl,
    decimal Fees,
    int DayTrades,
    IReadOnlyList<Symbol> Symbols)
{
    /// <summary>
    /// Summarizes the entries of <paramref name="date"/> (others, and earlier summaries, are ignored). A fill whose data
    /// carries <c>realized_pnl</c> (the execution agent's own booking, which knows positions carried from earlier days)
    /// contributes that number; any other closing fill is booked at average cost against the day's earlier fills, as if
    /// the day started flat. Day trades are counted by <see cref="PatternDayTraderRule"/> from the same fills.
    /// </summary>
    public static DailySummary Build(DateOnly date, IEnumerable<JournalEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var day = entries.Where(e => e.SessionDate == date && e.Kind != JournalKind.Summary).OrderBy(e => e.Id).ToList();

        // Only the booking is borrowed from Portfolio; its cash is irrelevant here but must be positive.
        var book = new Portfolio(1m);
        var pdt = new PatternDayTraderRule(NyseCalendar.Instance);
        decimal realized = 0, fees = 0;
        var symbols = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var e in day.Where(e => e.Kind == JournalKind.Fill))
        {
            if (e.Symbol is not { } symbol || e.Side is not { } side || e.Quantity is not { } qty || e.Price is not { } price || qty <= 0)
            {
                throw new FormatException($"Journal fill #{e.Id} lacks a symbol, side, positive quantity or price.");
            }

            var fee = DataDecimal(e, "fee") ?? 0m;
            var fill = new Fill(e.OrderId ?? $"#{e.Id}", symbol, side, qty, price, fee, e.Timestamp);
            var booked = book.Apply(fill);
            realized += DataDecimal(e, "realized_pnl") ?? booked;
            fees += fee;
            pdt.OnFill(fill);
            symbols.Add(symbol.Value);
        }

        var byRule = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in day.Where(e => e.Kind == JournalKind.Block))
        {
            var rule = RuleOf(e);
            byRule[rule] = byRule.GetValueOrDefault(rule) + 1;
        }

        return new DailySummary(
            date,
            Count(day, JournalKind.Decision),
            // A stop move is journaled as an amendment of its order (key ...:amend:...), not as another order.
            day.Count(e => e.Kind == JournalKind.Order && e.EventKey?.Contains(":amend:", StringComparison.Ordinal) != true),
            Count(day, JournalKind.Fill),
            Count(day, JournalKind.Cancel),
            Count(day, JournalKind.Reject),
            Count(day, JournalKind.Block),
            byRule,
            realized,
            fees,
            pdt.DayTrades.Count(t => t.SessionDate == date),
            [.. symbols.Select(s => new Symbol(s))]);
    }

    /// <summary>The rule of a block entry: its data's <c>rule</c>, else the reason's prefix before the first ':'.</summary>
    public static string RuleOf(JournalEntry block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.Data is not null)
        {
            using var doc = JsonDocument.Parse(block.Data);
            if (doc.RootElement.TryGetProperty("rule", out var r) && r.ValueKind == JsonValueKind.String)
            {
                return r.GetString()!;
            }
        }

        var colon = block.Reason.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? block.Reason[..colon].Trim() : block.Reason.Trim();
    }

    /// <summary>One line for the summary entry's reason, e.g. <c>orders 3, fills 4, realized $250.00, fees $2.00, blocks 2 (pdt 1, rate 1), day trades 1</c>.</summary>
    public override string ToString()
    {
        var blocks = BlocksByRule.Count == 0 ? "" : $" ({string.Join(", ", BlocksByRule.Select(kv => $"{kv.Key} {kv.Value}"))})";
        return $"{Date:yyyy-MM-dd}: orders {Orders}, fills {Fills}, cancels {Cancels}, rejects {Rejects}, " +
            $"realized {Money(RealizedPnl)}, fees {Money(Fees)}, blocks {Blocks}{blocks}, day trades {DayTrades}";
    }

    /// <summary>The summary as a compact JSON object (snake_case), the data of the summary entry.</summary>
    public string ToJson()
    {
        var blocks = new JsonObject();
        foreach (var (rule, n) in BlocksByRule)
        {
            blocks[rule] = n;
        }

        return new JsonObject
        {
            ["date"] = Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["decisions"] = Decisions,
            ["orders"] = Orders,
            ["fills"] = Fills,
            ["cancels"] = Cancels,
            ["rejects"] = Rejects,
            ["blocks"] = Blocks,
            ["blocks_by_rule"] = blocks,
            ["realized_pnl"] = RealizedPnl,
            ["fees"] = Fees,
            ["day_trades"] = DayTrades,
            ["symbols"] = new JsonArray([.. Symbols.Select(s => (JsonNode)JsonValue.Create(s.Value))]),
        }.ToJsonString();
    }

    private static int Count(List<JournalEntry> day, JournalKind kind) => day.Count(e => e.Kind == kind);

    private static decimal? DataDecimal(JournalEntry e, string name)
    {
        if (e.Data is null)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(e.Data);
        return doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDecimal() : null;
    }

    private static string Money(decimal amount) =>
        (amount < 0 ? "-$" : "$") + Math.Abs(amount).ToString("N2", CultureInfo.InvariantCulture);
}
