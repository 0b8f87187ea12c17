using System.Globalization;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.MarketData;
using AiTrader.Core.Reporting;
using AiTrader.Core.Risk;
using AiTrader.Core.Risk.Sizing;
using AiTrader.Core.Sessions;
using AiTrader.Core.Strategies;

namespace AiTrader.Cli.Commands;

/// <summary>What the user asked <c>aitrader backtest</c> to do, already validated.</summary>
public sealed record BacktestRequest(
    Symbol Symbol,
    DateOnly? Start,
    DateOnly? End,
    string Strategy,
    Timeframe Interval,
    PriceAdjustment Adjustment,
    IReadOnlyDictionary<string, string> Parameters,
    ExchangeOptions Options,
    string? OutDir)
{
    /// <summary>Sizing on top of the strategy's base risk: regime scaling and/or fractional Kelly.</summary>
    public SizingOptions? Sizing { get; init; }

    /// <summary>Pull bars through the market-data DAL (vendor chain, cache) instead of the bundled CSV files.</summary>
    public bool UseDal { get; init; }

    /// <summary>DAL vendor: sample, auto, alphavantage, yahoo, twelvedata, alpaca (null = auto when keys are set).</summary>
    public string? DalVendor { get; init; }

    /// <summary>Write debug_entries.csv with every order the strategy sent and its reason.</summary>
    public bool DebugEntries { get; init; }

    /// <summary>Write debug_signals.csv with the per-bar probabilistic signals.</summary>
    public bool DebugSignals { get; init; }

    /// <summary>Annualization and risk-free rate of the metrics (<c>--risk-free-rate</c>); the defaults when null.</summary>
    public MetricsOptions? Metrics { get; init; }

    /// <summary>The guardrails the order router checks (<c>--guardrails</c>): none, default, or a list of rules.</summary>
    public string Guardrails { get; init; } = "none";

    /// <summary>The order router's settings: sizing and the guardrails, built fresh for each run.</summary>
    public RoutingOptions Routing
    {
        get
        {
            var calendar = Options.Calendar ?? NyseCalendar.Instance;
            var guardrails = GuardrailCatalog.Parse(Guardrails);
            return new RoutingOptions(Sizing, guardrails is null ? null : () => guardrails(calendar));
        }
    }
}

/// <summary>A finished run: the engine result, its metrics and where the files went.</summary>
public sealed record BacktestOutcome(
    BacktestResult Result,
    PerformanceMetrics Metrics,
    string OutputDirectory,
    int Bars,
    IReadOnlyList<string> Warnings);

/// <summary>Loads bars, runs the engine and writes the exports; shared by the CLI command and tests.</summary>
public static class BacktestRunner
{
    public static async Task<BacktestOutcome> RunAsync(BacktestRequest request, AppSettings settings, CancellationToken ct)
    {
        ValidateRange(request);
        var phases = PhaseTimer.Start();

        // Validate the strategy before touching data so a typo fails fast.
        var strategy = StrategyCatalog.Create(request.Strategy, request.Parameters, request.Sizing?.RegimeAware ?? false);

        await using var source = BacktestBarSource.Open(request, settings);
        var series = await source.LoadAsync(request.Symbol, ct);
        if (series.Bars.Count == 0)
        {
            throw new CliException(
                $"no {request.Interval} bars for {request.Symbol} between {Describe(request.Start)} and {Describe(request.End)}; widen --start/--end.");
        }

        var warnings = source.DalNotes(nameSymbols: false).ToList();
        phases.Lap("load");

        var result = new BacktestEngine(request.Options, request.Routing).Run(series, strategy);
        phases.Lap("engine");
        var metrics = PerformanceCalculator.Compute(request.Options.InitialCapital, result.EquityCurve, result.Trades, request.Metrics);
        phases.Lap("metrics");

        foreach (var flag in series.Flags)
        {
            warnings.Add($"skipped flagged bar {flag.Timestamp:yyyy-MM-dd HH:mm}Z: {flag.Reason}");
        }

        warnings.AddRange(ExecutionNotes(result.Cancellations, result.Rejections, result.OutsideSessionBars, request.Options.ExtendedHours));
        var outDir = request.OutDir ?? ArtifactFolder.CreateUnique(Path.Combine(settings.ArtifactsDir, "backtests"), $"{request.Symbol}-{request.Strategy}");
        var parameters = RunParameters(request);
        var info = new BacktestRunInfo(
            request.Symbol.Value,
            request.Strategy,
            request.Interval.ToString(),
            series.Bars[0].Timestamp,
            series.Bars[^1].Timestamp,
            request.Adjustment.ToString().ToLowerInvariant(),
            parameters,
            warnings);
        BacktestReportWriter.Write(outDir, info, request.Options.InitialCapital, result.Trades, result.EquityCurve, metrics);
        phases.Lap("csv+summary");
        BacktestReport.WriteAll(outDir, info, series.Bars, result, metrics);
        phases.Lap("html+png");
        OrderLogWriter.Write(outDir, result);
        FillLogWriter.Write(outDir, result.Fills);
        phases.Lap("orders+fills");
        if (request.DebugEntries)
        {
            BacktestDebugDumps.WriteEntries(Path.Combine(outDir, BacktestDebugDumps.EntriesFileName), result.Orders);
        }

        if (request.DebugSignals)
        {
            BacktestDebugDumps.WriteSignals(Path.Combine(outDir, BacktestDebugDumps.SignalsFileName), series.Bars);
        }

        return new BacktestOutcome(result, metrics, outDir, series.Bars.Count, warnings);
    }

