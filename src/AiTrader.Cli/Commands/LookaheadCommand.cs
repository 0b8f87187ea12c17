using System.CommandLine;
using System.Globalization;
using AiTrader.Application;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Backtesting.Bias;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.Sessions;
using AiTrader.Core.Strategies;
using Spectre.Console;

namespace AiTrader.Cli.Commands;

/// <summary><c>aitrader lookahead</c>: check a strategy for lookahead (decisions that change when the future is cut off)
/// and warm-up bias (decisions that depend on where the data started).</summary>
public static class LookaheadCommand
{
    /// <summary>Exit code when lookahead is found (or, with --strict, warm-up bias).</summary>
    public const int BiasFound = 1;

    public static Command Create(AppSettings settings, TextWriter stdout, TextWriter stderr)
    {
        var symbol = new Option<string>("--symbol") { Description = "Ticker to test, e.g. SPY.", Required = true };
        var strategy = new Option<string>("--strategy") { Description = BacktestCommand.StrategyHelp, DefaultValueFactory = _ => "breakout" };
        var interval = new Option<string>("--interval") { Description = CliParsing.IntervalHelp, DefaultValueFactory = _ => "1Day" };
        var start = new Option<string?>("--start") { Description = "First session date (YYYY-MM-DD, New York), inclusive." };
        var end = new Option<string?>("--end") { Description = "Last session date (YYYY-MM-DD, New York), inclusive." };
        var cuts = new Option<int>("--cuts") { Description = "Evenly spaced cut points for the lookahead check.", DefaultValueFactory = _ => 20 };
        var randomCuts = new Option<int>("--random-cuts") { Description = "Extra random cut points (seeded).", DefaultValueFactory = _ => 10 };
        var seed = new Option<int>("--seed") { Description = "Seed of the random cut points.", DefaultValueFactory = _ => 1 };
        var parameters = new Option<string[]>("--param") { Description = "Strategy parameter name=value (repeatable).", AllowMultipleArgumentsPerToken = false };
        var laterStart = new Option<string?>("--later-start") { Description = "Session date the later run of the warm-up check starts. [default: the middle of the data]" };
        var warmupBars = new Option<int?>("--warmup-bars") { Description = "The strategy's warm-up in bars. [default: measured as the bars before its first decision]" };
        var multiple = new Option<int>("--warmup-multiple") { Description = "k: decisions must agree from warm-up × k bars after the later start.", DefaultValueFactory = _ => 10 };
        var allowShort = new Option<bool>("--allow-short") { Description = "Allow short entries (and probe a short position in the warm-up check)." };
        var strict = new Option<bool>("--strict") { Description = "Also exit 1 on warm-up bias." };
        var json = JsonFlag.Create("both checks' findings (lookahead: cuts, changed decisions, findings; warmup: starts, horizon, agreement, disagreements beyond it)");

        var command = new Command("lookahead", "Check a strategy for lookahead and warm-up bias on historical bars.")
        {
            symbol, strategy, interval, start, end, cuts, randomCuts, seed, parameters, laterStart, warmupBars, multiple,
            allowShort, strict, json,
        };

        command.SetAction(async (parse, ct) =>
        {
            var sym = CliParsing.ParseSymbol(parse.GetValue(symbol)!);
            var name = parse.GetValue(strategy)!.Trim();
            var strategyParameters = CliParsing.ParseParams(parse.GetValue(parameters));
            try
            {
                StrategyCatalog.Create(name, strategyParameters);
            }
            catch (ArgumentException ex)
            {
                throw new CliException(ex.Reason());
            }
            var (even, random) = (parse.GetValue(cuts), parse.GetValue(randomCuts));
            if (even < 0 || random < 0 || even + random == 0)
            {
                throw new CliException($"--cuts and --random-cuts must not be negative and not both 0 (got {even} and {random}).");
            }

            var k = parse.GetValue(multiple);
            if (k < 1)
            {
                throw new CliException($"--warmup-multiple must be at least 1 (got {k}).");
            }

            var warmup = parse.GetValue(warmupBars);
            if (warmup is < 1)
            {
                throw new CliException($"--warmup-bars must be at least 1 (got {warmup}).");
            }

            var later = CliParsing.ParseOptionalDate(parse.GetValue(laterStart), "--later-start");
            var series = await SweepRun.LoadBarsAsync(settings, sym, CliParsing.ParseInterval(parse.GetValue(interval)!),
                CliParsing.ParseOptionalDate(parse.GetValue(start), "--start"),
                CliParsing.ParseOptionalDate(parse.GetValue(end), "--end"), ct);
            if (series.Bars.Count < 3)
            {
                throw new CliException($"the bias checks need at least 3 bars; {sym} has {series.Bars.Count} in range.");
            }

            int? laterBar = null;
            if (later is { } date)
            {
                var index = series.Bars.ToList().FindIndex(b => ExchangeTime.SessionDate(b.Timestamp) >= date);
                if (index < 1)
                {
                    throw new CliException($"--later-start {date:yyyy-MM-dd} must fall after the first and on or before the last bar in range.");
                }

                laterBar = index;
            }

            var allow = parse.GetValue(allowShort);
            IStrategy Create(AiTrader.Core.MarketData.BarSeries _) => StrategyCatalog.Create(name, strategyParameters);
            var asJson = parse.GetValue(json);
            // With --json, standard output carries the document alone (a progress bar on a terminal goes to stderr).
            var console = CliConsole.Create(asJson ? stderr : stdout);
            var lookaheadOptions = new LookaheadOptions(even, random, parse.GetValue(seed));
            var cutCount = LookaheadChecker.CutPoints(series.Bars.Count, even, random, lookaheadOptions.Seed).Count;
            var lookahead = SweepCommand.WithProgress(console, stderr, $"lookahead {sym} {name}", cutCount,
                p => new LookaheadChecker(new ExchangeOptions { AllowShort = allow, Calendar = NyseCalendar.Instance }).Check(series, Create, lookaheadOptions, p, ct));
            var warm = new WarmupBiasChecker().Check(series, Create,
                new WarmupBiasOptions(laterBar, warmup, k, allow));

            var exit = lookahead.LookaheadDetected || (parse.GetValue(strict) && warm.WarmupBiasDetected) ? BiasFound : ExitCodes.Ok;
            if (asJson)
            {
                await stdout.WriteLineAsync(Json(sym, name, series, lookahead, warm, exit));
                return exit;
            }

            PrintLookahead(console, series.Timeframe, lookahead);
            PrintWarmup(console, series.Timeframe, warm, k);
            return lookahead.LookaheadDetected || (parse.GetValue(strict) && warm.WarmupBiasDetected) ? BiasFound : ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The findings as one document: the summary's figures, every kept finding, and the exit code.</summary>
    private static string Json(AiTrader.Core.Domain.Symbol symbol, string strategy, AiTrader.Core.MarketData.BarSeries series, LookaheadReport lookahead,
        WarmupBiasReport warm, int exit) => JsonText.Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("symbol", symbol.Value);
        json.WriteString("strategy", strategy);
        json.WriteString("interval", series.Timeframe.ToString());
        json.WriteNumber("bars", lookahead.Bars);
        json.WriteStartObject("lookahead");
        json.WriteBoolean("detected", lookahead.LookaheadDetected);
        json.WriteNumber("cuts", lookahead.Cuts.Count);
        json.WriteNumber("failing_cuts", lookahead.FailingCuts.Count);
        json.WriteNumber("changed_decisions", lookahead.ChangedDecisions);
        json.WriteObjects("findings", lookahead.Findings, (w, f) =>
        {
            w.WriteNumber("cut", f.Cut);
            w.WriteNumber("bar", f.BarIndex);
            w.WriteString("timestamp", DateTime.SpecifyKind(f.Timestamp, DateTimeKind.Utc));
            w.WriteString("full_data", f.FullRun);
            w.WriteString("truncated", f.TruncatedRun);
        });
        json.WriteEndObject();
        json.WriteStartObject("warmup");
        json.WriteBoolean("detected", warm.WarmupBiasDetected);
        json.WriteNumber("later_start_bar", warm.LaterStartBar);
        json.WriteString("later_start", DateTime.SpecifyKind(warm.LaterStart, DateTimeKind.Utc));
        json.WriteNumber("warmup_bars", warm.WarmupBars);
        json.WriteNumber("horizon_bars", warm.HorizonBars);
        if (warm.AgreeFromBar is { } from)
        {
            json.WriteNumber("agree_from_bar", from);
        }
        else
        {
            json.WriteNull("agree_from_bar");
        }

        json.WriteTimeOrNull("agree_from", warm.AgreeFrom is { } at ? DateTime.SpecifyKind(at, DateTimeKind.Utc) : null);
        json.WriteNumber("disagreements", warm.Disagreements);
        json.WriteNumber("beyond_horizon", warm.BeyondHorizonCount);
        json.WriteStringOrNull("inconclusive", warm.Inconclusive);
        json.WriteObjects("beyond_horizon_bars", warm.BeyondHorizon, (w, d) =>
        {
            w.WriteNumber("bar", d.BarIndex);
            w.WriteString("timestamp", DateTime.SpecifyKind(d.Timestamp, DateTimeKind.Utc));
            w.WriteString("probe", d.Probe);
            w.WriteString("started_earlier", d.EarlierStart);
            w.WriteString("started_later", d.LaterStart);
        });
        json.WriteEndObject();
        json.WriteNumber("exit_code", exit);
        json.WriteEndObject();
    });

    private static void PrintLookahead(IAnsiConsole console, AiTrader.Core.Domain.Timeframe tf, LookaheadReport report)
    {
        var inv = CultureInfo.InvariantCulture;
        if (!report.LookaheadDetected)
        {
            console.MarkupLine(string.Create(inv,
                $"[green]lookahead: none[/] — {report.Cuts.Count} cut points over {report.Bars} bars, every decision up to each cut unchanged"));
            return;
        }

        console.MarkupLine(string.Create(inv,
            $"[red]lookahead detected[/]: {report.ChangedDecisions} decisions changed at {report.FailingCuts.Count} of {report.Cuts.Count} cut points"));
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn("Cut (bars kept)").RightAligned()).AddColumn("Bar").AddColumn("Full data").AddColumn("Truncated");
        foreach (var f in report.Findings.Take(20))
        {
            table.AddRow(f.Cut.ToString(inv), $"{f.BarIndex.ToString(inv)} ({SweepCommand.FormatWhen(f.Timestamp, tf)})",
                Markup.Escape(f.FullRun), Markup.Escape(f.TruncatedRun));
        }

        console.Write(table);
    }

