using System.Globalization;
using System.Text;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.IO;
using AiTrader.Core.MarketData;
using AiTrader.Core.Signals.Regimes;
using AiTrader.Core.Strategies;

namespace AiTrader.Application.Backtests;

/// <summary>Diagnostic CSVs for <c>--debug</c>: every order the strategy sent with its reason, and per-bar signals
/// (in the run's folder for one symbol, in a folder per symbol for a portfolio).</summary>
public static class BacktestDebugDumps
{
    public const string EntriesFileName = "debug_entries.csv";
    public const string SignalsFileName = "debug_signals.csv";
    public const string EntriesHeader = "timestamp,symbol,side,type,quantity,stop_price,limit_price,order_id,reason";
    public const string SignalsHeader = "timestamp,close,filtered_price,velocity,prob_up,regime,atr,warmup";

    /// <summary>A portfolio run's dump folder for <paramref name="symbol"/>: a subfolder of the run's output folder named
    /// after the symbol, holding the single-run file names (<c>AAPL/debug_entries.csv</c>).</summary>
    public static string SymbolFolder(string outDir, Symbol symbol) => Path.Combine(outDir, symbol.Value);

    /// <summary>Writes the requested dumps of every symbol of a portfolio run into its <see cref="SymbolFolder"/>:
    /// its own orders (their ids restart at o1 per symbol) and the signals over its own bars.</summary>
    public static void WritePerSymbol(string outDir, IReadOnlyList<BarSeries> series, IReadOnlyList<Order> orders,
        bool entries, bool signals)
    {
        foreach (var s in series)
        {
            var folder = SymbolFolder(outDir, s.Symbol);
            if (entries)
            {
                WriteEntries(Path.Combine(folder, EntriesFileName), orders.Where(o => o.Symbol == s.Symbol).ToList());
            }

            if (signals)
            {
                WriteSignals(Path.Combine(folder, SignalsFileName), s.Bars);
            }
        }
    }

    /// <summary>One row per order (entries, exits, stop moves) in the order they were created; reasons carry the inputs.</summary>
    public static void WriteEntries(string path, IReadOnlyList<Order> orders)
    {
        var sb = new StringBuilder(EntriesHeader).Append('\n');
        foreach (var o in orders)
        {
            sb.Append(BacktestReportWriter.FormatTimestamp(o.CreatedAt)).Append(',')
                .Append(o.Symbol.Value).Append(',')
                .Append(o.Side == OrderSide.Buy ? "buy" : "sell").Append(',')
                .Append(o.Type.ToString().ToLowerInvariant()).Append(',')
                .Append(BacktestReportWriter.FormatDecimal(o.Quantity)).Append(',')
                .Append(o.StopPrice is { } stop ? BacktestReportWriter.FormatDecimal(stop) : string.Empty).Append(',')
                .Append(o.LimitPrice is { } limit ? BacktestReportWriter.FormatDecimal(limit) : string.Empty).Append(',')
                .Append(BacktestReportWriter.CsvField(o.Id)).Append(',')
                .Append(BacktestReportWriter.CsvField(o.Reason)).Append('\n');
        }

        AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>Runs the strategies' own signal source (Kalman filter, regime, ATR) over the bars; warm-up rows keep
    /// their values but say so, because the strategies ignore them.</summary>
    public static void WriteSignals(string path, IReadOnlyList<Bar> bars)
    {
        var signals = new StrategySignals();
        var sb = new StringBuilder(SignalsHeader).Append('\n');
        foreach (var bar in bars)
        {
            var s = signals.Update(bar);
            sb.Append(BacktestReportWriter.FormatTimestamp(bar.Timestamp)).Append(',')
                .Append(BacktestReportWriter.FormatDecimal(bar.Close)).Append(',')
                .Append(Num(s.FilteredPrice)).Append(',')
                .Append(Num(s.Velocity)).Append(',')
                .Append(Num(s.ProbabilityUp)).Append(',')
                .Append(RegimeSet.NameOf(s.Regime)).Append(',')
                .Append(s.Atr is { } atr ? Num(atr) : string.Empty).Append(',')
                .Append(s.IsWarmup ? "true" : "false").Append('\n');
        }

        AtomicFile.WriteAllText(path, sb.ToString());
    }

    private static string Num(double v) =>
        double.IsFinite(v) ? v.ToString("G10", CultureInfo.InvariantCulture) : string.Empty;
}
