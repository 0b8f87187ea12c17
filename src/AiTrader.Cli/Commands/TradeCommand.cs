using System.CommandLine;
using System.Globalization;
using System.Runtime.CompilerServices;
using AiTrader.Application.Sessions;
using AiTrader.Brokers.Alpaca;
using AiTrader.Core.Agents;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Brokers;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.Journal;
using AiTrader.Core.MarketData;
using AiTrader.Core.Risk;
using AiTrader.Core.Sessions;
using AiTrader.Core.Strategies;
using AiTrader.Core.Watchlists;
using AiTrader.MarketData.Streaming;
using AiTrader.Storage;
using AiTrader.Storage.Watchlists;
using Symbol = AiTrader.Core.Domain.Symbol;

namespace AiTrader.Cli.Commands;

/// <summary><c>aitrader trade</c>: the trading loop on replayed bundled bars or the live Alpaca stream, at the paper
/// broker or (with an explicit confirmation) a real Alpaca account.</summary>
public static class TradeCommand
{
    public static Command Create(AppSettings settings, TextWriter stdout)
    {
        var paper = new Option<bool>("--paper") { Description = "Trade on the paper broker (simulated fills against the bars); the default." };
        var live = new Option<bool>("--live") { Description = "Send real orders to the Alpaca account of APCA_API_KEY_ID (ALPACA_TRADING_BASE_URL); needs --confirm-live or typing the account number." };
        var confirm = new Option<bool>("--confirm-live", "--yes-i-understand-live-trading") { Description = "Confirms --live: orders go to the broker account." };
        var replay = new Option<string?>("--replay") { Description = "Replay bundled bars FROM:TO (YYYY-MM-DD:YYYY-MM-DD) on a simulated clock; without it the live Alpaca stream drives the loop." };
        var symbols = new Option<string?>("--symbols") { Description = "Watchlist, comma-separated. [default: WATCHLIST_TEXT]" };
        var interval = new Option<string>("--interval") { Description = CliParsing.IntervalHelp + " The live stream is 1Min only.", DefaultValueFactory = _ => "1Min" };
        var speed = new Option<string>("--speed") { Description = "Replay pacing: max (no delay) or a factor: 60 plays one minute per second.", DefaultValueFactory = _ => "max" };
        var capital = new Option<decimal>("--capital") { Description = "Starting cash in USD (paper broker).", DefaultValueFactory = _ => 100_000m };
        var strategy = new Option<string>("--strategy") { Description = BacktestCommand.StrategyHelp, DefaultValueFactory = _ => "breakout" };
        var parameters = new Option<string[]>("--param") { Description = "Strategy parameter name=value (repeatable)." };
        var runId = new Option<string?>("--run-id") { Description = "Run id: resumes that run (its settings must match), or starts one by that name. Without it, the same command resumes its unfinished run." };
        var newRun = new Option<bool>("--new-run") { Description = "Start a new run even when an unfinished run of this kind exists." };
        var guardrails = new Option<string>("--guardrails") { Description = "Guardrails: default (kill switch, max drawdown, daily loss, pdt, exposure, rate), a list such as pdt,max_drawdown, or none.", DefaultValueFactory = _ => "default" };
        var watchlistSource = new Option<string?>("--watchlist-source") { Description = "Take the watchlist from the premarket scan (scan) or a saved watchlist bucket, instead of --symbols: the first session's list for a replay (replay one day at a time to re-pick daily), today's list live." };
        var extendedHours = new Option<bool>("--extended-hours") { Description = "Trade pre-market and after-hours bars too (regular session only by default), as backtest --extended-hours does." };
        var flatten = new Option<int?>("--flatten-minutes") { Description = "Exit all positions N minutes before the close." };
        var maxBars = new Option<int?>("--max-bars") { Description = "Live stream: stop after this many bars (all symbols together)." };
        var until = new Option<string?>("--until") { Description = "Live stream: stop at this time: HH:mm New York today, or an ISO-8601 instant; by bar time, and by the wall clock when it is still ahead at start." };
        var maxVolumeShare = new Option<decimal?>("--max-volume-share") { Description = "Paper broker: an order takes at most this share of a bar's volume (0.1 = 10%); the rest fills on later bars or is cancelled at the close." };
        var regimeAware = new Option<bool>("--regime-aware-sizing") { Description = "Scale position size by the Kalman regime (trending up 1.0 ... volatile 0.25)." };
        var riskAgent = new Option<string?>("--risk-agent") { Description = "Sizing agent on top of base risk: fractional_kelly." };
        var resetHalt = new Option<bool>("--reset-halt") { Description = "Resuming a run: lift its max-drawdown halt (manual reset; only after the cool-off)." };
        var riskFraction = new Option<decimal>("--risk-agent-fraction") { Description = "Kelly fraction for --risk-agent fractional_kelly.", DefaultValueFactory = _ => 0.5m };

        var command = new Command("trade", "Run the trading agents: policy, sizing, guardrails, execution and journal.")
        {
            paper, live, confirm, replay, symbols, interval, speed, capital, strategy, parameters, runId, flatten, maxBars, until,
            maxVolumeShare, regimeAware, riskAgent, riskFraction, resetHalt, newRun, guardrails, extendedHours, watchlistSource,
        };

        command.SetAction(async (parse, ct) =>
        {
            var isLive = parse.GetValue(live);
            if (isLive && parse.GetValue(paper))
            {
                throw new CliException("--paper and --live exclude each other; pick one.");
            }

            var range = parse.GetValue(replay) is { } r ? ParseRange(r) : ((DateOnly From, DateOnly To)?)null;
            if (isLive && range is not null)
            {
                throw new CliException("--live trades on the live stream and cannot --replay; use --paper --replay FROM:TO.");
            }

            var fromSource = parse.GetValue(watchlistSource);
            if (fromSource is not null && parse.GetValue(symbols) is not null)
            {
                throw new CliException("--watchlist-source and --symbols exclude each other: the source picks the symbols.");
            }

            var watchlist = fromSource is null
                ? ParseSymbols(parse.GetValue(symbols) ?? Environment.GetEnvironmentVariable("WATCHLIST_TEXT"))
                : [];
            var tf = CliParsing.ParseInterval(parse.GetValue(interval)!);
            if (range is null && tf != Timeframe.OneMinute)
            {
                throw new CliException($"--interval {tf} needs --replay; the live stream delivers 1Min bars.");
            }

            var delay = ParseSpeed(parse.GetValue(speed)!, tf);
            var cash = BacktestCommand.Capital(parse.GetValue(capital));

            var volumeShare = parse.GetValue(maxVolumeShare);
            if (volumeShare is { } share && (share <= 0 || share > 1))
            {
                throw new CliException($"--max-volume-share must be in (0, 1] (got {share.ToString(CultureInfo.InvariantCulture)}).");
            }

            var limit = parse.GetValue(maxBars);
            if (limit is <= 0)
            {
                throw new CliException($"--max-bars must be greater than 0 (got {limit}).");
            }

            var stopAt = parse.GetValue(until) is { } u ? ParseUntil(u) : (DateTime?)null;
            if (range is not null && (limit is not null || stopAt is not null))
            {
                throw new CliException("--max-bars and --until stop a live run; a replay ends at its last date.");
            }

            string? picked = null;
            if (fromSource is not null)
            {
                var firstSession = range is { } r0
                    ? NyseCalendar.Instance.GetSessions(r0.From, r0.To).FirstOrDefault()?.Date
                        ?? throw new CliException($"--replay {r0.From:yyyy-MM-dd}:{r0.To:yyyy-MM-dd} holds no trading session; pick dates with one.")
                    : ExchangeTime.SessionDate(DateTime.UtcNow);
                var premarket = await PremarketWatchlistAsync(fromSource, firstSession, range is null, settings, ct);
                watchlist = premarket.Symbols.ToList();
                if (watchlist.Count == 0)
                {
                    throw new CliException($"the {premarket.Source} watchlist for {firstSession:yyyy-MM-dd} is empty{(premarket.Notes.Count > 0 ? $" ({premarket.Notes[0]})" : "")}; pass --symbols instead.");
                }

                picked = $"{premarket.Source} watchlist of {firstSession:yyyy-MM-dd}, as of {premarket.AsOfUtc:yyyy-MM-dd HH:mm}Z";
                stdout.WriteLine($"watchlist: {string.Join(",", watchlist)} (from the {picked})");
            }

            var name = parse.GetValue(strategy)!.Trim();
            var strategyParams = CliParsing.ParseParams(parse.GetValue(parameters));
            var sizing = BacktestCommand.ParseSizing(parse.GetValue(regimeAware), parse.GetValue(riskAgent), parse.GetValue(riskFraction));
            StrategyCatalog.Create(name, strategyParams, sizing?.RegimeAware ?? false);
            var guardrailSpec = BacktestCommand.ParseGuardrails(parse.GetValue(guardrails));
            var guardrailSet = GuardrailCatalog.Parse(guardrailSpec);
            var costs = new ExchangeOptions(InitialCapital: cash, MaxVolumeShare: volumeShare, ExtendedHours: parse.GetValue(extendedHours));
            var mode = range is not null ? "replay" : isLive ? "live" : "paper";
            var runSettings = RunSettings(mode, watchlist, tf, range, name, strategyParams, costs, sizing, parse.GetValue(flatten), guardrailSpec);
            var registry = new RunRegistry(settings.DataDir);
            var (id, resuming) = ResolveRun(registry, mode, parse.GetValue(runId), parse.GetValue(newRun), runSettings);
            var today = ExchangeTime.SessionDate(DateTime.UtcNow);
            var options = new TradingSessionOptions(id, watchlist, range?.From ?? today, range?.To ?? today, tf, name, strategyParams,
                costs, parse.GetValue(flatten), delay, settings.DataDir, Sizing: sizing, ResetHalts: parse.GetValue(resetHalt),
                Guardrails: guardrailSet ?? (_ => new GuardrailSet([])), WatchlistSource: picked);
            await using var journalStore = JournalFactory.Create(Environment.GetEnvironmentVariable("DATABASE_URL"), settings.DataDir);
            var journal = new JournalingAgent(journalStore);
            void Progress(SessionProgress p)
            {
                if (p.Phase != "regular")
                {
                    stdout.WriteLine($"{ExchangeTime.ToNewYork(p.Timestamp):yyyy-MM-dd HH:mm} ET {p.Phase,-11} {p.Message}");
                    stdout.Flush();
                }
            }

            if (range is { } days)
            {
                var source = new CsvBarSource(settings.SampleDataDir ?? SampleData.LocateRoot(), NyseCalendar.Instance);
                // Bad input before any state: a range without bars starts no run (no registry entry, no journal, no lock).
                if (!await AnyBarsAsync(source, watchlist, tf, days, ct))
                {
                    throw new CliException(NoBars(tf, watchlist, days));
                }

                stdout.WriteLine($"run {id}: {(resuming ? "resuming " : "")}paper replay {days.From:yyyy-MM-dd}..{days.To:yyyy-MM-dd} {string.Join(",", watchlist)} {tf} {name}, capital {Money(cash)}");
                stdout.Flush();
                if (!resuming)
                {
                    registry.Start(id, mode, runSettings);
                }

                var replayed = await RunLockedAsync(() => new TradingSessionRunner(options, source, journal, progress: Progress).RunAsync(ct));
                registry.SetStatus(id, RunManifest.Finished);
                if (replayed.BarsProcessed == 0)
                {
                    throw new CliException(NoBars(tf, watchlist, days));
                }

                await PrintResultAsync(stdout, replayed, ct);
                return ExitCodes.Ok;
            }

            var streamOptions = AlpacaStreamOptions.FromEnvironment();
            if (!streamOptions.HasKeys)
            {
                throw new CliException("trading on the live stream needs APCA_API_KEY_ID and APCA_API_SECRET_KEY set (and ALPACA_STREAM_URL for another feed); or replay bundled bars with --paper --replay FROM:TO.");
            }

            await using var venue = isLive ? await OpenLiveAsync(parse.GetValue(confirm), stdout, ct) : null;
            var reconnects = new System.Collections.Concurrent.ConcurrentQueue<string>();
            var feed = new LiveBarFeed(StreamCommand.AlpacaBars(reconnects.Enqueue), watchlist, limit, stopAt, ct)
            {
                // Why the feed paused (a drop, an oversize message, an idle stream) goes to the run's journal and the screen.
                Reconnected = async (at, ct2) =>
                {
                    while (reconnects.TryDequeue(out var reason))
                    {
                        stdout.WriteLine($"{ExchangeTime.ToNewYork(at):yyyy-MM-dd HH:mm} ET reconnect    {reason}");
                        await journal.RecordDecisionAsync(at, null, $"stream reconnected: {reason}",
                            eventKey: LiveBarFeed.ReconnectKey(id, at, reason), cancellationToken: ct2);
                    }
                },
            };
            if (!resuming)
            {
                registry.Start(id, mode, runSettings);
            }

            stdout.WriteLine($"run {id}: {(isLive ? venue!.Broker.Name : "paper broker")} on the live stream {streamOptions.Url.Host}:{streamOptions.Url.Port} {string.Join(",", watchlist)} {name}" +
                $"{(isLive ? "" : $", capital {Money(cash)}")}{(limit is { } n ? $", stop after {n} bars" : "")}{(stopAt is { } at ? $", until {at:yyyy-MM-dd'T'HH:mm:ss'Z'}" : "")} (Ctrl+C stops cleanly)");
            stdout.Flush();
            var result = await RunLockedAsync(() => new TradingSessionRunner(options, feed.ReadAsync, journal, progress: Progress, broker: venue)
                .RunAsync(CancellationToken.None));
            // A clean stop (Ctrl+C, --until, --max-bars) is not a crash: the run is resumed only when asked by its id.
            registry.SetStatus(id, RunManifest.Stopped);
            stdout.WriteLine($"stopped: {feed.StopReason} after {feed.Bars} bars; journal complete (resume with --run-id {id})");
            await PrintResultAsync(stdout, result, CancellationToken.None);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The real broker for --live, once the operator has confirmed (flag, or the account number typed at a terminal).</summary>
    private static string NoBars(Timeframe tf, IReadOnlyList<Symbol> watchlist, (DateOnly From, DateOnly To) days) =>
        $"no bundled {tf} bars for {string.Join(",", watchlist)} between {days.From:yyyy-MM-dd} and {days.To:yyyy-MM-dd}; widen --replay or pick dates the data covers (aitrader fetch --vendor sample shows them).";

    private static async Task<bool> AnyBarsAsync(CsvBarSource source, IReadOnlyList<Symbol> watchlist, Timeframe tf,
        (DateOnly From, DateOnly To) days, CancellationToken ct)
    {
        foreach (var symbol in watchlist)
        {
            var series = await source.GetBarsAsync(new BarRequest(symbol, tf, ExchangeTime.StartOfDateUtc(days.From), ExchangeTime.EndOfDateUtc(days.To)), ct);
            if (series.Bars.Count > 0)
            {
                return true;
            }
        }

        return false;
    }

    private static async Task<BrokerVenue> OpenLiveAsync(bool confirmed, TextWriter stdout, CancellationToken ct)
    {
        AlpacaTradingClient client;
        try
        {
            client = new AlpacaTradingClient(new HttpClient(), AlpacaTradingOptions.FromEnvironment(Environment.GetEnvironmentVariable, live: true));
        }
        catch (BrokerException ex)
        {
            throw new CliException(ex.Message);
        }

        if (!confirmed)
        {
            if (Console.IsInputRedirected)
            {
                throw new CliException($"--live sends real orders to {client.Options.BaseUrl.Host}; add --confirm-live, or run in a terminal and type the account number when asked.");
            }

            var account = await client.GetAccountAsync(ct);
            var number = account.AccountNumber ?? account.AccountId;
            stdout.Write($"--live sends real orders to account {Mask(number)} at {client.Options.BaseUrl.Host}; type the account number to confirm: ");
            stdout.Flush();
            if (!string.Equals(Console.ReadLine()?.Trim(), number, StringComparison.Ordinal))
            {
                throw new CliException("the account number did not match; not trading live.");
            }
        }

        var venue = new BrokerVenue(client);
        try
        {
            await venue.StartAsync(ct);
        }
        catch (BrokerException ex) when (ex.Kind is BrokerErrorKind.Unauthorized or BrokerErrorKind.Configuration)
        {
            throw new CliException(ex.Message);
        }

        return venue;
    }

    private static string Mask(string number) => number.Length <= 4 ? number : new string('*', number.Length - 4) + number[^4..];

    private static async Task PrintResultAsync(TextWriter stdout, TradingSessionResult result, CancellationToken ct)
    {
        var exchange = result.Exchange;
        stdout.WriteLine();
        stdout.WriteLine($"{"bars",-16}{result.BarsProcessed,14}");
        stdout.WriteLine($"{"orders",-16}{exchange?.AllOrders.Count ?? result.OrdersSubmitted,14}");
        stdout.WriteLine($"{"fills",-16}{exchange?.Fills.Count ?? result.FillsSeen,14}");
        if (exchange is not null)
        {
            stdout.WriteLine($"{"round trips",-16}{exchange.Trades.Count,14}");
        }

        stdout.WriteLine($"{"blocks",-16}{result.BlocksByRule.Values.Sum(),14}");
        foreach (var (rule, n) in result.BlocksByRule)
        {
            stdout.WriteLine($"{"  " + rule,-16}{n,14}");
        }

        var positions = exchange is not null
            ? exchange.Books.Where(b => b.Sign != 0).Select(b => FormattableString.Invariant($"{b.Symbol} {b.Position}"))
            : (await ((BrokerVenue)result.Venue).Broker.GetPositionsAsync(ct)).Select(p => FormattableString.Invariant($"{p.Symbol} {p.Quantity}"));
        var open = string.Join(", ", positions);
        stdout.WriteLine($"{"open positions",-16}{(open.Length > 0 ? open : "none"),14}");
        stdout.WriteLine($"{"final equity",-16}{Money(result.FinalEquity),14}");
    }

    /// <summary>The premarket watchlist of <paramref name="session"/> from the scan (bundled bars with no keys) or a saved bucket.</summary>
    private static async Task<PremarketWatchlist> PremarketWatchlistAsync(string source, DateOnly session, bool live, AppSettings settings,
        CancellationToken ct)
    {
        var sample = ScanCommand.SampleSource(settings);
        await using var store = WatchlistStoreFactory.Create(null, Environment.GetEnvironmentVariable, settings.DataDir);
        try
        {
            var provider = PremarketWatchlistProvider.IsScan(source)
                ? new PremarketWatchlistProvider("scan", store, sample, sample.AvailableSymbols(Timeframe.OneMinute), splits: sample.SplitsFor)
                : new PremarketWatchlistProvider(source, store);
            return await provider.ForSessionAsync(session, live ? PremarketMode.Live : PremarketMode.Replay, ct);
        }
        catch (ArgumentException ex)
        {
            throw new CliException($"--watchlist-source {source}: {ex.Reason()}");
        }
    }

    /// <summary>Which run this command drives: the one named by --run-id, a new one (--new-run, or none unfinished), or
    /// the unfinished run of the same kind when its settings match; a mismatch is refused with the first difference.</summary>
    internal static (string Id, bool Resuming) ResolveRun(RunRegistry registry, string mode, string? givenId, bool newRun,
        IReadOnlyDictionary<string, string> runSettings)
    {
        if (givenId?.Trim() is { Length: > 0 } given)
        {
            if (given.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) || given.Contains("..", StringComparison.Ordinal))
            {
                throw new CliException($"--run-id '{given}' may only use letters, digits, '-', '_' and '.'.");
            }

            if (newRun)
            {
                throw new CliException("--new-run and --run-id exclude each other: --run-id resumes or names a run, --new-run starts a fresh one with a new id.");
            }

            if (registry.Load(given) is not { } existing)
            {
                return (given, false);
            }

            if (existing.Mode != mode)
            {
                throw new CliException($"run {given} is a {existing.Mode} run; this command starts a {mode} run. Use another --run-id.");
            }

            return RunRegistry.Difference(existing.Settings, runSettings) is { } difference
                ? throw new CliException($"run {given} was started with other settings ({difference}); run it with its own settings, or start another with --new-run.")
                : (given, true);
        }

        if (!newRun && registry.LatestUnfinished(mode) is { } unfinished)
        {
            return RunRegistry.Difference(unfinished.Settings, runSettings) is { } difference
                ? throw new CliException($"run {unfinished.RunId} did not finish and was started with other settings ({difference}); run its command again to resume it, or add --new-run to start a new run.")
                : (unfinished.RunId, true);
        }

        return (registry.NewRunId(mode), false);
    }

    /// <summary>The settings that shape a run's orders, as its record keeps them: <see cref="AiTrader.Application.Sessions.RunSettings"/>.</summary>
    internal static Dictionary<string, string> RunSettings(string mode, IReadOnlyList<Symbol> watchlist, Timeframe interval,
        (DateOnly From, DateOnly To)? range, string strategy, IReadOnlyDictionary<string, string> parameters, ExchangeOptions costs,
        Core.Risk.Sizing.SizingOptions? sizing, int? flatten, string guardrails) =>
        AiTrader.Application.Sessions.RunSettings.For(mode, watchlist, interval, range, strategy, parameters, costs, sizing, flatten, guardrails);

    /// <summary>Runs a session, turning "another process drives this run" and a damaged snapshot into one-line errors.</summary>
    private static async Task<TradingSessionResult> RunLockedAsync(Func<Task<TradingSessionResult>> run)
    {
        try
        {
            return await run();
        }
        catch (RunLockedException ex)
        {
            throw new CliException(ex.Message);
        }
        catch (InvalidDataException ex)
        {
            throw new CliException(ex.Message);
        }
        catch (RunMismatchException ex)
        {
            throw new CliException(ex.Message);
        }
    }

    /// <summary>HH:mm (New York, today) or an ISO-8601 instant with Z or an offset, as UTC.</summary>
    private static DateTime ParseUntil(string value)
    {
        var text = value.Trim();
        if (TimeOnly.TryParseExact(text, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return ExchangeTime.ToUtc(ExchangeTime.SessionDate(DateTime.UtcNow), time);
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant)
            && (text.EndsWith('Z') || text.Contains('+') || text.LastIndexOf('-') > text.IndexOf('T'))
            ? instant.UtcDateTime
            : throw new CliException($"--until '{value}' is not HH:mm (New York) or an ISO-8601 instant such as 2024-03-04T20:00:00Z.");
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

    private static TimeSpan? ParseSpeed(string value, Timeframe interval) => RequestChecks.Speed(value, interval);

    private static string Money(decimal amount) => amount.ToString("$#,##0.00", CultureInfo.InvariantCulture);
}