    private static void PrintWarmup(IAnsiConsole console, AiTrader.Core.Domain.Timeframe tf, WarmupBiasReport r, int k)
    {
        var inv = CultureInfo.InvariantCulture;
        console.MarkupLine(string.Create(inv,
            $"warm-up: run from bar 0 vs run from bar {r.LaterStartBar} ({SweepCommand.FormatWhen(r.LaterStart, tf)}); warm-up {r.WarmupBars} bars, horizon {r.HorizonBars} bars (×{k})"));
        if (r.AgreeFromBar is { } from)
        {
            console.MarkupLine(string.Create(inv,
                $"  decisions agree from bar {from} ({SweepCommand.FormatWhen(r.AgreeFrom!.Value, tf)}), {from - r.LaterStartBar} bars after the later start"));
        }
        else
        {
            console.MarkupLine("  decisions still differ at the last bar");
        }

        if (r.Inconclusive is { } why)
        {
            console.MarkupLine($"  [yellow]inconclusive:[/] {Markup.Escape(why)}");
        }

        if (!r.WarmupBiasDetected)
        {
            console.MarkupLine(r.Inconclusive is null ? "  [green]warm-up bias: none[/]" : "  warm-up bias: none found in the bars available");
            return;
        }

        console.MarkupLine(string.Create(inv,
            $"  [yellow]warm-up bias[/]: {r.BeyondHorizonCount} decisions differ more than {r.HorizonBars} bars after the later start"));
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("Bar").AddColumn("Probe").AddColumn("Started earlier").AddColumn("Started later");
        foreach (var d in r.BeyondHorizon)
        {
            table.AddRow($"{d.BarIndex.ToString(inv)} ({SweepCommand.FormatWhen(d.Timestamp, tf)})", d.Probe,
                Markup.Escape(d.EarlierStart), Markup.Escape(d.LaterStart));
        }

        console.Write(table);
    }
}
