using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using AiTrader.Core.Domain;
using AiTrader.Core.Risk;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Journal;

/// <summary>Turns trading events (decisions, guardrail blocks, orders, fills, cancels, rejects, positions) into journal entries.</summary>
/// <remarks>
/// Every entry is stamped with the event's own time (the fill time, the check's clock, the bar time of a replay), never
/// the wall clock, so a replay journals the simulated session. Each method has a default event key derived from the
/// event, so a restarted loop that re-emits the same event is not journaled twice; pass <c>eventKey</c> to override.
/// </remarks>
public sealed class JournalingAgent
{
    private readonly ConcurrentQueue<GuardrailEvaluation> _pendingBlocks = new();

    public JournalingAgent(IJournal journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        Journal = journal;
        GuardrailCallback = evaluation =>
        {
            if (evaluation is { IsAllowed: false })
            {
                _pendingBlocks.Enqueue(evaluation);
            }
        };
    }

    public IJournal Journal { get; }

    /// <summary>The synchronous callback for <see cref="GuardrailSet"/>'s journal parameter: queues blocked evaluations
    /// (allowed ones are dropped) until <see cref="FlushAsync"/> appends them.</summary>
    public Action<GuardrailEvaluation> GuardrailCallback { get; }

    /// <summary>Appends the blocks queued by <see cref="GuardrailCallback"/>, in order. Returns how many were appended.</summary>
    public async Task<int> FlushAsync(CancellationToken cancellationToken = default)
    {
        var n = 0;
        while (_pendingBlocks.TryPeek(out var evaluation))
        {
            await RecordEvaluationAsync(evaluation, cancellationToken: cancellationToken).ConfigureAwait(false);
            _pendingBlocks.TryDequeue(out _);
            n++;
        }

        return n;
    }

    /// <summary>A policy decision from an <see cref="OrderIntent"/>. Default key: <c>decision:{symbol}:{utc}:{intent kind}</c>.</summary>
    public Task<JournalEntry> RecordDecisionAsync(DateTime utc, Symbol symbol, OrderIntent intent, decimal? price = null,
        string? eventKey = null, CancellationToken cancellationToken = default) =>
        Journal.AppendAsync(DecisionEntry(utc, symbol, intent, price, eventKey), cancellationToken);

    /// <summary>The entry <see cref="RecordDecisionAsync(DateTime, Symbol, OrderIntent, decimal?, string?, CancellationToken)"/> appends.</summary>
    public static JournalEntry DecisionEntry(DateTime utc, Symbol symbol, OrderIntent intent, decimal? price = null, string? eventKey = null)
    {
        ArgumentNullException.ThrowIfNull(intent);
        var data = new JsonObject
        {
            ["intent"] = intent.Kind.ToString().ToLowerInvariant(),
            ["order_type"] = intent.Type.ToString().ToLowerInvariant(),
            ["stop_price"] = intent.StopPrice,
        };
        return new JournalEntry(0, utc, JournalKind.Decision, symbol, intent.Side, intent.Quantity, price, null, null,
            intent.Reason, Compact(data), eventKey ?? $"decision:{symbol}:{Iso(utc)}:{intent.Kind.ToString().ToLowerInvariant()}");
    }

    /// <summary>A free-form decision (e.g. "no entry: regime is choppy"); no event key unless given.</summary>
    public Task<JournalEntry> RecordDecisionAsync(DateTime utc, Symbol? symbol, string reason, JsonObject? data = null,
        string? eventKey = null, CancellationToken cancellationToken = default) =>
        Journal.AppendAsync(new JournalEntry(0, utc, JournalKind.Decision, symbol, null, null, null, null, null, reason,
            data is null ? null : Compact(data), eventKey), cancellationToken);

    /// <summary>
    /// A blocked order as one <c>block</c> entry stamped with the check's clock: reason = the first block's reason
    /// (<c>"{rule}: {numbers}"</c>), data = the deciding rule, every broken rule with its reason, and the account numbers.
    /// Returns null (nothing journaled) when the evaluation allowed the order. Default key:
    /// <c>block:{clientOrderId}</c>, else <c>block:{symbol}:{side}:{quantity}:{utc}</c>.
    /// </summary>
    public async Task<JournalEntry?> RecordEvaluationAsync(GuardrailEvaluation evaluation, string? clientOrderId = null,
        string? eventKey = null, CancellationToken cancellationToken = default) =>
        BlockEntry(evaluation, clientOrderId, eventKey) is { } entry
            ? await Journal.AppendAsync(entry, cancellationToken).ConfigureAwait(false)
            : null;

