using System.Text;
using AiTrader.Core.Domain;
using AiTrader.Core.IO;

namespace AiTrader.Core.Backtesting;

/// <summary>orders.csv: one line per order a backtest sent, with how much of it filled, at what average price, and
/// how it ended (filled, partially filled then cancelled, cancelled, or still open when the data ran out).</summary>
public static class OrderLogWriter
{
    public const string FileName = "orders.csv";

    public const string Header =
        "order_id,created_at,side,type,quantity,limit_price,stop_price,filled_quantity,average_fill_price,status,stop_moves,last_stop_price,reason";

    /// <summary>Renders orders.csv for <paramref name="result"/> ("\n" line endings).</summary>
    public static string Render(BacktestResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var filled = new Dictionary<string, (decimal Quantity, decimal Value)>();
        foreach (var fill in result.Fills)
        {
            filled.TryGetValue(fill.OrderId, out var sum);
            filled[fill.OrderId] = (sum.Quantity + fill.Quantity, sum.Value + fill.Quantity * fill.Price);
        }

        var cancelled = result.Cancellations.Select(c => c.OrderId).ToHashSet();
        var moves = result.StopAmendments.GroupBy(a => a.OrderId).ToDictionary(g => g.Key, g => (Count: g.Count(), Last: g.Last().StopPrice));

        var sb = new StringBuilder(Header).Append('\n');
        foreach (var order in result.Orders)
        {
            var (quantity, value) = filled.GetValueOrDefault(order.Id);
            var status = quantity == 0
                ? (cancelled.Contains(order.Id) ? "cancelled" : "unfilled")
                : cancelled.Contains(order.Id) ? "partially_filled_cancelled"
                : order.Type == OrderType.Stop || quantity >= order.Quantity ? "filled" : "partially_filled";
            var move = moves.GetValueOrDefault(order.Id);
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
                .Append(move.Count == 0 ? "" : BacktestReportWriter.FormatDecimal(move.Last)).Append(',')
                .Append(BacktestReportWriter.CsvField(order.Reason)).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Writes orders.csv into <paramref name="directory"/> atomically and returns its path.</summary>
    public static string Write(string directory, BacktestResult result)
    {
        var path = Path.Combine(directory, FileName);
        AtomicFile.WriteAllText(path, Render(result));
        return path;
    }
}
