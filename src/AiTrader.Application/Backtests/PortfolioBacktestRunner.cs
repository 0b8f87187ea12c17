using System.Globalization;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Backtesting.Portfolios;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Reporting;
using AiTrader.Core.Sessions;
using AiTrader.Core.Strategies;
using AiTrader.Reporting;

namespace AiTrader.Application.Backtests;

/// <summary>What a portfolio run adds to a single-symbol <see cref="BacktestRequest"/>.</summary>
/// <param name="Symbols">The symbols to trade, in order, without duplicates.</param>
/// <param name="MaxSymbolWeight">--max-symbol-weight, or null for none.</param>
/// <param name="MaxGrossExposure">--max-gross-exposure, or null for none.</param>
/// <param name="Benchmark">--benchmark; null means SPY when the data has it, none otherwise.</param>
/// <param name="NoBenchmark">--benchmark none.</param>
public sealed record PortfolioRequest(
    IReadOnlyList<Symbol> Symbols,
    decimal? MaxSymbolWeight,
    decimal? MaxGrossExposure,
    Symbol? Benchmark,
    bool NoBenchmark);

/// <summary>A finished portfolio run: the engine result, account metrics, per-symbol rows, the benchmark and the files.</summary>
public sealed record PortfolioOutcome(
    PortfolioBacktestResult Result,
    PerformanceMetrics Metrics,
    IReadOnlyList<SymbolPerformance> Symbols,
    BenchmarkComparison? Benchmark,
    string OutputDirectory,
    IReadOnlyList<string> Warnings);

/// <summary>Loads every symbol's bars, runs the portfolio engine and writes the exports; shared by the CLI and tests.</summary>
public static class PortfolioBacktestRunner
{
    /// <summary>The benchmark used when none is named and the data has it.</summary>
    public static readonly Symbol DefaultBenchmark = new("SPY");

