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
using AiTrader.Reporting;

namespace AiTrader.Application.Backtests;

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

    /// <summary>Also write equity.png and price.png (<c>--png</c>); report.html draws the same charts interactively.</summary>
    public bool Png { get; init; }

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
    /// <summary>Runs the backtest. <paramref name="progress"/>, when given, hears each phase as it ends with the share of
    /// the run done by then: load 0.2, engine 0.6, metrics 0.7, files 1.0.</summary>
    public static async Task<BacktestOutcome> RunAsync(BacktestRequest request, AppSettings settings, CancellationToken ct,
        IProgress<(double Fraction, string Phase)>? progress = null)
    {
        ValidateRange(request);
        var phases = PhaseTimer.Start();

        // Validate the strategy before touching data so a typo fails fast.
        var strategy = StrategyCatalog.Create(request.Strategy, request.Parameters, request.Sizing?.RegimeAware ?? false);

        await using var source = BacktestBarSource.Open(request, settings);
        var series = await source.LoadAsync(request.Symbol, ct);
        if (series.Bars.Count == 0)
        {
            throw new RequestException(
                $"no {request.Interval} bars for {request.Symbol} between {Describe(request.Start)} and {Describe(request.End)}; widen --start/--end.");
        }

        var warnings = source.DalNotes(nameSymbols: false).ToList();
        var coverage = SessionGaps.Find(series.Bars, request.Options.Calendar ?? NyseCalendar.Instance);
        if (coverage.Describe() is { } gapNote)
        {
            warnings.Add(gapNote);
        }

        phases.Lap("load");
        progress?.Report((0.2, "load"));
        ct.ThrowIfCancellationRequested();

        var engineStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = new BacktestEngine(request.Options, request.Routing).Run(series, strategy);
        Telemetry.BacktestThroughput.Record(series.Bars.Count / Math.Max(System.Diagnostics.Stopwatch.GetElapsedTime(engineStarted).TotalSeconds, 1e-9),
            new KeyValuePair<string, object?>("strategy", request.Strategy));
        phases.Lap("engine");
        progress?.Report((0.6, "engine"));
        ct.ThrowIfCancellationRequested();

        // Everything after the engine reads the finished run and nothing else, so the files that do not need the metrics
        // (orders.csv, fills.csv) are written beside them, and report.html beside the CSV files: a second core takes
        // about half of the time after the run.
        var outDir = request.OutDir ?? ArtifactFolder.CreateUnique(Path.Combine(settings.ArtifactsDir, "backtests"), $"{request.Symbol}-{request.Strategy}");
        var orderLogs = Task.Run(() =>
        {
            OrderLogWriter.Write(outDir, result);
            FillLogWriter.Write(outDir, result.Fills);
        }, ct);
        var metrics = PerformanceCalculator.Compute(request.Options.InitialCapital, result.EquityCurve, result.Trades, request.Metrics, out var daily);
        phases.Lap("metrics");
        progress?.Report((0.7, "metrics"));

        foreach (var flag in series.Flags)
        {
            warnings.Add($"skipped flagged bar {flag.Timestamp:yyyy-MM-dd HH:mm}Z: {flag.Reason}");
        }

        warnings.AddRange(ExecutionNotes(result.Cancellations, result.Rejections, result.OutsideSessionBars, request.Options.ExtendedHours));
        if (NoTradesNote(result, request.Options.InitialCapital, series.Bars.Count) is { } noTrades)
        {
            warnings.Add(noTrades);
        }
        var acrossGaps = SessionGaps.TradesAcross(result.Trades, coverage, MinGapSessionsToFlag);
        if (GapNote(acrossGaps) is { } rideNote)
        {
            warnings.Add(rideNote);
        }

        if (!metrics.AnnualizedMeaningful)
        {
            warnings.Add($"{metrics.TradingDays} trading day(s) of returns: annualized figures (CAGR, volatility, Sharpe, Sortino, Calmar) are not meaningful over so short a run");
        }

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
        var report = Task.Run(() =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            BacktestReport.WriteAll(outDir, info, series.Bars, result, metrics, daily: daily, png: request.Png);
            return System.Diagnostics.Stopwatch.GetElapsedTime(started);
        }, ct);
        BacktestReportWriter.Write(outDir, info, request.Options.InitialCapital, result.Trades, result.EquityCurve, metrics,
            extraSections: w => WriteCoverage(w, coverage, acrossGaps.Count));
        phases.Lap("csv+summary");
        await Task.WhenAll(report, orderLogs);
        phases.Lap(request.Png ? "html+png+orders" : "html+orders");
        phases.Beside(request.Png ? "html+png" : "html", await report);
        if (request.DebugEntries)
        {
            BacktestDebugDumps.WriteEntries(Path.Combine(outDir, BacktestDebugDumps.EntriesFileName), result.Orders);
        }

        if (request.DebugSignals)
        {
            BacktestDebugDumps.WriteSignals(Path.Combine(outDir, BacktestDebugDumps.SignalsFileName), series.Bars);
        }

        progress?.Report((1.0, "files"));
        return new BacktestOutcome(result, metrics, outDir, series.Bars.Count, warnings);
    }

    /// <summary>A position held across this many missing sessions or more is called out (a day or two missing from a
    /// vendor's file is common; a week is a hole the position rode through unseen).</summary>
    internal const int MinGapSessionsToFlag = 5;

    /// <summary>The warning for trades held across a gap in the data, or null when there are none.</summary>
    internal static string? GapNote(IReadOnlyList<(TradeRecord Trade, SessionGap Gap)> across)
    {
        if (across.Count == 0)
        {
            return null;
        }

        var (trade, gap) = across.MaxBy(a => a.Gap.MissingSessions);
        return string.Create(CultureInfo.InvariantCulture,
            $"{across.Count} trade(s) held a position across a gap of {MinGapSessionsToFlag}+ missing sessions (largest: {trade.Symbol} entered {ExchangeTime.SessionDate(trade.EntryTime):yyyy-MM-dd}, exited {ExchangeTime.SessionDate(trade.ExitTime):yyyy-MM-dd}, across {gap.MissingSessions} sessions with no bars); its P&L spans days the data does not have");
    }

    /// <summary>summary.json's <c>data_coverage</c>: the calendar sessions the bars cover and miss.</summary>
    internal static void WriteCoverage(System.Text.Json.Utf8JsonWriter w, SessionCoverage coverage, int tradesAcrossGaps)
    {
        w.WriteStartObject("data_coverage");
        w.WriteNumber("sessions_with_bars", coverage.SessionsWithBars);
        w.WriteNumber("missing_sessions", coverage.MissingSessions);
        w.WriteNumber("gaps", coverage.Gaps.Count);
        if (coverage.Largest is { } largest)
        {
            w.WriteStartObject("largest_gap");
            w.WriteString("last_session_before", largest.LastBefore.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteString("first_session_after", largest.FirstAfter.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteNumber("missing_sessions", largest.MissingSessions);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("largest_gap");
        }

        w.WriteNumber("trades_across_gaps", tradesAcrossGaps);
        w.WriteEndObject();
    }

    /// <summary>Throws when --start is after --end.</summary>
    internal static void ValidateRange(BacktestRequest request) => RequestChecks.DateRange(request.Start, request.End);

    /// <summary>The requested New York session dates as an inclusive UTC range (null = open end).</summary>
    internal static (DateTime? StartUtc, DateTime? EndUtc) UtcRange(BacktestRequest request) =>
        (request.Start is { } sd ? ExchangeTime.StartOfDateUtc(sd) : null,
            request.End is { } ed ? ExchangeTime.EndOfDateUtc(ed) : null);

    /// <summary>Everything that decides the run, as summary.json records it: every strategy parameter (the defaults the
    /// run used as well as those given), the cost and session settings, sizing, guardrails and where the bars came from,
    /// so a run can be reproduced from its own record.</summary>
    internal static Dictionary<string, string> RunParameters(BacktestRequest request)
    {
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in StrategyCatalog.Describe(request.Strategy))
        {
            parameters[p.Name] = p.Default;
        }

        foreach (var (key, value) in request.Parameters)
        {
            parameters[key] = value;
        }

        var inv = CultureInfo.InvariantCulture;
        parameters["slippage_bps"] = request.Options.SlippageBps.ToString(inv);
        parameters["commission_per_share"] = request.Options.CommissionPerShare.ToString(inv);
        parameters["min_commission"] = request.Options.MinCommission.ToString(inv);
        parameters["allow_short"] = request.Options.AllowShort ? "true" : "false";
        parameters["max_volume_share"] = request.Options.MaxVolumeShare?.ToString(inv) ?? "none";
        parameters["extended_hours"] = request.Options.ExtendedHours ? "true" : "false";
        parameters["guardrails"] = request.Guardrails;
        parameters["regime_aware_sizing"] = request.Sizing?.RegimeAware == true ? "true" : "false";
        parameters["risk_agent"] = request.Sizing?.KellyFraction is null ? "none" : "fractional_kelly";
        parameters["risk_agent_fraction"] = request.Sizing?.KellyFraction?.ToString(inv) ?? "none";
        parameters["bar_source"] = request.UseDal ? "dal" : "csv";
        parameters["dal_vendor"] = request.UseDal ? request.DalVendor ?? "auto" : "none";
        parameters["risk_free_rate"] = (request.Metrics?.RiskFreeRate ?? 0.0).ToString("R", inv);
        return parameters;
    }

    /// <summary>What the run's cancels, refusals and untraded bars say, each as one line: cancels by reason (a replaced
    /// entry is not a session end), intents not sent by rule, and bars outside the traded session.</summary>
    public static IEnumerable<string> ExecutionNotes(IReadOnlyList<Cancellation> cancellations, IReadOnlyList<Rejection> rejections,
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

    /// <summary>Why a run made no trade, or null when it made some: every entry sized to nothing (capital too small for
    /// one share at the strategy's risk), or no entry signal at all.</summary>
    public static string? NoTradesNote(BacktestResult result, decimal initialCapital, int bars)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Trades.Count > 0 || result.Fills.Count > 0)
        {
            return null;
        }

        var inv = CultureInfo.InvariantCulture;
        var sizedOut = result.Rejections.Where(r => r.Rule == "sizing").ToList();
        if (sizedOut.Count > 0)
        {
            return string.Create(inv,
                $"no trades: all {sizedOut.Count} entry signal(s) sized to 0 shares, the first on {ExchangeTime.SessionDate(sizedOut[0].Timestamp):yyyy-MM-dd}: {BacktestReportWriter.FormatMoney(initialCapital)} of capital at the strategy's risk per trade cannot buy one share; raise --capital (or the risk, e.g. --param risk=0.02)");
        }

        if (result.Rejections.Count > 0)
        {
            return $"no trades: all {result.Rejections.Count} entry signal(s) were refused by the guardrails ({result.Rejections[0].Rule}: {result.Rejections[0].Reason})";
        }

        return result.Orders.Count == 0
            ? $"no trades: the strategy gave no entry signal in {bars} bar(s); widen --start/--end or change its --param values"
            : "no trades: no entry order filled (see orders.csv for each order's status)";
    }

    internal static string Describe(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "the open end";
}