    /// <summary>The entry <see cref="RecordEvaluationAsync"/> appends, or null for an allowed order.</summary>
    public static JournalEntry? BlockEntry(GuardrailEvaluation evaluation, string? clientOrderId = null, string? eventKey = null)
    {
        ArgumentNullException.ThrowIfNull(evaluation);
        if (evaluation.FirstBlock is not { } first)
        {
            return null;
        }

        var check = evaluation.Check;
        var blocks = new JsonArray();
        foreach (var b in evaluation.Blocks)
        {
            blocks.Add(new JsonObject { ["rule"] = b.Rule, ["reason"] = b.Reason, ["allowed_quantity"] = b.AllowedQuantity });
        }

        var data = new JsonObject
        {
            ["rule"] = first.Rule,
            ["blocks"] = blocks,
            ["is_opening"] = check.IsOpening,
            ["is_protective"] = check.IsProtective,
            ["equity"] = check.Account.Equity,
            ["cash"] = check.Account.Cash,
            ["position_quantity"] = check.CurrentPosition.Quantity,
            ["broker_reports_pdt"] = check.Account.BrokerReportsPdt,
        };
        var key = eventKey
            ?? (clientOrderId is not null
                ? $"block:{clientOrderId}"
                : $"block:{check.Symbol}:{Side(check.Side)}:{Number(check.Quantity)}:{Iso(check.UtcNow)}");
        return new JournalEntry(0, check.UtcNow, JournalKind.Block, check.Symbol, check.Side, check.Quantity,
            check.EstimatedPrice, null, clientOrderId, first.Reason!, Compact(data), key);
    }

    /// <summary>A submitted order, stamped with its creation time. Default key: <c>order:{clientOrderId ?? order.Id}</c>.</summary>
    public Task<JournalEntry> RecordOrderAsync(Order order, string? clientOrderId = null, string? eventKey = null,
        CancellationToken cancellationToken = default) =>
        Journal.AppendAsync(OrderEntry(order, clientOrderId, eventKey), cancellationToken);

    /// <summary>The entry <see cref="RecordOrderAsync"/> appends.</summary>
    public static JournalEntry OrderEntry(Order order, string? clientOrderId = null, string? eventKey = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        var data = new JsonObject
        {
            ["order_type"] = order.Type.ToString().ToLowerInvariant(),
            ["limit_price"] = order.LimitPrice,
            ["stop_price"] = order.StopPrice,
        };
        return OrderEntry(order.CreatedAt, JournalKind.Order, order, clientOrderId, order.Reason, data)
            with
        { Price = order.LimitPrice ?? order.StopPrice, EventKey = eventKey ?? $"order:{clientOrderId ?? order.Id}" };
    }

    /// <summary>
    /// An execution, stamped with the fill time; data holds the fee and, when the caller booked it, the realized P&amp;L
    /// (which <see cref="DailySummary"/> then uses). Default key: <c>fill:{orderId}:{utc}:{quantity}@{price}</c>; pass the
    /// broker's execution id as the key when there is one.
    /// </summary>
    public Task<JournalEntry> RecordFillAsync(Fill fill, string? clientOrderId = null, decimal? realizedPnl = null,
        string reason = "", string? eventKey = null, CancellationToken cancellationToken = default) =>
        Journal.AppendAsync(FillEntry(fill, clientOrderId, realizedPnl, reason, eventKey), cancellationToken);

    /// <summary>The entry <see cref="RecordFillAsync"/> appends.</summary>
    public static JournalEntry FillEntry(Fill fill, string? clientOrderId = null, decimal? realizedPnl = null, string reason = "",
        string? eventKey = null)
    {
        ArgumentNullException.ThrowIfNull(fill);
        var data = new JsonObject { ["fee"] = fill.Fee };
        if (realizedPnl is { } pnl)
        {
            data["realized_pnl"] = pnl;
        }

        return new JournalEntry(0, fill.Timestamp, JournalKind.Fill, fill.Symbol, fill.Side, fill.Quantity, fill.Price,
            fill.OrderId, clientOrderId, reason, Compact(data),
            eventKey ?? $"fill:{fill.OrderId}:{Iso(fill.Timestamp)}:{Number(fill.Quantity)}@{Number(fill.Price)}");
    }

    /// <summary>A cancelled (or expired) order. Default key: <c>cancel:{order.Id}</c>.</summary>
    public Task<JournalEntry> RecordCancelAsync(DateTime utc, Order order, string reason, string? clientOrderId = null,
        decimal? filledQuantity = null, string? eventKey = null, CancellationToken cancellationToken = default) =>
        Journal.AppendAsync(CancelEntry(utc, order, reason, clientOrderId, filledQuantity, eventKey), cancellationToken);

    /// <summary>The entry <see cref="RecordCancelAsync"/> appends.</summary>
    public static JournalEntry CancelEntry(DateTime utc, Order order, string reason, string? clientOrderId = null,
        decimal? filledQuantity = null, string? eventKey = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        var data = new JsonObject { ["filled_quantity"] = filledQuantity };
        return OrderEntry(utc, JournalKind.Cancel, order, clientOrderId, reason, data)
            with
        { EventKey = eventKey ?? $"cancel:{order.Id}" };
    }

