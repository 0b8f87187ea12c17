using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AiTrader.Core.Brokers;
using AiTrader.Core.Domain;
using AiTrader.Core.Journal;
using AiTrader.Core.Risk;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Agents;

/// <summary>What one call of <see cref="ExecutionAgent.ExecuteAsync"/> did: orders sent (or found already sent) and blocks by rule.</summary>
public sealed record ExecutionReport(IReadOnlyList<BrokerOrder> Orders, IReadOnlyList<GuardrailEvaluation> Blocks);

/// <summary>Turns intents into broker orders: guardrail check, deterministic client order id, protective stops, journaling.</summary>
/// <remarks>
/// Client order ids are derived from (run id, symbol, decision bar time, intent kind), so a restarted loop that makes the
/// same decision again submits the same id and the broker returns the order it already has. Every decision, block,
/// order, fill and cancel is journaled with an event key built from those ids, so re-journaling is a no-op.
/// The <see cref="GuardrailSet"/> should be built without a journal callback: this agent journals blocks itself, keyed
/// by the client order id.
/// </remarks>
public sealed class ExecutionAgent
{
    private readonly IBroker _broker;
    private readonly GuardrailSet _guardrails;
    private readonly JournalingAgent _journal;

    public ExecutionAgent(IBroker broker, GuardrailSet guardrails, JournalingAgent journal, string runId)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(guardrails);
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        _broker = broker;
        _guardrails = guardrails;
        _journal = journal;
        RunId = runId.Trim();
    }

    public string RunId { get; }

    /// <summary>The idempotency key of one decision: readable when it fits in 48 characters, else a hash of the same tuple.</summary>
    public static string ClientOrderId(string runId, Symbol symbol, DateTime decisionUtc, string kind)
    {
        var id = string.Create(CultureInfo.InvariantCulture, $"{runId}-{symbol}-{decisionUtc:yyyyMMddHHmm}-{kind}");
        if (id.Length <= BrokerOrderRequest.MaxClientOrderIdLength)
        {
            return id;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
        return "h-" + hash[..40];
    }

    /// <summary>Checks, submits and journals <paramref name="intents"/> decided at <paramref name="decisionBar"/>'s close.</summary>
    public async Task<ExecutionReport> ExecuteAsync(Symbol symbol, Bar decisionBar, IReadOnlyList<OrderIntent> intents,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(intents);
        var orders = new List<BrokerOrder>();
        var blocks = new List<GuardrailEvaluation>();
        var at = decisionBar.Timestamp;
        // Orders still working for this symbol (a volume-capped paper order, a live order not yet filled): a new entry or
        // exit on the same side would double it.
        var working = intents.Count == 0
            ? []
            : (await _broker.GetOrdersAsync(OrderStatusFilter.Open, cancellationToken: cancellationToken).ConfigureAwait(false))
                .Where(o => o.Symbol == symbol && (o.Type != BrokerOrderType.Stop || o.FilledQuantity > 0))
                .ToList();
        foreach (var intent in intents)
        {
            var kind = intent.Kind.ToString().ToLowerInvariant();
            await _journal.RecordDecisionAsync(at, symbol, intent, decisionBar.Close,
                eventKey: $"{RunId}:decision:{symbol}:{at:O}:{kind}", cancellationToken: cancellationToken).ConfigureAwait(false);

            var account = await SnapshotAsync(cancellationToken).ConfigureAwait(false);
            var position = account.PositionOf(symbol).Quantity;
            switch (intent.Kind)
            {
                case IntentKind.Entry when intent.Quantity is { } quantity and > 0 && working.Any(o => o.Side == intent.Side):
                    break;
                case IntentKind.Entry when intent.Quantity is { } quantity and > 0:
                    {
                        var id = ClientOrderId(RunId, symbol, at, "entry");
                        var check = new OrderCheck(symbol, intent.Side, quantity, decisionBar.Close, isOpening: true, account, at);
                        if (!await AllowedAsync(check, id, blocks, cancellationToken).ConfigureAwait(false))
                        {
                            break;
                        }

                        orders.Add(await SubmitAsync(new BrokerOrderRequest(id, symbol, intent.Side, quantity, TimeInForce: TimeInForce.Gtc),
                            at, intent.Reason, cancellationToken).ConfigureAwait(false));
                        if (intent.StopPrice is { } stop)
                        {
                            await CancelStopsAsync(symbol, cancellationToken).ConfigureAwait(false);
                            var stopSide = intent.Side == OrderSide.Buy ? OrderSide.Sell : OrderSide.Buy;
                            var stopId = ClientOrderId(RunId, symbol, at, "stop");
                            orders.Add(await SubmitAsync(new BrokerOrderRequest(stopId, symbol, stopSide, Math.Abs(position) + quantity,
                                BrokerOrderType.Stop, TimeInForce.Gtc, StopPrice: stop), at, "protective stop: " + intent.Reason,
                                cancellationToken).ConfigureAwait(false));
                        }

                        break;
                    }

                case IntentKind.Exit when Math.Sign(position) == (intent.PositionSide == PositionSide.Long ? 1 : -1):
                    {
                        var id = ClientOrderId(RunId, symbol, at, "exit");
                        var check = new OrderCheck(symbol, intent.Side, Math.Abs(position), decisionBar.Close, isOpening: false, account, at);
                        if (!await AllowedAsync(check, id, blocks, cancellationToken).ConfigureAwait(false))
                        {
                            break;
                        }

                        if (working.Any(o => o.Side == intent.Side))
                        {
                            break; // an exit is already working
                        }

                        // The exit takes the whole position, so the resting stop (and the rest of a working entry) has
                        // nothing left to protect or add to.
                        await CancelStopsAsync(symbol, cancellationToken).ConfigureAwait(false);
                        foreach (var entry in working.Where(o => o.Side != intent.Side && !o.IsTerminal && o.Type != BrokerOrderType.Stop))
                        {
                            await _broker.CancelOrderAsync(entry.Id, cancellationToken).ConfigureAwait(false);
                        }

                        orders.Add(await SubmitAsync(new BrokerOrderRequest(id, symbol, intent.Side, Math.Abs(position), TimeInForce: TimeInForce.Gtc),
                            at, intent.Reason, cancellationToken).ConfigureAwait(false));
                        break;
                    }

                case IntentKind.MoveStop when intent.StopPrice is { } level
                    && Math.Sign(position) == (intent.PositionSide == PositionSide.Long ? 1 : -1):
                    {
                        var id = ClientOrderId(RunId, symbol, at, "trail");
                        var check = new OrderCheck(symbol, intent.Side, Math.Abs(position), level, isOpening: false, account, at)
                        {
                            IsProtective = true,
                        };
                        if (!await AllowedAsync(check, id, blocks, cancellationToken).ConfigureAwait(false))
                        {
                            break;
                        }

                        await CancelStopsAsync(symbol, cancellationToken).ConfigureAwait(false);
                        orders.Add(await SubmitAsync(new BrokerOrderRequest(id, symbol, intent.Side, Math.Abs(position), BrokerOrderType.Stop,
                            TimeInForce.Gtc, StopPrice: level), at, intent.Reason, cancellationToken).ConfigureAwait(false));
                        break;
                    }
            }
        }

        return new ExecutionReport(orders, blocks);
    }

    /// <summary>Journals a broker event (fill, cancel, reject); event keys use the client order id so a replay journals it once.</summary>
    /// <param name="fee">The commission of a fill (the trade-update stream does not carry it).</param>
    public async Task RecordUpdateAsync(TradeUpdate update, decimal fee = 0m, string reason = "", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        var o = update.Order;
        var at = update.Timestamp ?? o.UpdatedAt ?? o.CreatedAt;
        switch (update.Event)
        {
            case TradeUpdateEvent.Fill or TradeUpdateEvent.PartialFill when update.Price is { } price && update.Quantity is { } quantity:
                var fill = new Fill(o.Id, o.Symbol, o.Side, quantity, price, 0m, at);
                await _journal.RecordFillAsync(fill with { Fee = fee }, o.ClientOrderId, reason: reason,
                    eventKey: $"fill:{o.ClientOrderId}:{update.ExecutionId}", cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
            case TradeUpdateEvent.Canceled or TradeUpdateEvent.Expired:
                await _journal.RecordCancelAsync(at, ToOrder(o, reason), reason, o.ClientOrderId, o.FilledQuantity,
                    $"cancel:{o.ClientOrderId}", cancellationToken).ConfigureAwait(false);
                break;
            case TradeUpdateEvent.Rejected:
                await _journal.RecordRejectAsync(at, ToOrder(o, reason), update.RawEvent, o.ClientOrderId,
                    eventKey: $"reject:{o.ClientOrderId}", cancellationToken: cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private async Task<bool> AllowedAsync(OrderCheck check, string clientOrderId, List<GuardrailEvaluation> blocks,
        CancellationToken cancellationToken)
    {
        // A decision replayed after a restart already went out: do not spend a rate slot or a PDT count on it again.
        if (await _broker.FindOrderByClientOrderIdAsync(clientOrderId, cancellationToken).ConfigureAwait(false) is not null)
        {
            return true;
        }

        var evaluation = _guardrails.Evaluate(check);
        if (evaluation.IsAllowed)
        {
            return true;
        }

        blocks.Add(evaluation);
        await _journal.RecordEvaluationAsync(evaluation, clientOrderId, cancellationToken: cancellationToken).ConfigureAwait(false);
        return false;
    }

    private async Task<BrokerOrder> SubmitAsync(BrokerOrderRequest request, DateTime at, string reason, CancellationToken cancellationToken)
    {
        var order = await _broker.SubmitOrderAsync(request, cancellationToken).ConfigureAwait(false);
        await _journal.RecordOrderAsync(ToOrder(order, reason) with { CreatedAt = at }, order.ClientOrderId,
            cancellationToken: cancellationToken).ConfigureAwait(false);
        return order;
    }

    private async Task CancelStopsAsync(Symbol symbol, CancellationToken cancellationToken)
    {
        var open = await _broker.GetOrdersAsync(OrderStatusFilter.Open, cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var stop in open.Where(o => o.Symbol == symbol && o.Type == BrokerOrderType.Stop))
        {
            await _broker.CancelOrderAsync(stop.Id, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<AccountSnapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        var account = await _broker.GetAccountAsync(cancellationToken).ConfigureAwait(false);
        var positions = await _broker.GetPositionsAsync(cancellationToken).ConfigureAwait(false);
        return new AccountSnapshot(account.Equity, account.Cash,
            positions.ToDictionary(p => p.Symbol, p => new PositionSnapshot(p.Quantity, p.CurrentPrice ?? p.AverageEntryPrice)),
            account.PatternDayTrader);
    }

    private static Order ToOrder(BrokerOrder o, string reason) =>
        new(o.Id, o.Symbol, o.Side, o.Quantity, o.Type switch
        {
            BrokerOrderType.Stop or BrokerOrderType.StopLimit or BrokerOrderType.TrailingStop => OrderType.Stop,
            BrokerOrderType.Limit => OrderType.Limit,
            _ => OrderType.Market,
        }, o.CreatedAt, o.LimitPrice, o.StopPrice, reason);
}
