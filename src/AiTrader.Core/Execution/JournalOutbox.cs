using System.Text.Json.Nodes;
using AiTrader.Core.Domain;
using AiTrader.Core.Journal;
using AiTrader.Core.Risk;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Execution;

/// <summary>Collects what the router and the venue did during a bar time as journal entries, keyed by the run so that
/// journaling them again after a restart is a no-op; the trading session appends them after each bar time.</summary>
/// <remarks>Every event key starts with <c>{runId}:</c>, which is also how a run's daily summary finds its own entries.</remarks>
public sealed class JournalOutbox(string runId) : IExecutionJournal
{
    private readonly List<JournalEntry> _entries = [];

    public string RunId { get; } = string.IsNullOrWhiteSpace(runId) ? throw new ArgumentException("A run id is required.", nameof(runId)) : runId;

    public int Count => _entries.Count;

    /// <summary>When false, nothing is collected (a resumed replay re-running bars it journaled before the restart).</summary>
    public bool Enabled { get; set; } = true;

    public void Decision(DateTime at, Symbol symbol, OrderIntent intent, decimal price)
    {
        if (Enabled)
        {
            _entries.Add(JournalingAgent.DecisionEntry(at, symbol, intent, price,
                $"{RunId}:decision:{symbol}:{Iso(at)}:{intent.Kind.ToString().ToLowerInvariant()}"));
        }
    }

    public void Rejected(Rejection rejection, GuardrailEvaluation? evaluation, string? clientOrderId)
    {
        ArgumentNullException.ThrowIfNull(rejection);
        if (!Enabled)
        {
            return;
        }

        var key = $"{RunId}:block:{rejection.Symbol}:{Iso(rejection.Timestamp)}:{rejection.Side.ToString().ToLowerInvariant()}:{rejection.Rule}";
        if (evaluation is not null && JournalingAgent.BlockEntry(evaluation, clientOrderId, key) is { } block)
        {
            _entries.Add(block);
            return;
        }

        var data = new JsonObject { ["rule"] = rejection.Rule, ["quantity"] = rejection.Quantity };
        _entries.Add(new JournalEntry(0, rejection.Timestamp, JournalKind.Decision, rejection.Symbol, rejection.Side,
            rejection.Quantity, null, null, clientOrderId, $"not sent: {rejection.Reason}", data.ToJsonString(), key));
    }

    public void Event(ExecutionEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (!Enabled)
        {
            return;
        }

        var id = e.ClientOrderId ?? e.Order.Id;
        switch (e.Kind)
        {
            case ExecutionEventKind.Accepted:
                _entries.Add(JournalingAgent.OrderEntry(e.Order, e.ClientOrderId, $"{RunId}:order:{id}"));
                break;
            case ExecutionEventKind.Fill when e.Fill is { } fill:
                _entries.Add(JournalingAgent.FillEntry(fill, e.ClientOrderId, e.ClosedTrade?.Pnl, e.Reason,
                    $"{RunId}:fill:{id}:{e.ExecutionId ?? Iso(fill.Timestamp)}"));
                break;
            case ExecutionEventKind.Cancelled:
                _entries.Add(JournalingAgent.CancelEntry(e.Timestamp, e.Order, e.Reason, e.ClientOrderId, e.FilledQuantity,
                    $"{RunId}:cancel:{id}"));
                break;
            case ExecutionEventKind.Rejected:
                _entries.Add(JournalingAgent.RejectEntry(e.Timestamp, e.Order, e.Reason, e.ClientOrderId, eventKey: $"{RunId}:reject:{id}"));
                break;
            case ExecutionEventKind.StopMoved:
                _entries.Add(JournalingAgent.OrderEntry(e.Order with { StopPrice = e.Price, CreatedAt = e.Timestamp, Reason = e.Reason },
                    e.ClientOrderId, $"{RunId}:amend:{id}:{Iso(e.Timestamp)}"));
                break;
        }
    }

    /// <summary>Appends what was collected, in order, and empties the outbox.</summary>
    public async Task FlushAsync(IJournal journal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(journal);
        foreach (var entry in _entries)
        {
            await journal.AppendAsync(entry, cancellationToken).ConfigureAwait(false);
        }

        _entries.Clear();
    }

    private static string Iso(DateTime utc) =>
        DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
