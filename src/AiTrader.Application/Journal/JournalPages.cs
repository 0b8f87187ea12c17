using AiTrader.Core.Domain;
using AiTrader.Core.Journal;
using AiTrader.Core.Risk;

namespace AiTrader.Application.Journal;

/// <summary>One page of the journal: a filter, at most <see cref="Limit"/> entries, newest first, before an entry id.</summary>
/// <param name="Rule">Only the blocks this guardrail rule decided (<see cref="DailySummary.RuleOf"/>: the rule named
/// first in the block's data, the one its reason starts with).</param>
public sealed record JournalPageRequest(JournalQuery Query, int Limit = JournalPageRequest.DefaultLimit, long? BeforeId = null, string? Rule = null)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    /// <summary>True when <paramref name="entry"/> passes the filter and the rule.</summary>
    public bool Matches(JournalEntry entry) =>
        Query.Matches(entry) && (Rule is null || (entry.Kind == JournalKind.Block && DailySummary.RuleOf(entry) == Rule));

    /// <summary>Checks the filter as typed (query string or flags); an error names the value as the caller spells it
    /// (<paramref name="dateName"/>, <paramref name="kindName"/>, <paramref name="symbolName"/>) and its field.</summary>
    public static JournalQuery Filter(string? date, string? kind, string? symbol, string dateName = "date", string kindName = "kind",
        string symbolName = "symbol")
    {
        var day = RequestChecks.OptionalDate(date, dateName);
        JournalKind? journalKind = null;
        if (!string.IsNullOrWhiteSpace(kind))
        {
            journalKind = JournalKinds.TryParse(kind, out var k)
                ? k
                : throw new RequestException($"{kindName} '{kind}' is not a journal kind; use one of {string.Join(", ", JournalKinds.Names)}.",
                    RequestChecks.Field(kindName));
        }

        Symbol? ticker = string.IsNullOrWhiteSpace(symbol) ? (Symbol?)null : RequestChecks.Symbol(symbol, symbolName);
        return new JournalQuery(day, journalKind, ticker);
    }

    /// <summary>Checks a page request as the service's query string types it; errors name their field.</summary>
    public static JournalPageRequest Parse(string? date, string? kind, string? symbol, int? limit, long? beforeId, string? rule = null)
    {
        var query = Filter(date, kind, symbol);
        var size = limit ?? DefaultLimit;
        if (size is < 1 or > MaxLimit)
        {
            throw new RequestException($"limit must be 1 to {MaxLimit} (got {size}).", "limit");
        }

        if (beforeId is < 1)
        {
            throw new RequestException($"before_id must be a positive entry id (got {beforeId}).", "before_id");
        }

        string? ruleName = null;
        if (!string.IsNullOrWhiteSpace(rule))
        {
            ruleName = rule.Trim().ToLowerInvariant();
            if (!GuardrailCatalog.Names.Contains(ruleName))
            {
                throw new RequestException($"rule '{rule}' is not a guardrail rule; use one of {string.Join(", ", GuardrailCatalog.Names)}.", "rule");
            }

            if (query.Kind is { } k && k != JournalKind.Block)
            {
                throw new RequestException($"rule picks guardrail blocks, but kind is '{k.ToText()}'; leave kind empty or use kind=block.", "rule");
            }
        }

        return new JournalPageRequest(query, size, beforeId, ruleName);
    }
}

/// <summary>A page of entries, newest first, and the cursor of the next (older) page: null when this is the last.</summary>
public sealed record JournalPage(IReadOnlyList<JournalEntry> Entries, long? NextBeforeId);

/// <summary>Reads the journal, whoever asks: a page at a time (the service's <c>GET /api/journal</c>), or every match
/// (its export, and <c>aitrader journal</c>).</summary>
public static class JournalPages
{
    public static async Task<JournalPage> ReadAsync(IJournal journal, JournalPageRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(request);
        var all = await MatchingAsync(journal, request, ct);
        var older = all.Where(e => request.BeforeId is not { } before || e.Id < before).OrderByDescending(e => e.Id).Take(request.Limit + 1).ToList();
        var page = older.Take(request.Limit).ToList();
        return new JournalPage(page, older.Count > request.Limit ? page[^1].Id : null);
    }

    /// <summary>Every entry the filter and rule match, oldest first, without paging (an export).</summary>
    public static async Task<IReadOnlyList<JournalEntry>> MatchingAsync(IJournal journal, JournalPageRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(request);
        var all = await journal.QueryAsync(request.Query with { Kind = request.Rule is null ? request.Query.Kind : JournalKind.Block }, ct);
        return request.Rule is null ? all : [.. all.Where(request.Matches)];
    }

    /// <summary>Each guardrail rule, in evaluation order, with how many blocks it decided among the entries the filter
    /// (date, symbol) matches; the kind and rule of <paramref name="request"/> are not applied.</summary>
    public static async Task<IReadOnlyList<(string Rule, int Blocks)>> BlocksByRuleAsync(IJournal journal, JournalPageRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(request);
        var blocks = await journal.QueryAsync(request.Query with { Kind = JournalKind.Block }, ct);
        var counts = blocks.GroupBy(DailySummary.RuleOf).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return [.. GuardrailCatalog.Names.Select(rule => (rule, counts.GetValueOrDefault(rule)))];
    }
}