    public static async Task<PortfolioOutcome> RunAsync(BacktestRequest request, PortfolioRequest portfolio,
        AppSettings settings, CancellationToken ct)
    {
        BacktestRunner.ValidateRange(request);
        var routing = request.Routing;
        var options = new PortfolioBacktestOptions(request.Options, portfolio.MaxSymbolWeight, portfolio.MaxGrossExposure, routing.Sizing,
            routing.Guardrails);
        // One instance per symbol: strategies keep per-symbol indicator state. Creating them first makes a typo fail fast.
        var strategies = portfolio.Symbols.Select(_ => StrategyCatalog.Create(request.Strategy, request.Parameters, request.Sizing?.RegimeAware ?? false)).ToList();

        // Each symbol's bars come the way a single run's would: bundled CSV files, or the DAL with its cache and notices.
        // Everything is loaded before anything is written, so a bad member leaves no half-written output.
        await using var source = BacktestBarSource.Open(request, settings);
        var warnings = new List<string>();
        var legs = new List<PortfolioLeg>();
        for (var i = 0; i < portfolio.Symbols.Count; i++)
        {
            var series = await source.LoadAsync(portfolio.Symbols[i], ct);
            if (series.Bars.Count == 0)
            {
                warnings.Add($"no {request.Interval} bars for {series.Symbol} in the range; left out of the portfolio");
                continue;
            }

            legs.Add(new PortfolioLeg(series, strategies[i]));
            foreach (var flag in series.Flags)
            {
                warnings.Add($"skipped flagged {series.Symbol} bar {flag.Timestamp:yyyy-MM-dd HH:mm}Z: {flag.Reason}");
            }
        }

        if (legs.Count == 0)
        {
            throw new RequestException(
                $"no {request.Interval} bars for any of {string.Join(", ", portfolio.Symbols)} between {BacktestRunner.Describe(request.Start)} and {BacktestRunner.Describe(request.End)}; widen --start/--end.");
        }

        var benchmarkSeries = await LoadBenchmarkAsync(source, request, portfolio, legs, warnings, ct);
        warnings.InsertRange(0, source.DalNotes(nameSymbols: true));

        var result = new PortfolioBacktestEngine(options).Run(legs);
        var initial = request.Options.InitialCapital;
        var metrics = PerformanceCalculator.Compute(initial, result.EquityCurve, result.Trades, request.Metrics);
        var perSymbol = SymbolPerformance.ForEach(result);
        var benchmark = benchmarkSeries is null ? null : BenchmarkComparison.Compute(initial, result.EquityCurve, benchmarkSeries, request.Metrics,
            request.Options.Calendar ?? NyseCalendar.Instance, request.Options.ExtendedHours);
        var cut = result.LimitEvents.Count(e => !e.Dropped);
        var dropped = result.LimitEvents.Count(e => e.Dropped);
        if (cut + dropped > 0)
        {
            warnings.Add($"exposure limits cut {cut} entries and dropped {dropped}");
        }

        warnings.AddRange(BacktestRunner.ExecutionNotes(result.Cancellations, result.Rejections, 0, request.Options.ExtendedHours));
        var outDir = request.OutDir ?? ArtifactFolder.CreateUnique(Path.Combine(settings.ArtifactsDir, "backtests"), $"portfolio-{request.Strategy}");
        var parameters = BacktestRunner.RunParameters(request);
        parameters["max_symbol_weight"] = Describe(portfolio.MaxSymbolWeight);
        parameters["max_gross_exposure"] = Describe(portfolio.MaxGrossExposure);
        parameters["benchmark"] = benchmark?.Symbol.Value ?? "none";
        var info = new BacktestRunInfo(
            string.Join(",", result.Symbols),
            request.Strategy,
            request.Interval.ToString(),
            result.EquityCurve[0].Timestamp,
            result.EquityCurve[^1].Timestamp,
            request.Adjustment.ToString().ToLowerInvariant(),
            parameters,
            warnings);

        BacktestReportWriter.Write(outDir, info, initial, result.Trades, result.EquityCurve, metrics,
            extraSections: w => PortfolioSummarySections.Write(w, result, perSymbol, benchmark));
        WriteVisuals(outDir, info, result, metrics, perSymbol, benchmark, benchmarkSeries, request.Png);
        OrderLogWriter.Write(outDir, result.Orders, result.Fills, result.Cancellations, result.StopAmendments);
        FillLogWriter.Write(outDir, result.Fills);
        if (request.DebugEntries || request.DebugSignals)
        {
            BacktestDebugDumps.WritePerSymbol(outDir, legs.Select(l => l.Series).ToList(), result.Orders,
                request.DebugEntries, request.DebugSignals);
        }

        return new PortfolioOutcome(result, metrics, perSymbol, benchmark, outDir, warnings);
    }

    /// <summary>Header of the per-symbol table (CLI and report.html).</summary>
    public static readonly IReadOnlyList<string> SymbolColumns =
        ["Symbol", "Bars", "Trades", "Win rate", "P&L", "Contribution", "Fees", "Cut / dropped"];

    /// <summary>One row per symbol, formatted like the metrics table.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> SymbolRows(IReadOnlyList<SymbolPerformance> symbols) =>
        symbols.Select(s => (IReadOnlyList<string>)
        [
            s.Symbol.Value,
            s.Bars.ToString(CultureInfo.InvariantCulture),
            s.Trades.Trades.ToString(CultureInfo.InvariantCulture),
            BacktestReportWriter.FormatPercent(s.Trades.WinRate),
            BacktestReportWriter.FormatMoney(s.Trades.TotalPnl),
            BacktestReportWriter.FormatPercent(s.Contribution),
            BacktestReportWriter.FormatMoney(s.Trades.TotalFees),
            $"{s.EntriesCut.ToString(CultureInfo.InvariantCulture)} / {s.EntriesDropped.ToString(CultureInfo.InvariantCulture)}",
        ]).ToList();

