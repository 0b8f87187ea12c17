using System.CommandLine;
using System.Globalization;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.IO;
using AiTrader.Core.MarketData;
using AiTrader.Core.Risk;
using AiTrader.Core.Risk.Sizing;
using AiTrader.Core.Sessions;
using AiTrader.Core.Strategies;
using Spectre.Console;

namespace AiTrader.Cli.Commands;

/// <summary><c>aitrader backtest</c>: run a strategy over historical bars and write trades, equity and summary.</summary>
public static class BacktestCommand
{
    public static Command Create(AppSettings settings, TextWriter stdout, TextWriter stderr) => Build(settings, stdout, stderr).Command;

    /// <summary>The single-symbol request <c>aitrader backtest</c> builds from <paramref name="args"/> (the words after
    /// <c>backtest</c>), without running it: how the service's JSON spec is checked against the CLI.</summary>
    public static BacktestRequest RequestFor(params string[] args)
    {
        var (command, read) = Build(new AppSettings { DataDir = "data", ArtifactsDir = "artifacts" }, TextWriter.Null, TextWriter.Null);
        var parse = command.Parse(args);
        if (parse.Errors.Count > 0)
        {
            throw new CliException(ErrorText.ForParseError(parse.Errors[0].Message));
        }

        return read(parse, null);
    }

