using AiTrader.Core.Backtesting;
using AiTrader.Core.Brokers;
using AiTrader.Core.Brokers.Paper;
using AiTrader.Core.Domain;
using AiTrader.Core.IO;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Agents;

/// <summary>The paper broker as a venue: fills against the loop's bars and snapshots itself to <c>paper/&lt;run-id&gt;.json</c>.</summary>
public sealed class PaperVenue : ITradingVenue
{
    private readonly string? _snapshotPath;
    private int _fillCursor;

    public PaperVenue(PaperBroker broker, string? snapshotPath = null)
    {
        ArgumentNullException.ThrowIfNull(broker);
        Paper = broker;
        _snapshotPath = snapshotPath;
        // Fills restored from a snapshot were journaled before the restart; events start after them.
        _fillCursor = broker.Fills.Count;
    }

    /// <summary>Opens the run's snapshot under <paramref name="snapshotPath"/> when there is one (a resume), else a fresh broker.</summary>
    public static async Task<PaperVenue> OpenAsync(string? snapshotPath, BacktestOptions costs, ITradingCalendar calendar,
        CancellationToken cancellationToken = default)
    {
        var broker = snapshotPath is not null && File.Exists(snapshotPath)
            ? PaperBroker.FromState(PaperBrokerState.FromJson(await File.ReadAllTextAsync(snapshotPath, cancellationToken).ConfigureAwait(false)), costs, calendar)
            : new PaperBroker(costs, calendar);
        return new PaperVenue(broker, snapshotPath);
    }

    public PaperBroker Paper { get; }

    public IBroker Broker => Paper;

    public decimal Cash => Paper.Cash;

    public decimal Equity => Paper.Equity;

    public DateTime? LastProcessedUtc
    {
        get => Paper.LastProcessedUtc;
        set => Paper.LastProcessedUtc = value;
    }

    public void OnBar(Symbol symbol, Bar bar) => Paper.OnBar(symbol, bar);

    public Task RefreshAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public decimal PositionOf(Symbol symbol) => Paper.PositionOf(symbol);

    public decimal? ProtectiveStop(Symbol symbol) => Paper.ProtectiveStop(symbol);

    public IReadOnlyList<VenueEvent> DrainEvents()
    {
        var events = new List<VenueEvent>();
        foreach (var update in Paper.DrainTradeUpdates())
        {
            if (update.Event is TradeUpdateEvent.Fill or TradeUpdateEvent.PartialFill)
            {
                // The broker books each execution before it queues its event, so fills and events line up one to one.
                var fill = Paper.Fills[_fillCursor++];
                events.Add(new VenueEvent(update, fill.ToFill(), fill.ExitReason));
            }
            else
            {
                events.Add(new VenueEvent(update, null));
            }
        }

        return events;
    }

    public void EndSession(DateTime closeUtc) => Paper.CancelSessionRemainders(closeUtc);

    public void Checkpoint()
    {
        if (_snapshotPath is not null)
        {
            AtomicFile.WriteAllText(_snapshotPath, Paper.ExportState().ToJson());
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
