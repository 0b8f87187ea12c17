using AiTrader.Core.Journal;

namespace AiTrader.Core.Tests.Journal;

/// <summary>An <see cref="IJournal"/> in a list, with the stores' contract: ids from 1, first write wins per event key.</summary>
internal sealed class InMemoryJournal : IJournal
{
    private readonly List<JournalEntry> _entries = [];

    public IReadOnlyList<JournalEntry> Entries => _entries;

    public Task<JournalEntry> AppendAsync(JournalEntry entry, CancellationToken cancellationToken = default)
    {
        entry = entry.Normalize();
        if (entry.EventKey is not null && _entries.FirstOrDefault(e => e.EventKey == entry.EventKey) is { } existing)
        {
            return Task.FromResult(existing);
        }

        var stored = entry with { Id = _entries.Count + 1 };
        _entries.Add(stored);
        return Task.FromResult(stored);
    }

    public Task<IReadOnlyList<JournalEntry>> QueryAsync(JournalQuery query, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<JournalEntry>>([.. _entries.Where(query.Matches)]);

    public Task<JournalEntry?> FindByEventKeyAsync(string eventKey, CancellationToken cancellationToken = default) =>
        Task.FromResult(_entries.FirstOrDefault(e => e.EventKey == eventKey));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