    private static (Command Command, Func<ParseResult, AiTrader.Core.Domain.Symbol?, BacktestRequest> Read) Build(AppSettings settings, TextWriter stdout, TextWriter stderr)
    {
        var symbol = new Option<string?>("--symbol") { Description = "Ticker to test, e.g. AAPL (or --symbols/--watchlist for a portfolio)." };
        var start = new Option<string?>("--start") { Description = "First session date (YYYY-MM-DD, New York), inclusive." };
        var end = new Option<string?>("--end") { Description = "Last session date (YYYY-MM-DD, New York), inclusive." };
        var strategy = new Option<string>("--strategy") { Description = StrategyHelp, DefaultValueFactory = _ => "breakout" };
        var interval = new Option<string>("--interval") { Description = CliParsing.IntervalHelp, DefaultValueFactory = _ => "1Day" };
        var capital = new Option<decimal>("--capital") { Description = "Initial capital in USD.", DefaultValueFactory = _ => 100_000m };
        var outDir = new Option<string?>("--out") { Description = "Output folder. [default: artifacts/backtests/<symbol>-<strategy>-<utc timestamp>]" };
        var adjustment = new Option<string>("--adjustment") { Description = "Price adjustment: split or raw.", DefaultValueFactory = _ => "split" };
        var allowShort = new Option<bool>("--allow-short") { Description = "Allow short entries (long-only by default)." };
        var slippage = new Option<decimal>("--slippage-bps") { Description = "Slippage per fill in basis points.", DefaultValueFactory = _ => 5m };
        var perShare = new Option<decimal>("--commission-per-share") { Description = "Commission per share in USD.", DefaultValueFactory = _ => 0.005m };
        var minCommission = new Option<decimal>("--min-commission") { Description = "Minimum commission per order in USD.", DefaultValueFactory = _ => 1.00m };
        var parameters = new Option<string[]>("--param") { Description = "Strategy parameter name=value (repeatable), e.g. --param lookback=55.", AllowMultipleArgumentsPerToken = false };
        var quiet = new Option<bool>("--quiet") { Description = "Do not print the summary table." };
        var json = JsonFlag.Create("the run's summary.json (the API's result, key for key)");
        var useProbabilistic = new Option<bool>("--use-probabilistic") { Description = "Pull bars through the market-data DAL (vendor chain and cache; bundled data when no key is set)." };
        var dalVendor = new Option<string?>("--dal-vendor") { Description = "DAL " + FetchCommand.VendorHelp };
        var dalInterval = new Option<string?>("--dal-interval") { Description = "Bar interval fetched through the DAL, spelled as --interval (overrides it)." };
        var regimeAware = new Option<bool>("--regime-aware-sizing") { Description = "Scale position size by the Kalman regime (trending up 1.0 ... volatile 0.25)." };
        var riskAgent = new Option<string?>("--risk-agent") { Description = "Sizing agent on top of base risk: fractional_kelly." };
        var riskFraction = new Option<decimal>("--risk-agent-fraction") { Description = "Kelly fraction for --risk-agent fractional_kelly.", DefaultValueFactory = _ => 0.5m };
        var debug = new Option<bool>("--debug") { Description = "Write debug_entries.csv and debug_signals.csv next to the results (a portfolio: in a folder per symbol)." };
        var debugSignals = new Option<bool>("--debug-signals") { Description = "Write debug_signals.csv (per-bar Kalman signals and regime)." };
        var png = PngFlag.Create("equity.png and price.png");
        var debugEntries = new Option<bool>("--debug-entries") { Description = "Write debug_entries.csv (every order with its inputs and reason)." };
        var (maxVolumeShare, extendedHours) = ExecutionOptions.Create();
        var riskFreeRate = RiskFreeRateOption.Create();
        var guardrails = new Option<string>("--guardrails")
        {
            Description = "Guardrails the order router checks, as paper and live trading do: none, default (kill switch, max drawdown, daily loss, pdt, exposure, rate), or a list such as pdt,max_drawdown; blocked orders are counted in the summary.",
            DefaultValueFactory = _ => "none",
        };

        var command = new Command("backtest", "Backtest a strategy on historical bars (bundled sample data by default).")
        {
            symbol, start, end, strategy, interval, capital, outDir, adjustment, allowShort, slippage, perShare,
            minCommission, parameters, quiet, useProbabilistic, dalVendor, dalInterval, regimeAware, riskAgent, riskFraction,
            debug, debugSignals, debugEntries, png, maxVolumeShare, extendedHours, riskFreeRate, guardrails, json,
        };
        var portfolioFlags = new PortfolioFlags();
        portfolioFlags.AddTo(command);

        BacktestRequest Read(ParseResult parse, AiTrader.Core.Domain.Symbol? firstOfPortfolio) =>
            new BacktestRequest(
                Symbol: firstOfPortfolio ?? CliParsing.ParseSymbol(parse.GetValue(symbol)!),
                Start: CliParsing.ParseOptionalDate(parse.GetValue(start), "--start"),
                End: CliParsing.ParseOptionalDate(parse.GetValue(end), "--end"),
                Strategy: parse.GetValue(strategy)!.Trim(),
                Interval: CliParsing.ParseInterval(parse.GetValue(dalInterval) ?? parse.GetValue(interval)!),
                Adjustment: CliParsing.ParseAdjustment(parse.GetValue(adjustment)!),
                Parameters: CliParsing.ParseParams(parse.GetValue(parameters)),
                Options: new ExchangeOptions
                {
                    InitialCapital = Capital(parse.GetValue(capital)),
                    SlippageBps = NonNegative(parse.GetValue(slippage), "--slippage-bps"),
                    CommissionPerShare = NonNegative(parse.GetValue(perShare), "--commission-per-share"),
                    MinCommission = NonNegative(parse.GetValue(minCommission), "--min-commission"),
                    AllowShort = parse.GetValue(allowShort),
                    MaxVolumeShare = ExecutionOptions.VolumeShare(parse.GetValue(maxVolumeShare)),
                    ExtendedHours = parse.GetValue(extendedHours),
                    Calendar = NyseCalendar.Instance,
                },
                OutDir: parse.GetValue(outDir))
            {
                Sizing = ParseSizing(parse.GetValue(regimeAware), parse.GetValue(riskAgent), parse.GetValue(riskFraction)),
                UseDal = parse.GetValue(useProbabilistic) || parse.GetValue(dalVendor) is not null,
                DalVendor = parse.GetValue(dalVendor)?.Trim().ToLowerInvariant(),
                DebugEntries = parse.GetValue(debug) || parse.GetValue(debugEntries),
                DebugSignals = parse.GetValue(debug) || parse.GetValue(debugSignals),
                Png = parse.GetValue(png),
                Metrics = RiskFreeRateOption.Metrics(parse.GetValue(riskFreeRate)),
                Guardrails = ParseGuardrails(parse.GetValue(guardrails)),
            };

        command.SetAction(async (parse, ct) =>
        {
            OutputPath.CheckFolder(parse.GetValue(outDir), "--out");
            if (parse.GetValue(quiet) && parse.GetValue(json))
            {
                throw new CliException("--quiet prints the output folder and --json the summary; pick one.");
            }

            var portfolio = portfolioFlags.Read(parse, parse.GetValue(symbol));
            var request = Read(parse, portfolio?.Symbols[0]);
            if (portfolio is not null)
            {
                var portfolioOutcome = await PortfolioBacktestRunner.RunAsync(request, portfolio, settings, ct);
                if (parse.GetValue(json))
                {
                    await PrintSummaryJsonAsync(stdout, portfolioOutcome.OutputDirectory, ct);
                }
                else if (!parse.GetValue(quiet))
                {
                    PortfolioSummaryPrinter.Print(stdout, request, portfolioOutcome);
                }
                else
                {
                    stdout.WriteLine(DisplayPath.Of(portfolioOutcome.OutputDirectory));
                }

                Warn(stderr, portfolioOutcome.Warnings);

                return ExitCodes.Ok;
            }

            var outcome = await BacktestRunner.RunAsync(request, settings, ct);
            if (parse.GetValue(json))
            {
                await PrintSummaryJsonAsync(stdout, outcome.OutputDirectory, ct);
            }
            else if (!parse.GetValue(quiet))
            {
                PrintSummary(stdout, request, outcome);
            }
            else
            {
                stdout.WriteLine(DisplayPath.Of(outcome.OutputDirectory));
            }

            Warn(stderr, outcome.Warnings);

            return ExitCodes.Ok;
        });
        return (command, Read);
    }

