using System.CommandLine;
using System.Globalization;
using AiTrader.Application.Sessions;
using AiTrader.Brokers.Alpaca;
using AiTrader.Core.Agents;
using AiTrader.Core.Brokers;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.Sessions;
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

        var cluster = TradeOnCluster.ClusterOption();
        var gatewayPorts = SweepOnCluster.GatewayPortsOption();
        var membership = new ClusterMembershipOptions();
        var json = JsonFlag.Create("the session's end state (the API's session result; with --live the broker's positions)");
        var command = new Command("trade", "Run the trading agents: policy, sizing, guardrails, execution and journal.")
        {
            paper, live, confirm, replay, symbols, interval, speed, capital, strategy, parameters, runId, flatten, maxBars, until,
            maxVolumeShare, regimeAware, riskAgent, riskFraction, resetHalt, newRun, guardrails, extendedHours, watchlistSource,
            cluster, gatewayPorts, membership.Clustering, membership.ClusterId, json,
        };

        command.SetAction(async (parse, ct) =>
        {
            var isLive = parse.GetValue(live);
            if (isLive && parse.GetValue(paper))
            {
                throw new CliException("--paper and --live exclude each other; pick one.");
            }

            var asJson = parse.GetValue(json);
            // With --json, standard output carries the document alone.
            var lines = asJson ? parse.InvocationConfiguration.Error : stdout;

            var range = parse.GetValue(replay) is { } r ? ParseRange(r) : ((DateOnly From, DateOnly To)?)null;
            var fromSource = parse.GetValue(watchlistSource);
            var given = parse.GetValue(symbols);
            // The source picks the symbols: --symbols beside it is refused, WATCHLIST_TEXT is not read.
            IReadOnlyList<Symbol> watchlist = fromSource is null || given is not null ? ParseSymbols(given ?? Environment.GetEnvironmentVariable("WATCHLIST_TEXT")) : [];
            var tf = CliParsing.ParseInterval(parse.GetValue(interval)!);
            var request = new TradingSessionRequest
            {
                Mode = isLive ? SessionMode.Live : range is not null ? SessionMode.Replay : SessionMode.Paper,
                Symbols = watchlist,
                WatchlistSource = fromSource,
                From = range?.From,
                To = range?.To,
                Interval = tf,
                DelayPerBar = RequestChecks.Speed(parse.GetValue(speed)!, tf),
                Capital = BacktestCommand.Capital(parse.GetValue(capital)),
                MaxVolumeShare = ParseVolumeShare(parse.GetValue(maxVolumeShare)),
                MaxBars = ParseMaxBars(parse.GetValue(maxBars)),
                Until = parse.GetValue(until) is { } u ? ParseUntil(u) : null,
                Strategy = parse.GetValue(strategy)!.Trim(),
                Parameters = CliParsing.ParseParams(parse.GetValue(parameters)),
                Sizing = BacktestCommand.ParseSizing(parse.GetValue(regimeAware), parse.GetValue(riskAgent), parse.GetValue(riskFraction)),
                Guardrails = parse.GetValue(guardrails) ?? "",
                ExtendedHours = parse.GetValue(extendedHours),
                FlattenMinutes = parse.GetValue(flatten),
                ResetHalt = parse.GetValue(resetHalt),
                RunId = parse.GetValue(runId)?.Trim() is { Length: > 0 } id ? id : null,
                NewRun = parse.GetValue(newRun),
                Terms = Terms,
            };

            if (parse.GetValue(cluster))
            {
                TradeOnCluster.Check(request, asJson);
                // The run as a single-machine trade resolves it (a new one, or the unfinished one of the same kind in this
                // data folder, which the silos share): its id is the grain's key.
                var plan = await new TradingSessions(settings).PlanRunAsync(request, ct);
                var spec = new ReplaySessionSpec
                {
                    Symbols = request.WatchlistSource is null ? [.. request.Symbols.Select(s => s.Value)] : null,
                    WatchlistSource = request.WatchlistSource,
                    From = range!.Value.From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    To = range.Value.To.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    Interval = parse.GetValue(interval),
                    Speed = parse.GetValue(speed),
                    Capital = request.Capital,
                    MaxVolumeShare = request.MaxVolumeShare,
                    Strategy = request.Strategy,
                    Parameters = request.Parameters,
                    Guardrails = request.Guardrails,
                    ExtendedHours = request.ExtendedHours,
                    FlattenMinutes = request.FlattenMinutes,
                    ResetHalt = request.ResetHalt,
                    RegimeAwareSizing = parse.GetValue(regimeAware),
                    RiskAgent = parse.GetValue(riskAgent),
                    RiskAgentFraction = parse.GetValue(riskFraction),
                };
                var (gateways, table) = await membership.ClientAsync(parse, settings, onCluster: true, gatewayPorts, ct);
                return await TradeOnCluster.RunAsync(spec, plan.RunId, gateways, table, stdout, ct);
            }

            await membership.ClientAsync(parse, settings, onCluster: false, gatewayPorts, ct);
            BrokerVenue? venue = null;
            try
            {
                var outcome = await new TradingSessions(settings).RunAsync(request, new SessionPrinter(lines, request),
                    isLive ? async c => venue = await OpenLiveAsync(parse.GetValue(confirm), lines, c) : null, ct);
                if (request.Mode.IsStream())
                {
                    lines.WriteLine($"stopped: {outcome.StopReason} after {outcome.StreamBars} bars; journal complete (resume with --run-id {outcome.RunId})");
                }

                if (asJson)
                {
                    var positions = outcome.Result.Exchange is null
                        ? (await venue!.Broker.GetPositionsAsync(CancellationToken.None)).Select(p => (p.Symbol.Value, p.Quantity)).ToList()
                        : null;
                    await stdout.WriteLineAsync(SessionResultJson.Write(outcome, request.Mode.IsStream(), positions));
                    return ExitCodes.Ok;
                }

                await PrintResultAsync(stdout, outcome.Result, request.Mode.IsStream() ? CancellationToken.None : ct);
                return ExitCodes.Ok;
            }
            finally
            {
                if (venue is not null)
                {
                    await venue.DisposeAsync();
                }
            }
        });
        return command;
    }

    /// <summary>The words of this command's messages: its flags.</summary>
    private static readonly SessionTerms Terms = new()
    {
        Symbols = "--symbols",
        From = "--replay",
        To = "--replay",
        WatchlistSource = "--watchlist-source",
        RunId = "--run-id",
        NewRun = "--new-run",
        Strategy = "--strategy",
        Parameters = "--param",
        Guardrails = "--guardrails",
        // The strategy catalog's reason says which strategy or parameter it is about.
        Named = (_, reason) => reason,
        Range = (from, to) => $"--replay {from:yyyy-MM-dd}:{to:yyyy-MM-dd}",
        DatesOnStream = "--live trades on the live stream and cannot --replay; use --paper --replay FROM:TO.",
        DateRequired = _ => "--replay is required for a replay, e.g. --replay 2013-10-07:2013-10-11.",
        SymbolsRequired = "--symbols is empty (and WATCHLIST_TEXT is not set); e.g. --symbols SPY,IBM.",
        IntervalOnStream = tf => $"--interval {tf} needs --replay; the live stream delivers 1Min bars.",
        StopsOnReplay = "--max-bars and --until stop a live run; a replay ends at its last date.",
        NoStreamKeys = "trading on the live stream needs APCA_API_KEY_ID and APCA_API_SECRET_KEY set (and ALPACA_STREAM_URL for another feed); or replay bundled bars with --paper --replay FROM:TO.",
        NoBarsHint = "widen --replay or pick dates the data covers (aitrader fetch --vendor sample shows them)",
        StopWords = ("Ctrl+C", "--until reached", "--max-bars reached"),
    };

    /// <summary>Prints the session as it is set up and trades: the picked watchlist, the run's first line, every event
    /// of the loop but the plain bar times, the stream's reconnects.</summary>
    private sealed class SessionPrinter(TextWriter stdout, TradingSessionRequest request) : ITradingSessionObserver
    {
        public void WatchlistPicked(IReadOnlyList<Symbol> symbols, string source) =>
            stdout.WriteLine($"watchlist: {string.Join(",", symbols)} (from the {source})");

        public Task StartedAsync(SessionStart start, CancellationToken cancellationToken)
        {
            var symbols = string.Join(",", start.Symbols);
            if (start.Stream is not { } stream)
            {
                stdout.WriteLine($"run {start.RunId}: {(start.Resuming ? "resuming " : "")}paper replay {start.From:yyyy-MM-dd}..{start.To:yyyy-MM-dd} {symbols} {request.Interval} {request.Strategy}, capital {Money(request.Capital)}");
            }
            else
            {
                var isLive = start.Broker is not null;
                stdout.WriteLine($"run {start.RunId}: {(isLive ? start.Broker!.Broker.Name : "paper broker")} on the live stream {stream.Host}:{stream.Port} {symbols} {request.Strategy}" +
                    $"{(isLive ? "" : $", capital {Money(request.Capital)}")}{(request.MaxBars is { } n ? $", stop after {n} bars" : "")}{(request.Until is { } at ? $", until {at:yyyy-MM-dd'T'HH:mm:ss'Z'}" : "")} (Ctrl+C stops cleanly)");
            }

            stdout.Flush();
            return Task.CompletedTask;
        }

        public void Progress(SessionProgress progress)
        {
            if (progress.Phase != "regular")
            {
                stdout.WriteLine($"{ExchangeTime.ToNewYork(progress.Timestamp):yyyy-MM-dd HH:mm} ET {progress.Phase,-11} {progress.Message}");
                stdout.Flush();
            }
        }

        public void Reconnected(DateTime at, string reason) =>
            stdout.WriteLine($"{ExchangeTime.ToNewYork(at):yyyy-MM-dd HH:mm} ET reconnect    {reason}");
    }

    /// <summary>The real broker for --live, once the operator has confirmed (flag, or the account number typed at a terminal).</summary>
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
        var positions = result.Exchange is { } exchange
            ? SessionSummary.PaperPositions(exchange)
            : (await ((BrokerVenue)result.Venue).Broker.GetPositionsAsync(ct)).Select(p => FormattableString.Invariant($"{p.Symbol} {p.Quantity}"));
        stdout.WriteLine();
        stdout.Write(SessionSummary.Format(result, positions));
    }

    private static decimal? ParseVolumeShare(decimal? share) => share is { } s && (s <= 0 || s > 1)
        ? throw new CliException($"--max-volume-share must be in (0, 1] (got {s.ToString(CultureInfo.InvariantCulture)}).")
        : share;

    private static int? ParseMaxBars(int? limit) => limit is <= 0 ? throw new CliException($"--max-bars must be greater than 0 (got {limit}).") : limit;

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

    private static string Money(decimal amount) => SessionSummary.Money(amount);
}
