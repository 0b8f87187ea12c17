using System.CommandLine;
using System.Globalization;
using AiTrader.Core.Agents;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Journal;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using AiTrader.Core.Strategies;
using AiTrader.Storage;
using Symbol = AiTrader.Core.Domain.Symbol;

namespace AiTrader.Cli.Commands;

/// <summary><c>aitrader trade</c>: the trading loop; offline only the paper broker replaying bundled minute bars is available.</summary>
public static class TradeCommand
{
    public static Command Create(AppSettings settings, TextWriter stdout)
    {
        var paper = new Option<bool>("--paper") { Description = "Trade on the paper broker (simulated fills)." };
        var live = new Option<bool>("--live") { Description = "Trade a live Alpaca account (needs keys and --yes-i-understand-live-trading)." };
        var confirm = new Option<bool>("--yes-i-understand-live-trading") { Description = "Confirms live trading with real money." };
        var replay = new Option<string?>("--replay") { Description = "Replay bundled bars FROM:TO (YYYY-MM-DD:YYYY-MM-DD) on a simulated clock." };
        var symbols = new Option<string?>("--symbols") { Description = "Watchlist, comma-separated (default: WATCHLIST_TEXT)." };
        var interval = new Option<string>("--interval") { Description = "Bar interval, e.g. 1Min.", DefaultValueFactory = _ => "1Min" };
        var speed = new Option<string>("--speed") { Description = "max (no delay) or a factor: 60 plays one minute per second.", DefaultValueFactory = _ => "max" };
        var capital = new Option<decimal>("--capital") { Description = "Starting cash in USD.", DefaultValueFactory = _ => 100_000m };
        var strategy = new Option<string>("--strategy") { Description = "Strategy name.", DefaultValueFactory = _ => "breakout" };
        var parameters = new Option<string[]>("--param") { Description = "Strategy parameter name=value (repeatable)." };
        var runId = new Option<string?>("--run-id") { Description = "Run id; give the id of a stopped run to resume it." };
        var flatten = new Option<int?>("--flatten-minutes") { Description = "Exit all positions N minutes before the close." };

        var command = new Command("trade", "Run the trading agents: policy, sizing, guardrails, execution and journal.")
        {
            paper, live, confirm, replay, symbols, interval, speed, capital, strategy, parameters, runId, flatten,
        };

        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(live) && !parse.GetValue(paper))
            {
                var hasKeys = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("APCA_API_KEY_ID"))
                    && !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("APCA_API_SECRET_KEY"));
                throw new CliException(!hasKeys
                    ? "--live needs APCA_API_KEY_ID and APCA_API_SECRET_KEY set; refusing to trade live."
                    : !parse.GetValue(confirm)
                        ? "--live trades real money; add --yes-i-understand-live-trading to confirm."
                        : "live trading runs on the Alpaca stream, which this build does not start offline; use --paper --replay.");
            }

            if (parse.GetValue(replay) is not { } range)
            {
                throw new CliException("live streaming trading needs APCA keys and the market-data stream and is not available offline; use --paper --replay FROM:TO.");
            }

            var (from, to) = ParseRange(range);
            var watchlist = ParseSymbols(parse.GetValue(symbols) ?? Environment.GetEnvironmentVariable("WATCHLIST_TEXT"));
            if (!Timeframe.TryParse(parse.GetValue(interval)!, out var tf))
            {
                throw new CliException($"--interval '{parse.GetValue(interval)}' is not an interval; use 1Min, 5Min, 15Min, 30Min, 1Hour or 1Day.");
            }

            var delay = ParseSpeed(parse.GetValue(speed)!, tf);
            var cash = parse.GetValue(capital);
            if (cash <= 0)
            {
                throw new CliException("--capital must be greater than 0.");
            }

            var name = parse.GetValue(strategy)!.Trim();
            var strategyParams = CliParsing.ParseParams(parse.GetValue(parameters));
            StrategyCatalog.Create(name, strategyParams);
            var id = parse.GetValue(runId)?.Trim() is { Length: > 0 } given
                ? given
                : "paper-" + DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);
            if (id.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            {
                throw new CliException($"--run-id '{id}' may only use letters, digits, '-', '_' and '.'.");
            }

            var options = new TradingSessionOptions(id, watchlist, from, to, tf, name, strategyParams,
                new BacktestOptions(InitialCapital: cash), parse.GetValue(flatten), delay, settings.DataDir);
            var source = new CsvBarSource(settings.SampleDataDir ?? SampleData.LocateRoot(), NyseCalendar.Instance);
            await using var journalStore = JournalFactory.Create(Environment.GetEnvironmentVariable("DATABASE_URL"), settings.DataDir);
            var journal = new JournalingAgent(journalStore);
            stdout.WriteLine($"run {id}: paper replay {from:yyyy-MM-dd}..{to:yyyy-MM-dd} {string.Join(",", watchlist)} {tf} {name}, capital {Money(cash)} (resume with --run-id {id})");
            var session = new TradingSessionLoop(options, source, journal, progress: p =>
            {
                if (p.Phase != "regular")
                {
                    stdout.WriteLine($"{ExchangeTime.ToNewYork(p.Timestamp):yyyy-MM-dd HH:mm} ET {p.Phase,-11} {p.Message}");
                }
            });
            var result = await session.RunAsync(ct);

            var broker = result.Broker;
            stdout.WriteLine();
            stdout.WriteLine($"{"bars",-16}{result.BarsProcessed,14}");
            stdout.WriteLine($"{"orders",-16}{broker.Orders.Count,14}");
            stdout.WriteLine($"{"fills",-16}{broker.Fills.Count,14}");
            stdout.WriteLine($"{"round trips",-16}{broker.Trades.Count,14}");
            stdout.WriteLine($"{"blocks",-16}{result.BlocksByRule.Values.Sum(),14}");
            foreach (var (rule, n) in result.BlocksByRule)
            {
                stdout.WriteLine($"{"  " + rule,-16}{n,14}");
            }

            var open = string.Join(", ", (await broker.GetPositionsAsync(ct)).Select(p => FormattableString.Invariant($"{p.Symbol} {p.Quantity}")));
            stdout.WriteLine($"{"open positions",-16}{(open.Length > 0 ? open : "none"),14}");
            stdout.WriteLine($"{"final equity",-16}{Money(result.FinalEquity),14}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static (DateOnly From, DateOnly To) ParseRange(string value)
    {
        var parts = value.Split(':', StringSplitOptions.TrimEntries);
        if (parts.Length != 2)
        {
            throw new CliException($"--replay '{value}' is not FROM:TO; e.g. --replay 2013-10-07:2013-10-11.");
        }

        var from = CliParsing.ParseDate(parts[0], "--replay");
        var to = CliParsing.ParseDate(parts[1], "--replay");
        return from <= to ? (from, to) : throw new CliException($"--replay start {from:yyyy-MM-dd} is after its end {to:yyyy-MM-dd}.");
    }

    private static List<Symbol> ParseSymbols(string? value)
    {
        var list = (value ?? "").Split([',', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s =>
            {
                try
                {
                    return new Symbol(s);
                }
                catch (ArgumentException)
                {
                    throw new CliException($"--symbols: '{s}' is not a ticker.");
                }
            })
            .Distinct()
            .ToList();
        return list.Count > 0 ? list : throw new CliException("--symbols is empty (and WATCHLIST_TEXT is not set); e.g. --symbols SPY,IBM.");
    }

    private static TimeSpan? ParseSpeed(string value, Timeframe interval)
    {
        if (value.Trim().Equals("max", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var factor) && factor > 0
            ? TimeSpan.FromTicks((long)(interval.Duration.Ticks / factor))
            : throw new CliException($"--speed '{value}' is not 'max' or a positive factor (60 = one minute per second).");
    }

    private static string Money(decimal amount) => amount.ToString("$#,##0.00", CultureInfo.InvariantCulture);
}