    /// <summary>The help of every <c>--strategy</c> option: the names, and where their parameters are listed.</summary>
    internal static readonly string StrategyHelp =
        $"Strategy name: {string.Join(", ", StrategyCatalog.Names)} ('aitrader strategies' lists their parameters).";

    /// <summary>The checked --guardrails value: none, default, or a list of known rules.</summary>
    internal static string ParseGuardrails(string? value) => RequestChecks.Guardrails(value);

    /// <summary>The checked sizing flags (--regime-aware-sizing, --risk-agent, --risk-agent-fraction).</summary>
    internal static SizingOptions? ParseSizing(bool regimeAware, string? riskAgent, decimal kellyFraction) =>
        RequestChecks.Sizing(regimeAware, riskAgent, kellyFraction);

    /// <summary>The checked --capital: positive and at most <see cref="ExchangeOptions.MaxCapital"/>.</summary>
    internal static decimal Capital(decimal value) => RequestChecks.Capital(value);

    private static decimal NonNegative(decimal value, string flag) => RequestChecks.NonNegative(value, flag);

    /// <summary>The run's summary.json, as written, on one line of standard output.</summary>
    private static async Task PrintSummaryJsonAsync(TextWriter stdout, string outputDirectory, CancellationToken ct)
    {
        var text = await File.ReadAllTextAsync(Path.Combine(outputDirectory, "summary.json"), ct);
        using var document = System.Text.Json.JsonDocument.Parse(text);
        await stdout.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(document.RootElement));
    }

    /// <summary>Warnings go to standard error, one line each, so standard output stays the summary (or, with --quiet,
    /// the output folder alone).</summary>
    internal static void Warn(TextWriter stderr, IEnumerable<string> warnings)
    {
        foreach (var warning in warnings)
        {
            stderr.WriteLine($"warning: {ErrorText.Clean(warning)}");
        }
    }

    /// <summary>The summary's last line: the output folder and the files written there (the PNGs only with --png).</summary>
    internal static string WroteLine(string outputDirectory, BacktestRequest request) =>
        $"wrote [bold]{Markup.Escape(DisplayPath.Of(outputDirectory))}[/] (trades.csv, orders.csv, fills.csv, equity.csv, summary.json, report.html"
        + (request.Png ? ", equity.png, price.png)" : ")");

    private static void PrintSummary(TextWriter stdout, BacktestRequest request, BacktestOutcome outcome)
    {
        var console = CliConsole.Create(stdout);

        var result = outcome.Result;
        var first = result.EquityCurve.Count > 0 ? ExchangeTime.SessionDate(result.EquityCurve[0].Timestamp) : default;
        var last = result.EquityCurve.Count > 0 ? ExchangeTime.SessionDate(result.EquityCurve[^1].Timestamp) : default;
        var table = new Table().Border(TableBorder.Rounded)
            .Title($"{request.Symbol} · {request.Strategy} · {request.Interval} · {first:yyyy-MM-dd} → {last:yyyy-MM-dd} ({outcome.Bars} bars, {request.Adjustment.ToString().ToLowerInvariant()}-adjusted)")
            .AddColumn("Metric").AddColumn(new TableColumn("Value").RightAligned());
        foreach (var row in BacktestReportWriter.MetricsTable(outcome.Metrics))
        {
            table.AddRow(Markup.Escape(row.Name), Markup.Escape(row.Value));
        }

        console.Write(table);

        console.MarkupLine(BacktestCommand.WroteLine(outcome.OutputDirectory, request));
    }
}
