using System.Text;
using AiTrader.Core.IO;

namespace AiTrader.Core.Backtesting.Sweeps;

/// <summary>Paths written by <see cref="WalkForwardReportWriter.Write"/>.</summary>
public sealed record WalkForwardReportFiles(string WindowsCsv, string EquityCsv, string MetricsCsv);

/// <summary>Writes a walk-forward run's out-of-sample files: per-window table, stitched equity and stitched metrics.</summary>
public static class WalkForwardReportWriter
{
    public const string WindowsFileName = "walk_forward.csv";
    public const string EquityFileName = "oos_equity.csv";
    public const string MetricsFileName = "oos_metrics.csv";

    /// <summary>Renders all three in memory, then replaces each file atomically (metrics last).</summary>
    public static WalkForwardReportFiles Write(string directory, WalkForwardResult result, ParameterGrid grid)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(grid);
        var windows = RenderWindows(result, grid);
        var equity = BacktestReportWriter.RenderEquityCsv(result.Equity);
        var metrics = new StringBuilder().Append(string.Join(",", SweepCsv.MetricColumns)).Append('\n');
        SweepCsv.AppendMetrics(metrics, result.Metrics).Append('\n');

        var files = new WalkForwardReportFiles(
            Path.GetFullPath(Path.Combine(directory, WindowsFileName)),
            Path.GetFullPath(Path.Combine(directory, EquityFileName)),
            Path.GetFullPath(Path.Combine(directory, MetricsFileName)));
        AtomicFile.WriteAllText(files.WindowsCsv, windows);
        AtomicFile.WriteAllText(files.EquityCsv, equity);
        AtomicFile.WriteAllText(files.MetricsCsv, metrics.ToString());
        return files;
    }

    /// <summary>walk_forward.csv: window, the four boundaries, the chosen parameters, the in-sample score, then the
    /// window's out-of-sample metric columns.</summary>
    public static string RenderWindows(WalkForwardResult result, ParameterGrid grid)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(grid);
        var sb = new StringBuilder("window,is_start,is_end,oos_start,oos_end,");
        foreach (var name in grid.Names)
        {
            sb.Append(BacktestReportWriter.CsvField(name)).Append(',');
        }

        sb.Append("is_").Append(result.RankBy.Name()).Append(',')
            .Append(string.Join(",", SweepCsv.MetricColumns.Select(c => "oos_" + c))).Append('\n');
        foreach (var w in result.Windows)
        {
            sb.Append(w.Window.Index).Append(',')
                .Append(BacktestReportWriter.FormatTimestamp(w.InSampleFirst)).Append(',')
                .Append(BacktestReportWriter.FormatTimestamp(w.InSampleLast)).Append(',')
                .Append(BacktestReportWriter.FormatTimestamp(w.OutOfSampleFirst)).Append(',')
                .Append(BacktestReportWriter.FormatTimestamp(w.OutOfSampleLast)).Append(',');
            foreach (var value in w.Chosen.Values)
            {
                sb.Append(BacktestReportWriter.CsvField(value)).Append(',');
            }

            sb.Append(w.InSampleScore is { } s ? s.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "").Append(',');
            SweepCsv.AppendMetrics(sb, w.OutOfSample).Append('\n');
        }

        return sb.ToString();
    }
}
