using System.Globalization;
using AiTrader.Core.Domain;
using AiTrader.Core.Journal;

namespace AiTrader.Application.Journal;

/// <summary>One page of the journal: a filter, at most <see cref="Limit"/> entries, newest first, before an entry id.</summary>
public sealed record JournalPageRequest(JournalQuery Query, int Limit = JournalPageRequest.DefaultLimit, long? BeforeId = null)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    /// <summary>Checks the filter as typed (query string or flags); errors name their field.</summary>
    public static JournalPageRequest Parse(string? date, string? kind, string? symbol, int? limit, long? beforeId)
    {
        DateOnly? day = null;
        if (!string.IsNullOrWhiteSpace(date))
        {
            day = DateOnly.TryParseExact(date.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
                ? d
                : throw new RequestException($"date '{date}' is not a date; use YYYY-MM-DD (a New York session date).", "date");
        }

        JournalKind? journalKind = null;
        if (!string.IsNullOrWhiteSpace(kind))
        {
            journalKind = JournalKinds.TryParse(kind, out var k)
                ? k
                : throw new RequestException($"kind '{kind}' is not a journal kind; use one of {string.Join(", ", JournalKinds.Names)}.", "kind");
        }

        Symbol? ticker = null;
        if (!string.IsNullOrWhiteSpace(symbol))
        {
            ticker = Symbol.TryParse(symbol, out var s, out var why) ? s : throw new RequestException($"symbol: {why}", "symbol");
        }

        var size = limit ?? DefaultLimit;
        if (size is < 1 or > MaxLimit)
        {
            throw new RequestException($"limit must be 1 to {MaxLimit} (got {size}).", "limit");
        }

        if (beforeId is < 1)
        {
            throw new RequestException($"before_id must be a positive entry id (got {beforeId}).", "before_id");
        }

        return new JournalPageRequest(new JournalQuery(day, journalKind, ticker), size, beforeId);
    }
}

/// <summary>A page of entries, newest first, and the cursor of the next (older) page: null when this is the last.</summary>
public sealed record JournalPage(IReadOnlyList<JournalEntry> Entries, long? NextBeforeId);

/// <summary>Reads the journal a page at a time, whoever asks (the service's <c>GET /api/journal</c>).</summary>
public static class JournalPages
{
    public static async Task<JournalPage> ReadAsync(IJournal journal, JournalPageRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(request);
        var all = await journal.QueryAsync(request.Query, ct);
        var older = all.Where(e => request.BeforeId is not { } before || e.Id < before).OrderByDescending(e => e.Id).Take(request.Limit + 1).ToList();
        var page = older.Take(request.Limit).ToList();
        return new JournalPage(page, older.Count > request.Limit ? page[^1].Id : null);
    }
}
