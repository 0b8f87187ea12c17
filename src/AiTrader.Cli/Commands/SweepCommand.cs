using System.CommandLine;
using System.Globalization;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Backtesting.Sweeps;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.IO;
using AiTrader.Core.MarketData;
using AiTrader.Core.Reporting.Sweeps;
using AiTrader.Core.Sessions;
using Spectre.Console;
using Symbol = AiTrader.Core.Domain.Symbol;

namespace AiTrader.Cli.Commands;

/// <summary><c>aitrader sweep</c>: backtest every combination of a parameter grid on all cores, or walk it forward.</summary>
public static class SweepCommand
{
    public static Command Create(AppSettings settings, TextWriter stdout, TextWriter stderr)
    {
        var symbol = new Option<string>("--symbol") { Description = "Ticker to test, e.g. SPY.", Required = true };
        var strategy = new Option<string>("--strategy") { Description = BacktestCommand.StrategyHelp, DefaultValueFactory = _ => "breakout" };
        var grid = new Option<string>("--grid") { Description = "Parameter grid, e.g. \"lookback=10:60:10,atr_mult=2,3,4\" (a:b:step inclusive ranges and comma lists).", Required = true };
        var start = new Option<string?>("--start") { Description = "First session date (YYYY-MM-DD, New York), inclusive." };
        var end = new Option<string?>("--end") { Description = "Last session date (YYYY-MM-DD, New York), inclusive." };
        var interval = new Option<string>("--interval") { Description = CliParsing.IntervalHelp, DefaultValueFactory = _ => "1Day" };
        var rankBy = new Option<string>("--rank-by") { Description = "Rank metric: sharpe, cagr, total_return, calmar or profit_factor.", DefaultValueFactory = _ => "sharpe" };
        var top = new Option<int>("--top") { Description = "Rows of the ranked table to print.", DefaultValueFactory = _ => 10 };
        var parallelism = new Option<int?>("--parallelism") { Description = "Backtests at once; the results do not depend on it. [default: all cores]" };
        var parameters = new Option<string[]>("--param") { Description = "Fixed strategy parameter name=value for every combination (repeatable).", AllowMultipleArgumentsPerToken = false };
        var capital = new Option<decimal>("--capital") { Description = "Initial capital in USD.", DefaultValueFactory = _ => 100_000m };
        var walkForward = new Option<bool>("--walk-forward") { Description = "Tune in-sample, test out-of-sample on rolling windows; report out-of-sample only." };
        var inSample = new Option<int?>("--in-sample") { Description = "Walk-forward in-sample window in bars (e.g. 504)." };
        var outOfSample = new Option<int?>("--out-of-sample") { Description = "Walk-forward out-of-sample window and roll step in bars (e.g. 126)." };
        var isYears = new Option<double?>("--is-years") { Description = "In-sample window in years (252 sessions a year). [default: 2]" };
        var oosYears = new Option<double?>("--oos-years") { Description = "Out-of-sample window in years. [default: 0.5]" };
        var outDir = new Option<string?>("--out") { Description = "Output folder. [default: artifacts/sweeps/<symbol>-<strategy>-<utc>]" };
        var riskFreeRate = RiskFreeRateOption.Create();
        var cluster = SweepOnCluster.ClusterOption();
        var gatewayPorts = SweepOnCluster.GatewayPortsOption();
        var membership = new ClusterMembershipOptions();
        var png = PngFlag.Create("heatmap.png");
        var json = JsonFlag.Create("the ranking (the API's result: the best 50 rows, or a walk-forward's out-of-sample metrics)");

        var command = new Command("sweep", "Backtest every combination of a parameter grid in parallel; rank them and draw a heat map.")
        {
            symbol, strategy, grid, start, end, interval, rankBy, top, parallelism, parameters, capital, walkForward,
            inSample, outOfSample, isYears, oosYears, outDir, riskFreeRate, cluster, gatewayPorts, membership.Clustering, membership.ClusterId, png, json,
        };

        command.SetAction(async (parse, ct) =>
        {
            OutputPath.CheckFolder(parse.GetValue(outDir), "--out");
            var sym = CliParsing.ParseSymbol(parse.GetValue(symbol)!);
            var strategyName = parse.GetValue(strategy)!.Trim();
            var parsedGrid = ParseGrid(parse.GetValue(grid)!);
            var metric = ParseRank(parse.GetValue(rankBy)!);
            var topN = parse.GetValue(top);
            if (topN < 1)
            {
                throw new CliException($"--top must be at least 1 (got {topN}).");
            }

            var degree = parse.GetValue(parallelism) ?? Environment.ProcessorCount;
            if (degree < 1)
            {
                throw new CliException($"--parallelism must be at least 1 (got {degree}).");
            }

            var initial = BacktestCommand.Capital(parse.GetValue(capital));
            var metricsOptions = RiskFreeRateOption.Metrics(parse.GetValue(riskFreeRate));
            var isWalkForward = parse.GetValue(walkForward);
            var (isBars, oosBars) = (parse.GetValue(inSample), parse.GetValue(outOfSample));
            var (isYrs, oosYrs) = (parse.GetValue(isYears), parse.GetValue(oosYears));
            if (!isWalkForward && (isBars is not null || oosBars is not null || isYrs is not null || oosYrs is not null))
            {
                throw new CliException("--in-sample, --out-of-sample, --is-years and --oos-years need --walk-forward.");
            }

            var request = new SweepRequest(sym, strategyName, parsedGrid, CliParsing.ParseInterval(parse.GetValue(interval)!),
                CliParsing.ParseOptionalDate(parse.GetValue(start), "--start"), CliParsing.ParseOptionalDate(parse.GetValue(end), "--end"),
                metric, initial, CliParsing.ParseParams(parse.GetValue(parameters)), metricsOptions,
                isWalkForward ? new WalkForwardRequest(isBars, oosBars, isYrs, oosYrs) : null, degree, parse.GetValue(outDir),
                parse.GetValue(png));
            var onCluster = parse.GetValue(cluster);
            IReadOnlyList<int> gateways = [];
            var table = membership.Membership(parse, settings, System.Net.IPAddress.Loopback);
            if (table is not null && !onCluster)
            {
                throw new CliException("--clustering and --cluster-id need --cluster.");
            }

            if (onCluster)
            {
                gateways = table is null ? await SweepOnCluster.GatewaysAsync(parse.GetValue(gatewayPorts)!, ct) : [];
            }

            var prepared = await SweepRun.PrepareAsync(request, settings, ct);
            var console = CliConsole.Create(stdout);
            var label = $"{(isWalkForward ? "walk-forward" : "sweep")} {sym} {strategyName}";
            var outcome = onCluster
                ? await SweepOnCluster.RunAsync(prepared, gateways, table, SweepOnCluster.Shared(settings), parse.GetValue(parallelism), console, stderr, label, ct)
                : WithProgress(console, stderr, label, prepared.Total, p => prepared.Run(p, ct));
            if (parse.GetValue(json))
            {
                await stdout.WriteLineAsync(SweepResultJson.Write(outcome));
                return ExitCodes.Ok;
            }

            if (outcome.WalkForward is { } walk)
            {
                PrintWalkForward(console, sym, strategyName, outcome.Series, parsedGrid, outcome.Windows!, walk);
            }
            else
            {
                PrintTop(console, sym, strategyName, outcome.Series, outcome.Sweep!, topN, metricsOptions);
            }

            foreach (var file in outcome.Files)
            {
                console.MarkupLine($"wrote [bold]{Markup.Escape(DisplayPath.Of(file))}[/]");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Runs <paramref name="work"/> behind a live progress bar on a terminal, or a few plain lines on
    /// <paramref name="stderr"/> when output is redirected (so piped output is the results alone).</summary>
    internal static T WithProgress<T>(IAnsiConsole console, TextWriter stderr, string label, int total, Func<IProgress<int>, T> work)
    {
        if (!CliConsole.IsTerminal(console.Profile.Out.Writer))
        {
            return work(new PlainProgress(stderr, label, total));
        }

        return console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(label), maxValue: total);
                var result = work(new MonotonicProgress(v => task.Value = v));
                task.Value = total;
                return result;
            });
    }

    internal static string FormatWhen(DateTime utc, Timeframe timeframe) => timeframe.IsIntraday
        ? ExchangeTime.ToNewYork(utc).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)
        : ExchangeTime.SessionDate(utc).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static ParameterGrid ParseGrid(string text)
    {
        try
        {
            return ParameterGrid.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new CliException($"--grid: {ex.Message}");
        }
    }