    private static void WriteVisuals(string outDir, BacktestRunInfo info, PortfolioBacktestResult result,
        PerformanceMetrics metrics, IReadOnlyList<SymbolPerformance> perSymbol, BenchmarkComparison? benchmark,
        BarSeries? benchmarkSeries, bool png)
    {
        var tables = new List<ReportTable> { new("Per symbol", SymbolColumns, SymbolRows(perSymbol)) };
        if (benchmark is not null)
        {
            tables.Add(new ReportTable($"Against {benchmark.Symbol} buy-and-hold (the price chart below is {benchmark.Symbol})",
                ["Measure", "Value"],
                PortfolioSummarySections.BenchmarkTable(benchmark).Select(r => (IReadOnlyList<string>)[r.Name, r.Value]).ToList()));
        }

        // The report's price chart shows the benchmark over the run's span; trades of many symbols cannot share one price
        // axis, so no markers (trades.csv and the trade table list them).
        var first = result.EquityCurve[0].Timestamp;
        var last = result.EquityCurve[^1].Timestamp;
        var bars = benchmarkSeries?.Bars.Where(b => b.Timestamp >= first && b.Timestamp <= last).ToList() ?? [];
        var asSingle = new BacktestResult(result.Symbols[0], result.StrategyName, result.Options.Account, result.Trades,
            result.EquityCurve, result.Fills, result.Orders, result.SkippedBars.Select(s => s.Flag).ToList(), result.FinalEquity);
        BacktestReport.WriteAll(outDir, info, bars, asSingle, metrics, new HtmlReportOptions(MaxTradeMarkers: 0), tables,
            priceTitle: PriceChartTitle(info, benchmark?.Symbol, bars), png: png);
    }

    /// <summary>price.png's title: the one line it draws is the benchmark's, not the members' (their prices share no
    /// axis), so the title names the benchmark; with <c>--benchmark none</c> it says there is no line.</summary>
    public static string PriceChartTitle(BacktestRunInfo info, Symbol? benchmark, IReadOnlyList<Bar> bars)
    {
        ArgumentNullException.ThrowIfNull(info);
        return benchmark is { } b
            ? HtmlReport.Title(info with { Symbol = $"{b} (benchmark of the portfolio)", Strategy = "buy-and-hold" }, bars) + " - price"
            : $"portfolio of {info.Symbol.Split(',').Length} · no benchmark (--benchmark none), so no price line; trades.csv lists each symbol's trades";
    }

    private static async Task<BarSeries?> LoadBenchmarkAsync(BacktestBarSource source, BacktestRequest request,
        PortfolioRequest portfolio, IReadOnlyList<PortfolioLeg> legs, List<string> warnings, CancellationToken ct)
    {
        if (portfolio.NoBenchmark)
        {
            return null;
        }

        var symbol = portfolio.Benchmark ?? DefaultBenchmark;
        if (portfolio.Benchmark is null && source.BundledSymbols() is { } bundled && !bundled.Contains(symbol))
        {
            warnings.Add($"no benchmark: {symbol} is not in the bar data; name one with --benchmark");
            return null;
        }

        // A member's bars are the benchmark's bars (same request): no second read, and no second vendor request.
        BarSeries series;
        if (legs.FirstOrDefault(l => l.Series.Symbol == symbol) is { } member)
        {
            series = member.Series;
        }
        else
        {
            try
            {
                // An unknown --benchmark throws MarketDataException: bad input, exit code 2.
                series = await source.LoadAsync(symbol, ct);
            }
            catch (MarketDataException ex) when (portfolio.Benchmark is null && source.ThroughDal)
            {
                // Through the DAL only a fetch tells whether the default benchmark exists; not finding it is no error.
                warnings.Add($"no benchmark: {symbol} could not be loaded ({ex.Message}); name one with --benchmark");
                return null;
            }
        }

        if (series.Bars.Count == 0)
        {
            warnings.Add($"no benchmark: {symbol} has no {request.Interval} bars in the range");
            return null;
        }

        return series;
    }

    private static string Describe(decimal? limit) => limit?.ToString(CultureInfo.InvariantCulture) ?? "none";
}
