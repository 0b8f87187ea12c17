using System.Globalization;
using System.Text.Json;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.Journal;

namespace AiTrader.Core.Reporting;

/// <summary>A trading run's orders, fills, cancels, stop moves and round trips as its journal recorded them (the entries
/// whose event keys start with <c>{runId}:</c>, as <see cref="JournalOutbox"/> writes them), so that a paper or live
/// session's orders render as a backtest's orders.csv (<see cref="OrderLogWriter"/>, stop paths included) and its trades
/// as trades.csv: the dashboard's chart draws either with the same code.</summary>
public sealed record RunOrderLog(
    IReadOnlyList<Order> Orders,
    IReadOnlyList<Fill> Fills,
    IReadOnlyList<Cancellation> Cancellations,
    IReadOnlyList<StopAmendment> StopAmendments,
    IReadOnlyList<TradeRecord> Trades)
{
    /// <summary>The run's log from <paramref name="entries"/> in append order (entries of other runs are skipped).</summary>
    /// <remarks>A stop moved at a real broker is replaced by a new order with a new id; a move whose order id is not one of
    /// the run's orders moves the stop of its symbol still working, and that stop's later fills and cancels under the new
    /// id are the same order's (the engine keeps one protective stop per symbol).</remarks>
    public static RunOrderLog FromJournal(IEnumerable<JournalEntry> entries, string runId)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        var prefix = runId + ":";
        var orders = new List<Order>();
        var byId = new Dictionary<string, Order>(StringComparer.Ordinal);
        var ended = new HashSet<string>(StringComparer.Ordinal);
        var alias = new Dictionary<string, string>(StringComparer.Ordinal);
        var fills = new List<Fill>();
        var filledQuantity = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var cancels = new List<Cancellation>();
        var moves = new List<StopAmendment>();
        var ledger = new RoundTripLedger();
        var trades = new List<TradeRecord>();
        string Original(string id) => alias.GetValueOrDefault(id, id);

        foreach (var e in entries)
        {
            if (e.EventKey?.StartsWith(prefix, StringComparison.Ordinal) != true || e.Symbol is not { } symbol || e.OrderId is null
                || e.Side is not { } side)
            {
                continue;
            }

            var what = e.EventKey.AsSpan(prefix.Length);
            switch (e.Kind)
            {
                case JournalKind.Order when what.StartsWith("amend:"):
                    var stopPrice = Number(e.Data, "stop_price") ?? e.Price;
                    if (stopPrice is not { } level)
                    {
                        break;
                    }

                    var moved = byId.ContainsKey(Original(e.OrderId))
                        ? Original(e.OrderId)
                        : orders.LastOrDefault(o => o.Symbol == symbol && o.Type == OrderType.Stop && !ended.Contains(o.Id))?.Id;
                    if (moved is not null)
                    {
                        alias[e.OrderId] = moved;
                        moves.Add(new StopAmendment(moved, e.Timestamp, level, e.Reason));
                    }

                    break;
                case JournalKind.Order when what.StartsWith("order:") && !byId.ContainsKey(e.OrderId):
                    var order = new Order(e.OrderId, symbol, side, e.Quantity ?? 0m, TypeOf(e.Data), e.Timestamp,
                        Number(e.Data, "limit_price"), Number(e.Data, "stop_price"), e.Reason);
                    orders.Add(order);
                    byId[order.Id] = order;
                    break;
                case JournalKind.Fill when e.Quantity is { } quantity && e.Price is { } price:
                    var fill = new Fill(Original(e.OrderId), symbol, side, quantity, price, Number(e.Data, "fee") ?? 0m, e.Timestamp);
                    fills.Add(fill);
                    filledQuantity[fill.OrderId] = filledQuantity.GetValueOrDefault(fill.OrderId) + quantity;
                    if (byId.TryGetValue(fill.OrderId, out var filled) && (filled.Type == OrderType.Stop || filledQuantity[fill.OrderId] >= filled.Quantity))
                    {
                        ended.Add(fill.OrderId);
                    }

                    if (ledger.Book(fill, e.Reason) is { } trade)
                    {
                        trades.Add(trade);
                    }

                    break;
                case JournalKind.Cancel:
                    var cancelled = Original(e.OrderId);
                    var done = Number(e.Data, "filled_quantity") ?? 0m;
                    cancels.Add(new Cancellation(cancelled, Math.Max(0m, (e.Quantity ?? 0m) - done), e.Timestamp, e.Reason));
                    ended.Add(cancelled);
                    break;
            }
        }

        return new RunOrderLog(orders, fills, cancels, moves, trades);
    }

    /// <summary>orders.csv of the run (<see cref="OrderLogWriter.Header"/> columns).</summary>
    public string RenderOrdersCsv() => OrderLogWriter.Render(Orders, Fills, Cancellations, StopAmendments);

    /// <summary>trades.csv of the run (<see cref="BacktestReportWriter.TradesHeader"/> columns).</summary>
    public string RenderTradesCsv() => BacktestReportWriter.RenderTradesCsv(Trades);

    private static OrderType TypeOf(string? data) =>
        Text(data, "order_type") is { } type && Enum.TryParse<OrderType>(type, ignoreCase: true, out var parsed) ? parsed : OrderType.Market;

    private static string? Text(string? data, string name)
    {
        if (data is null)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(data);
        return doc.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    private static decimal? Number(string? data, string name)
    {
        if (data is null)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(data);
        if (!doc.RootElement.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Number => value.GetDecimal(),
            JsonValueKind.String when decimal.TryParse(value.GetString(), NumberStyles.Number, CultureInfo.InvariantCulture, out var d) => d,
            _ => null,
        };
    }
}
