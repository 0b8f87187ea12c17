using AiTrader.Core.Backtesting;
using AiTrader.Core.Backtesting.Portfolios;
using AiTrader.Core.IO;
using AiTrader.Core.Sessions;
using Spectre.Console;

namespace AiTrader.Cli.Commands;

/// <summary>Prints a portfolio run: the account's metrics, the per-symbol table and the benchmark comparison.</summary>
internal static class PortfolioSummaryPrinter
{
    public static void Print(TextWriter stdout, BacktestRequest request, PortfolioOutcome outcome)
    {
        var console = CliConsole.Create(stdout);
        var result = outcome.Result;
        var first = ExchangeTime.SessionDate(result.EquityCurve[0].Timestamp);
        var last = ExchangeTime.SessionDate(result.EquityCurve[^1].Timestamp);
        var account = new Table().Border(TableBorder.Rounded)
            .Title($"portfolio of {result.Symbols.Count} · {request.Strategy} · {request.Interval} · {first:yyyy-MM-dd} → {last:yyyy-MM-dd} ({request.Adjustment.ToString().ToLowerInvariant()}-adjusted, one cash account)")
            .AddColumn("Metric").AddColumn(new TableColumn("Value").RightAligned());
        foreach (var row in BacktestReportWriter.MetricsTable(outcome.Metrics))
        {
            account.AddRow(Markup.Escape(row.Name), Markup.Escape(row.Value));
        }

        if (outcome.Benchmark is { } benchmark)
        {
            foreach (var row in PortfolioSummarySections.BenchmarkTable(benchmark))
            {
                account.AddRow(Markup.Escape(row.Name), Markup.Escape(row.Value));
            }
        }

        console.Write(account);

        var symbols = new Table().Border(TableBorder.Rounded).Title("per symbol");
        foreach (var (column, i) in PortfolioBacktestRunner.SymbolColumns.Select((c, i) => (c, i)))
        {
            symbols.AddColumn(i == 0 ? new TableColumn(Markup.Escape(column)) : new TableColumn(Markup.Escape(column)).RightAligned());
        }

        foreach (var row in PortfolioBacktestRunner.SymbolRows(outcome.Symbols))
        {
            symbols.AddRow(row.Select(Markup.Escape).ToArray());
        }

        console.Write(symbols);

        console.MarkupLine(BacktestCommand.WroteLine(outcome.OutputDirectory, request));
    }
}