    /// <summary>Throws when --start is after --end.</summary>
    internal static void ValidateRange(BacktestRequest request)
    {
        if (request.Start is { } s && request.End is { } e && s > e)
        {
            throw new CliException($"--start {s:yyyy-MM-dd} is after --end {e:yyyy-MM-dd}; pick a start before the end.");
        }
    }

    /// <summary>The requested New York session dates as an inclusive UTC range (null = open end).</summary>
    internal static (DateTime? StartUtc, DateTime? EndUtc) UtcRange(BacktestRequest request) =>
        (request.Start is { } sd ? ExchangeTime.StartOfDateUtc(sd) : null,
            request.End is { } ed ? ExchangeTime.EndOfDateUtc(ed) : null);

    /// <summary>The strategy parameters plus the cost settings, as summary.json records them.</summary>
    internal static Dictionary<string, string> RunParameters(BacktestRequest request) =>
        new(request.Parameters, StringComparer.OrdinalIgnoreCase)
        {
            ["slippage_bps"] = request.Options.SlippageBps.ToString(CultureInfo.InvariantCulture),
            ["commission_per_share"] = request.Options.CommissionPerShare.ToString(CultureInfo.InvariantCulture),
            ["min_commission"] = request.Options.MinCommission.ToString(CultureInfo.InvariantCulture),
            ["allow_short"] = request.Options.AllowShort ? "true" : "false",
            ["max_volume_share"] = request.Options.MaxVolumeShare?.ToString(CultureInfo.InvariantCulture) ?? "none",
            ["extended_hours"] = request.Options.ExtendedHours ? "true" : "false",
            ["guardrails"] = request.Guardrails,
        };

    /// <summary>What the run's cancels, refusals and untraded bars say, each as one line: cancels by reason (a replaced
    /// entry is not a session end), intents not sent by rule, and bars outside the traded session.</summary>
    internal static IEnumerable<string> ExecutionNotes(IReadOnlyList<Cancellation> cancellations, IReadOnlyList<Rejection> rejections,
        int outsideSessionBars, bool extendedHours)
    {
        // Protective stops of closed positions and orders dropped at the end are bookkeeping, not something to warn about.
        var notable = cancellations.Where(c => c.Reason is not (CancelReasons.PositionClosed or CancelReasons.EndOfData)).ToList();
        if (notable.Count > 0)
        {
            var byReason = notable.GroupBy(c => c.Reason).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"{g.Count()} {CancelReasons.Describe(g.Key)}");
            yield return $"{notable.Count} order(s) cancelled: {string.Join(", ", byReason)} (see orders.csv)";
        }

        if (rejections.Count > 0)
        {
            var byRule = rejections.GroupBy(r => r.Rule).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => $"{g.Count()} by {g.Key} ({g.First().Reason})");
            yield return $"{rejections.Count} intent(s) not sent: {string.Join("; ", byRule)}";
        }

        if (outsideSessionBars > 0)
        {
            yield return extendedHours
                ? $"{outsideSessionBars} bar(s) on closed days were not traded"
                : $"{outsideSessionBars} bar(s) outside the regular session were not traded (--extended-hours trades pre-market and after-hours bars)";
        }
    }

    internal static string Describe(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "the open end";
}
