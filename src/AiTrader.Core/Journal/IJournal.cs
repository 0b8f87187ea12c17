namespace AiTrader.Core.Journal;

/// <summary>An append-only trading journal: entries can be added and read, never changed or removed.</summary>
public interface IJournal : IAsyncDisposable
{
    /// <summary>Appends <paramref name="entry"/> (its Id is ignored) and returns it as stored, with its id. When
    /// <see cref="JournalEntry.EventKey"/> was already journaled, nothing is written and the entry first stored under
    /// that key is returned: a restarted loop that re-emits the same fill does not duplicate it.</summary>
    Task<JournalEntry> AppendAsync(JournalEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Entries matching <paramref name="query"/>, in append (id) order.</summary>
    Task<IReadOnlyList<JournalEntry>> QueryAsync(JournalQuery query, CancellationToken cancellationToken = default);

    /// <summary>The entry stored under <paramref name="eventKey"/>, or null; lets a restarted loop see what it already did.</summary>
    Task<JournalEntry?> FindByEventKeyAsync(string eventKey, CancellationToken cancellationToken = default);
}
