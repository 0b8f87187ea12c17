using System.Text;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.IO;

namespace AiTrader.Core.Backtesting;

/// <summary>orders.csv: one line per order a backtest sent, with how much of it filled, at what average price, how it
/// ended (filled, partially filled then cancelled, cancelled, or still open when the data ran out) and, for a cancel, why
/// (<see cref="CancelReasons"/>: a replaced entry is not a session end).</summary>
public static class OrderLogWriter
{
    public const string FileName = "orders.csv";

    public const string Header =
        "order_id,created_at,side,type,quantity,limit_price,stop_price,filled_quantity,average_fill_price,status,stop_moves,last_stop_price,reason,symbol,cancel_reason,stop_path";

    /// <summary>Renders orders.csv for <paramref name="result"/> ("\n" line endings).</summary>
    public static string Render(BacktestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Render(result.Orders, result.Fills, result.Cancellations, result.StopAmendments);
    }

    /// <summary>Renders orders.csv for the orders of any run (one symbol or a portfolio).</summary>
    public static string Render(IReadOnlyList<Order> orders, IReadOnlyList<Fill> fills, IReadOnlyList<Cancellation> cancellations,
        IReadOnlyList<StopAmendment> amendments)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(fills);
        ArgumentNullException.ThrowIfNull(cancellations);
        ArgumentNullException.ThrowIfNull(amendments);
        var filled = new Dictionary<string, (decimal Quantity, decimal Value)>();
        foreach (var fill in fills)
        {
            filled.TryGetValue(fill.OrderId, out var sum);
            filled[fill.OrderId] = (sum.Quantity + fill.Quantity, sum.Value + fill.Quantity * fill.Price);
        }

        var cancelled = cancellations.GroupBy(c => c.OrderId).ToDictionary(g => g.Key, g => g.Last().Reason);
        var moves = amendments.GroupBy(a => a.OrderId).ToDictionary(g => g.Key, g => g.ToList());

        var sb = new StringBuilder(Header).Append('\n');
        foreach (var order in orders)
        {
            var (quantity, value) = filled.GetValueOrDefault(order.Id);
            var cancelReason = cancelled.GetValueOrDefault(order.Id);
            var status = quantity == 0
                ? (cancelReason is not null ? "cancelled" : "unfilled")
                : cancelReason is not null ? "partially_filled_cancelled"
                : order.Type == OrderType.Stop || quantity >= order.Quantity ? "filled" : "partially_filled";
            var move = moves.GetValueOrDefault(order.Id) ?? [];
            sb.Append(order.Id).Append(',')
                .Append(BacktestReportWriter.FormatTimestamp(order.CreatedAt)).Append(',')
                .Append(order.Side == OrderSide.Buy ? "buy" : "sell").Append(',')
                .Append(order.Type.ToString().ToLowerInvariant()).Append(',')
                .Append(BacktestReportWriter.FormatDecimal(order.Quantity)).Append(',')
                .Append(order.LimitPrice is { } limit ? BacktestReportWriter.FormatDecimal(limit) : "").Append(',')
                .Append(order.StopPrice is { } stop ? BacktestReportWriter.FormatDecimal(stop) : "").Append(',')
                .Append(BacktestReportWriter.FormatDecimal(quantity)).Append(',')
                .Append(quantity == 0 ? "" : BacktestReportWriter.FormatDecimal(Math.Round(value / quantity, 4, MidpointRounding.AwayFromZero))).Append(',')
                .Append(status).Append(',')
                .Append(move.Count).Append(',')
                .Append(move.Count == 0 ? "" : BacktestReportWriter.FormatDecimal(move[^1].StopPrice)).Append(',')
                .Append(BacktestReportWriter.CsvField(order.Reason)).Append(',')
                .Append(order.Symbol.Value).Append(',')
                .Append(cancelReason ?? "").Append(',');
            AppendStopPath(sb, move);
            sb.Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Every level a stop was moved to, with when: <c>2005-02-08T14:30:00Z 117.25;2005-02-09T14:30:00Z 117.9</c>
    /// (time order; empty for an order never moved). The dashboard's chart and report.html draw the stop through these.</summary>
    public static void AppendStopPath(StringBuilder sb, IReadOnlyList<StopAmendment> moves)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(moves);
        for (var i = 0; i < moves.Count; i++)
        {
            sb.Append(i == 0 ? "" : ";").Append(BacktestReportWriter.FormatTimestamp(moves[i].Timestamp)).Append(' ')
                .Append(BacktestReportWriter.FormatDecimal(moves[i].StopPrice));
        }
    }

    /// <summary>Writes orders.csv into <paramref name="directory"/> atomically and returns its path.</summary>
    public static string Write(string directory, BacktestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Write(directory, result.Orders, result.Fills, result.Cancellations, result.StopAmendments);
    }

    /// <summary>Writes orders.csv for any run into <paramref name="directory"/> atomically and returns its path.</summary>
    public static string Write(string directory, IReadOnlyList<Order> orders, IReadOnlyList<Fill> fills,
        IReadOnlyList<Cancellation> cancellations, IReadOnlyList<StopAmendment> amendments)
    {
        var path = Path.Combine(directory, FileName);
        AtomicFile.WriteAllText(path, Render(orders, fills, cancellations, amendments));
        return path;
    }
}
