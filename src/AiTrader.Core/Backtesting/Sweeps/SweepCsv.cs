using System.Globalization;
using System.Text;

namespace AiTrader.Core.Backtesting.Sweeps;

/// <summary>Renders sweep results as CSV: the parameter columns, then a fixed set of metric columns.</summary>
/// <remarks>Numbers use the invariant culture and the shortest round-trip form; an undefined metric is an empty field.
/// Lines end with "\n" so the bytes do not depend on the machine.</remarks>
public static class SweepCsv
{
    /// <summary>The metric columns after the parameter columns; the last, the annual risk-free rate the Sharpe and
    /// Sortino columns assume, is the same on every row of a run.</summary>
    public static readonly IReadOnlyList<string> MetricColumns =
        ["trades", "total_return", "cagr", "sharpe", "sortino", "max_drawdown", "win_rate", "profit_factor", "final_equity",
            "risk_free_rate"];

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The ranked table: one row per combination, best first.</summary>
    public static string Render(SweepResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var sb = new StringBuilder();
        AppendHeader(sb, result.Grid.Names);
        foreach (var row in result.Ranked)
        {
            foreach (var value in row.Combination.Values)
            {
                sb.Append(BacktestReportWriter.CsvField(value)).Append(',');
            }

            AppendMetrics(sb, row.Metrics);
            sb.Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>The header line (without its line break): parameter names, then <see cref="MetricColumns"/>.</summary>
    public static string Header(IEnumerable<string> parameterNames)
    {
        var sb = new StringBuilder();
        AppendHeader(sb, parameterNames);
        return sb.ToString().TrimEnd('\n');
    }

    /// <summary>Appends the ten metric fields of <see cref="MetricColumns"/>, comma-separated.</summary>
    public static StringBuilder AppendMetrics(StringBuilder sb, PerformanceMetrics m)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(m);
        return sb.Append(m.Trades.ToString(Inv)).Append(',')
            .Append(Number(m.TotalReturn)).Append(',')
            .Append(Number(m.Cagr)).Append(',')
            .Append(Number(m.Sharpe)).Append(',')
            .Append(Number(m.Sortino)).Append(',')
            .Append(Number(m.MaxDrawdown)).Append(',')
            .Append(Number(m.WinRate)).Append(',')
            .Append(Number(m.ProfitFactor)).Append(',')
            .Append(m.FinalEquity.ToString(Inv)).Append(',')
            .Append(Number(m.RiskFreeRate));
    }

    private static void AppendHeader(StringBuilder sb, IEnumerable<string> parameterNames)
    {
        foreach (var name in parameterNames)
        {
            sb.Append(BacktestReportWriter.CsvField(name)).Append(',');
        }

        sb.Append(string.Join(",", MetricColumns)).Append('\n');
    }

    private static string Number(double? value) =>
        value is { } v && double.IsFinite(v) ? v.ToString("R", Inv) : "";
}