    private static RankMetric ParseRank(string text)
    {
        try
        {
            return RankMetrics.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new CliException($"--rank-by: {ex.Message}");
        }
    }

    private static void PrintTop(IAnsiConsole console, Symbol symbol, string strategy, BarSeries series, SweepResult result, int top,
        MetricsOptions metricsOptions)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape($"{symbol} · {strategy} · {series.Timeframe} · {FormatWhen(series.Bars[0].Timestamp, series.Timeframe)} → {FormatWhen(series.Bars[^1].Timestamp, series.Timeframe)} · {result.Grid.Count} combinations ranked by {result.RankBy.Name()}"))
            .AddColumn(new TableColumn("#").RightAligned());
        foreach (var name in result.Grid.Names)
        {
            table.AddColumn(new TableColumn(Markup.Escape(name)).RightAligned());
        }

        foreach (var header in new[] { "Trades", "Return", "CAGR", "Sharpe", "Max DD", "Profit factor" })
        {
            table.AddColumn(new TableColumn(header).RightAligned());
        }

        var rank = 0;
        foreach (var row in result.Ranked.Take(top))
        {
            var m = row.Metrics;
            var cells = new List<string> { (++rank).ToString(CultureInfo.InvariantCulture) };
            cells.AddRange(row.Combination.Values.Select(Markup.Escape));
            cells.AddRange(
            [
                m.Trades.ToString(CultureInfo.InvariantCulture),
                BacktestReportWriter.FormatPercent(m.TotalReturn),
                BacktestReportWriter.FormatPercent(m.Cagr),
                BacktestReportWriter.FormatRatio(m.Sharpe),
                BacktestReportWriter.FormatPercent(m.MaxDrawdown),
                BacktestReportWriter.FormatRatio(m.ProfitFactor),
            ]);
            table.AddRow(cells.ToArray());
        }

        console.Write(table);
        // Its own line rather than in the title: a long title wraps in a narrow table.
        console.MarkupLine(Markup.Escape($"{SweepRun.RateNote(metricsOptions)} a year (Sharpe and Sortino measure returns above it)"));
    }

    private static void PrintWalkForward(IAnsiConsole console, Symbol symbol, string strategy, BarSeries series,
        ParameterGrid grid, WalkForwardOptions wf, WalkForwardResult result)
    {
        var tf = series.Timeframe;
        var table = new Table().Border(TableBorder.Rounded)
            .Title(Markup.Escape($"{symbol} · {strategy} · walk-forward IS {wf.InSampleBars} / OOS {wf.OutOfSampleBars} bars · {grid.Count} combinations per window · chosen by {result.RankBy.Name()}"))
            .AddColumn(new TableColumn("#").RightAligned()).AddColumn("In-sample").AddColumn("Out-of-sample").AddColumn("Chosen")
            .AddColumn(new TableColumn($"IS {result.RankBy.Name()}").RightAligned())
            .AddColumn(new TableColumn("OOS return").RightAligned())
            .AddColumn(new TableColumn("OOS Sharpe").RightAligned())
            .AddColumn(new TableColumn("OOS trades").RightAligned());
        foreach (var w in result.Windows)
        {
            table.AddRow(
                w.Window.Index.ToString(CultureInfo.InvariantCulture),
                $"{FormatWhen(w.InSampleFirst, tf)} → {FormatWhen(w.InSampleLast, tf)}",
                $"{FormatWhen(w.OutOfSampleFirst, tf)} → {FormatWhen(w.OutOfSampleLast, tf)}",
                Markup.Escape(w.Chosen.ToString()),
                BacktestReportWriter.FormatRatio(w.InSampleScore),
                BacktestReportWriter.FormatPercent(w.OutOfSample.TotalReturn),
                BacktestReportWriter.FormatRatio(w.OutOfSample.Sharpe),
                w.OutOfSample.Trades.ToString(CultureInfo.InvariantCulture));
        }

        console.Write(table);
        var metrics = new Table().Border(TableBorder.Rounded).Title("Stitched out-of-sample equity (out-of-sample bars only)")
            .AddColumn("Metric").AddColumn(new TableColumn("Value").RightAligned());
        foreach (var row in BacktestReportWriter.MetricsTable(result.Metrics))
        {
            metrics.AddRow(Markup.Escape(row.Name), Markup.Escape(row.Value));
        }

        console.Write(metrics);
    }

    /// <summary>Redirected output: one line at each tenth of the work, so logs show movement without a flood.</summary>
    private sealed class PlainProgress(TextWriter writer, string label, int total) : IProgress<int>
    {
        private readonly Lock _gate = new();
        private int _lastTenth = -1;

        public void Report(int value)
        {
            var tenth = total <= 0 ? 10 : (int)(10L * value / total);
            lock (_gate)
            {
                if (tenth <= _lastTenth)
                {
                    return;
                }

                _lastTenth = tenth;
                writer.WriteLine($"{label}: {value.ToString(CultureInfo.InvariantCulture)}/{total.ToString(CultureInfo.InvariantCulture)} backtests");
            }
        }
    }
}
