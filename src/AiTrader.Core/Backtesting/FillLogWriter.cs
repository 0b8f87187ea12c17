using System.Text;
using AiTrader.Core.Domain;
using AiTrader.Core.IO;

namespace AiTrader.Core.Backtesting;

/// <summary>fills.csv: every execution of a run in the order it happened, with its order, price and commission (what
/// a paper or live run journals as fills, so the two can be compared line by line).</summary>
public static class FillLogWriter
{
    public const string FileName = "fills.csv";

    public const string Header = "timestamp,symbol,order_id,side,quantity,price,fee";

    /// <summary>Renders fills.csv ("\n" line endings).</summary>
    public static string Render(IReadOnlyList<Fill> fills)
    {
        ArgumentNullException.ThrowIfNull(fills);
        var sb = new StringBuilder(Header).Append('\n');
        foreach (var f in fills)
        {
            sb.Append(BacktestReportWriter.FormatTimestamp(f.Timestamp)).Append(',')
                .Append(f.Symbol.Value).Append(',')
                .Append(f.OrderId).Append(',')
                .Append(f.Side == OrderSide.Buy ? "buy" : "sell").Append(',')
                .Append(BacktestReportWriter.FormatDecimal(f.Quantity)).Append(',')
                .Append(BacktestReportWriter.FormatDecimal(f.Price)).Append(',')
                .Append(BacktestReportWriter.FormatFee(f.Fee)).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Writes fills.csv into <paramref name="directory"/> atomically and returns its path.</summary>
    public static string Write(string directory, IReadOnlyList<Fill> fills)
    {
        var path = Path.Combine(directory, FileName);
        AtomicFile.WriteAllText(path, Render(fills));
        return path;
    }
}