    /// <summary>A broker rejection with the broker's reason (e.g. a 403 PDT refusal). Default key: <c>reject:{order.Id}</c>.</summary>
    public Task<JournalEntry> RecordRejectAsync(DateTime utc, Order order, string reason, string? clientOrderId = null,
        int? statusCode = null, string? eventKey = null, CancellationToken cancellationToken = default) =>
        Journal.AppendAsync(RejectEntry(utc, order, reason, clientOrderId, statusCode, eventKey), cancellationToken);

    /// <summary>The entry <see cref="RecordRejectAsync"/> appends.</summary>
    public static JournalEntry RejectEntry(DateTime utc, Order order, string reason, string? clientOrderId = null,
        int? statusCode = null, string? eventKey = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        var data = new JsonObject { ["status_code"] = statusCode };
        return OrderEntry(utc, JournalKind.Reject, order, clientOrderId, reason, data)
            with
        { EventKey = eventKey ?? $"reject:{order.Id}" };
    }

    /// <summary>A position change: quantity is the new signed quantity (0 = flat), price its average entry price.
    /// Default key: <c>position:{symbol}:{utc}:{quantity}</c>.</summary>
    public Task<JournalEntry> RecordPositionAsync(DateTime utc, Symbol symbol, decimal quantity, decimal averagePrice,
        string reason = "", decimal? realizedPnl = null, string? eventKey = null, CancellationToken cancellationToken = default)
    {
        var data = new JsonObject { ["realized_pnl"] = realizedPnl };
        var side = quantity > 0 ? OrderSide.Buy : quantity < 0 ? OrderSide.Sell : (OrderSide?)null;
        var entry = new JournalEntry(0, utc, JournalKind.Position, symbol, side, quantity, averagePrice, null, null, reason,
            Compact(data), eventKey ?? $"position:{symbol}:{Iso(utc)}:{Number(quantity)}");
        return Journal.AppendAsync(entry, cancellationToken);
    }

    /// <summary>Builds the <see cref="DailySummary"/> of <paramref name="date"/> from the journal; with
    /// <paramref name="runId"/>, from that run's entries only (their event keys start with <c>{runId}:</c>).</summary>
    public async Task<DailySummary> SummarizeAsync(DateOnly date, CancellationToken cancellationToken = default, string? runId = null)
    {
        var entries = await Journal.QueryAsync(new JournalQuery(Date: date), cancellationToken).ConfigureAwait(false);
        if (runId is not null)
        {
            var prefix = runId + ":";
            entries = entries.Where(e => e.EventKey?.StartsWith(prefix, StringComparison.Ordinal) == true).ToList();
        }

        return DailySummary.Build(date, entries);
    }

    /// <summary>Summarizes <paramref name="date"/> and journals it as a <c>summary</c> entry at <paramref name="utc"/>
    /// (after the close). Key <c>summary:{date}</c>, or <c>{runId}:summary:{date}</c> for one run's entries, so a
    /// restarted after-hours phase does not write a second one and two runs never share one.</summary>
    public async Task<JournalEntry> RecordSummaryAsync(DateOnly date, DateTime utc, CancellationToken cancellationToken = default,
        string? runId = null)
    {
        var summary = await SummarizeAsync(date, cancellationToken, runId).ConfigureAwait(false);
        var key = runId is null ? $"summary:{date:yyyy-MM-dd}" : $"{runId}:summary:{date:yyyy-MM-dd}";
        var entry = new JournalEntry(0, utc, JournalKind.Summary, null, null, null, null, null, null, summary.ToString(),
            summary.ToJson(), key);
        var existing = await Journal.FindByEventKeyAsync(key, cancellationToken).ConfigureAwait(false);
        return existing ?? await Journal.AppendAsync(entry, cancellationToken).ConfigureAwait(false);
    }

    private static JournalEntry OrderEntry(DateTime utc, JournalKind kind, Order order, string? clientOrderId, string reason, JsonObject data) =>
        new(0, utc, kind, order.Symbol, order.Side, order.Quantity, order.LimitPrice ?? order.StopPrice, order.Id, clientOrderId,
            reason, Compact(data));

    // Nulls are dropped so the payload only carries what is known.
    private static string? Compact(JsonObject data)
    {
        foreach (var name in data.Where(kv => kv.Value is null).Select(kv => kv.Key).ToList())
        {
            data.Remove(name);
        }

        return data.Count == 0 ? null : data.ToJsonString();
    }

    private static string Iso(DateTime utc) => utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", CultureInfo.InvariantCulture);

    private static string Number(decimal value) => value.ToString("0.############", CultureInfo.InvariantCulture);

    private static string Side(OrderSide side) => side == OrderSide.Buy ? "buy" : "sell";
}
