using System.CommandLine;
using System.Globalization;
using System.Text;
using AiTrader.Application;
using AiTrader.Application.Scans;
using AiTrader.Application.Sessions;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.IO;
using AiTrader.Core.MarketData;
using AiTrader.Core.Scanning;
using AiTrader.Core.Sessions;
using AiTrader.Core.Strategies;
using AiTrader.Core.Watchlists;
using AiTrader.MarketData;
using AiTrader.MarketData.Dal;
using AiTrader.MarketData.Streaming;
using AiTrader.MarketData.Vendors;
using AiTrader.MarketData.Watchlists;
using AiTrader.Storage.Watchlists;
using Spectre.Console;
using Symbol = AiTrader.Core.Domain.Symbol;

namespace AiTrader.Cli.Commands;

/// <summary><c>aitrader scan</c>: the premarket gap / relative-volume scan at each refresh window, replayed on the
/// bundled minute bars (<c>--date D --replay</c>) or live through the DAL, as a table, CSV or JSON; with <c>--cluster</c>
/// on the silos of a cluster (the live one fed by the Alpaca WebSocket).</summary>
public static class ScanCommand
{
    /// <summary>The CSV header: one row per window and ranked symbol.</summary>
    public const string CsvHeader = "window,symbol,rank,score,gap,rvol,last_price,prior_close,volume,avg_volume,sessions,dollar_volume,prob_up,regime,last_bar,prior_close_date,session_dates,note";

    /// <summary>Most symbols a universe may hold (a bound on a file or a listing).</summary>
    public const int MaxUniverse = ScanSources.MaxUniverse;

    public static Command Create(AppSettings settings, TextWriter stdout, TextWriter stderr)
    {
        var premarket = new Option<bool>("--premarket") { Description = "Refresh every 5 minutes from 04:00 to 09:25 ET (the default windows)." };
        var windows = new Option<string?>("--windows") { Description = "Refresh windows in New York time: START-END/MINUTES (04:00-09:25/5) or a list (08:00,09:00,09:25)." };
        var date = new Option<string?>("--date") { Description = "Trading date to replay (YYYY-MM-DD, New York); with --replay." };
        var replay = new Option<bool>("--replay") { Description = "Replay the bundled minute bars on a simulated clock: each window sees only bars closed by then." };
        var universe = new Option<string?>("--universe") { Description = "Symbols to scan: sample (the bundled symbols), listing (a vendor listing; needs a key), or a file with one ticker per line." };
        var top = new Option<int>("--top") { Description = "Ranked symbols shown per window and published as the watchlist.", DefaultValueFactory = _ => 10 };
        var format = new Option<string>("--format") { Description = "Output: table, csv or json.", DefaultValueFactory = _ => "table" };
        var output = new Option<string?>("--out") { Description = "Write the CSV or JSON to this file instead of stdout." };
        var sessions = new Option<int>("--sessions") { Description = "RVOL: average over up to N past sessions.", DefaultValueFactory = _ => 10 };
        var minSessions = new Option<int>("--min-sessions") { Description = "Fewer usable past sessions is 'too little history' (not ranked).", DefaultValueFactory = _ => 2 };
        var minPrice = new Option<decimal?>("--min-price") { Description = "Price band: lowest last price." };
        var maxPrice = new Option<decimal?>("--max-price") { Description = "Price band: highest last price." };
        var minDollarVolume = new Option<decimal?>("--min-dollar-volume") { Description = "Lowest last price × volume so far." };
        var minGap = new Option<decimal?>("--min-gap") { Description = "Lowest |gap| as a ratio (0.02 = 2%)." };
        var minRvol = new Option<decimal?>("--min-rvol") { Description = "Lowest RVOL (1.5 = 150% of the usual volume by this time)." };
        var minProbUp = new Option<double?>("--min-prob-up") { Description = "Lowest daily Kalman prob_up as of the prior close (0..1)." };
        var regime = new Option<string?>("--regime") { Description = "Daily regime as of the prior close, e.g. trending_up|calm." };
        var direction = new Option<string>("--direction") { Description = "Which gaps rank: both (by size), up or down.", DefaultValueFactory = _ => "both" };
        var score = new Option<string?>("--score") { Description = "Score weights: gap=1,rvol=1,rvol_cap=10 (score = gap×100×|gap| + rvol×min(rvol, rvol_cap))." };
        var store = new Option<string?>("--store") { Description = "Where refreshes and the published watchlist go: json, blob or postgres. [default: WATCHLIST_STORE, else json]" };
        var noStore = new Option<bool>("--no-store") { Description = "Do not store the refreshes." };
        var cluster = ScanOnCluster.ClusterOption();
        var gatewayPorts = SweepOnCluster.GatewayPortsOption();
        var membership = new ClusterMembershipOptions();

        var command = new Command("scan", "Premarket gap and relative-volume scan over a universe, refreshed on the session calendar's windows.")
        {
            premarket, windows, date, replay, universe, top, format, output, sessions, minSessions, minPrice, maxPrice, minDollarVolume,
            minGap, minRvol, minProbUp, regime, direction, score, store, noStore, cluster, gatewayPorts, membership.Clustering, membership.ClusterId,
        };

        command.SetAction(async (parse, ct) =>
        {
            OutputPath.CheckFile(parse.GetValue(output), "--out");
            var env = Env();
            var fmt = parse.GetValue(format)!.Trim().ToLowerInvariant();
            if (fmt is not ("table" or "csv" or "json"))
            {
                throw new CliException($"--format '{fmt}' is not supported; use table, csv or json.");
            }

            if (parse.GetValue(output) is not null && fmt == "table")
            {
                throw new CliException("--out writes csv or json; add --format csv or --format json.");
            }

            if (parse.GetValue(premarket) && parse.GetValue(windows) is not null)
            {
                throw new CliException("--premarket is the 04:00-09:25/5 schedule; give it or --windows, not both.");
            }

            var schedule = parse.GetValue(windows) is { } w ? CliParsing.Checked(() => ScanSchedule.Parse(w), "--windows", formatErrors: true) : ScanSchedule.Premarket;
            var options = CliParsing.Checked(() => new ScanOptions(
                parse.GetValue(sessions), parse.GetValue(minSessions), parse.GetValue(minPrice), parse.GetValue(maxPrice),
                parse.GetValue(minDollarVolume), parse.GetValue(minGap), parse.GetValue(minRvol), parse.GetValue(minProbUp),
                parse.GetValue(regime) is { } r ? RegimeSet.Parse(r) : null, ParseDirection(parse.GetValue(direction)!),
                parse.GetValue(score) is { } sc ? ScanScore.Parse(sc) : null, parse.GetValue(top)).Validate(), "scan option", formatErrors: true);

            var isReplay = parse.GetValue(replay);
            var day = CliParsing.ParseOptionalDate(parse.GetValue(date), "--date");
            if (isReplay && day is null)
            {
                throw new CliException("--replay needs --date YYYY-MM-DD, e.g. --date 2013-10-08 --replay.");
            }

            if (!isReplay && day is not null)
            {
                throw new CliException("--date replays a past day: add --replay (a live scan runs on today).");
            }

            var onCluster = parse.GetValue(cluster);
            // A live scan's settings are checked before anything connects.
            var live = isReplay ? null : LiveSettings(env, onCluster);
            var (gateways, table) = await membership.ClientAsync(parse, settings, onCluster, gatewayPorts, ct);
            await using var watchlistStore = parse.GetValue(noStore) ? null : OpenStore(parse.GetValue(store), env, settings);
            ScanDay result;
            var streamTable = fmt == "table";
            async Task Print(ScanRefresh refresh, Watchlist _, CancellationToken token)
            {
                if (streamTable)
                {
                    PrintTable(stdout, refresh, options.Top);
                }

                await Task.CompletedTask;
            }

            if (isReplay)
            {
                var source = SampleSource(settings);
                var symbols = await UniverseAsync(parse.GetValue(universe), env, source, replayMode: true, ct);
                var date0 = day!.Value;
                var session = NyseCalendar.Instance.GetSession(date0)
                    ?? throw new CliException($"{date0:yyyy-MM-dd} ({date0.DayOfWeek}) is not a trading day; pick a session date such as 2013-10-08.");
                if (streamTable)
                {
                    stdout.WriteLine($"scan replay {date0:yyyy-MM-dd} · windows {schedule} ET · {symbols.Count} symbols · score {options.Scoring} · top {options.Top}");
                }

                result = onCluster
                    ? await ScanOnCluster.RunDayAsync(gateways, table, session, source, options, schedule, watchlistStore, Print, symbols, stderr, ct)
                    : await ScanScheduler.Replay(session, source, NyseCalendar.Instance, options, schedule, watchlistStore, source.SplitsFor, Print)
                        .RunDayAsync(date0, symbols, ct);
            }
            else
            {
                var (alpaca, todays, stream) = live!.Value;
                result = stream is not null ? await LiveOnClusterAsync(todays, stream) : await LiveHereAsync(alpaca, todays.Date);
            }

            async Task<ScanDay> LiveOnClusterAsync(TradingSession todays, StreamingManager stream)
            {
                var symbols = await UniverseAsync(parse.GetValue(universe), env, null, replayMode: false, ct);
                if (streamTable)
                {
                    stdout.WriteLine($"scan live on the cluster {todays.Date:yyyy-MM-dd} · windows {schedule} ET · {symbols.Count} symbols · score {options.Scoring} · top {options.Top}");
                }

                var feed = new LiveBarFeed(stream, symbols, null, null, ct);
                return await ScanOnCluster.RunLiveAsync(gateways, table, todays, options, schedule, watchlistStore, Print, symbols, feed.ReadAsync, PlatformEnvironment.Clock, stderr, ct);
            }

            async Task<ScanDay> LiveHereAsync(VendorSettings alpaca, DateOnly today)
            {
                await using var feed = new ScanSources.LiveFeed(alpaca);
                var symbols = await UniverseAsync(parse.GetValue(universe), env, null, replayMode: false, ct);
                var scanner = feed.Scanner(options);
                var scheduler = new ScanScheduler(scanner, schedule, NyseCalendar.Instance, PlatformEnvironment.Clock, watchlistStore, "live") { OnRefresh = Print };
                if (streamTable)
                {
                    stdout.WriteLine($"scan live {today:yyyy-MM-dd} · windows {schedule} ET · {symbols.Count} symbols · score {options.Scoring} · top {options.Top}");
                }

                return await scheduler.RunDayAsync(today, symbols, ct);
            }

            switch (fmt)
            {
                case "csv":
                    Emit(stdout, parse.GetValue(output), Csv(result.Refreshes, options.Top));
                    break;
                case "json":
                    Emit(stdout, parse.GetValue(output), "[" + string.Join(",\n", result.Refreshes.Select(WatchlistJson.Serialize)) + "]\n");
                    break;
            }

            var info = fmt == "table" ? stdout : stderr;
            foreach (var note in result.Notes)
            {
                await info.WriteLineAsync($"note: {note}");
            }

            if (result.Latest is { } latest)
            {
                await info.WriteLineAsync($"watchlist ({latest.Bucket}, {latest.CreatedUtc:yyyy-MM-dd HH:mm}Z): {(latest.Entries.Count > 0 ? string.Join(",", latest.Symbols) : "nothing ranked")}"
                    + (watchlistStore is null ? "" : $"; {result.Refreshes.Count} refresh(es) stored in {watchlistStore.Location}"));
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>What a live scan of today needs: the Alpaca keys, today's session and, on the cluster, the Alpaca
    /// stream, started before the premarket open (the symbol grains are fed by the stream from its first bar on; the
    /// bars before it are not backfilled).</summary>
    private static (VendorSettings Alpaca, TradingSession Today, StreamingManager? Stream)? LiveSettings(Func<string, string?> env, bool onCluster)
    {
        var alpaca = ScanSources.LiveVendors(env)
            ?? throw new CliException("a live scan needs APCA_API_KEY_ID and APCA_API_SECRET_KEY (Alpaca snapshots and bars); or replay the bundled data with --date 2013-10-08 --replay.");
        var now = PlatformEnvironment.Clock.GetUtcNow().UtcDateTime;
        var today = ExchangeTime.SessionDate(now);
        var session = NyseCalendar.Instance.GetSession(today)
            ?? throw new CliException($"today ({today:yyyy-MM-dd}, {today.DayOfWeek}) is not a trading day; replay a past one with --date D --replay.");
        if (!onCluster)
        {
            return (alpaca, session, null);
        }

        if (now > session.PremarketOpenUtc)
        {
            throw new CliException($"a live --cluster scan starts before the premarket open ({ExchangeTime.ToNewYork(session.PremarketOpenUtc):HH:mm} ET; it is {ExchangeTime.ToNewYork(now):HH:mm} ET): the symbol grains are fed by the stream from its first bar on; start it earlier, or scan on this machine without --cluster.");
        }

        return (alpaca, session, CliParsing.Checked(() => LiveBarFeed.Alpaca(env)));
    }

    /// <summary>The environment the command reads (a test's dictionary, or the process environment).</summary>
    internal static Func<string, string?> Env() => PlatformEnvironment.Lookup ?? Environment.GetEnvironmentVariable;

    internal static CsvBarSource SampleSource(AppSettings settings) => ScanSources.Sample(settings);

    /// <summary>The store named by --store or WATCHLIST_STORE (json under AITRADER_DATA_DIR by default).</summary>
    internal static IWatchlistStore OpenStore(string? kind, Func<string, string?> env, AppSettings settings)
    {
        var dataDir = env("AITRADER_DATA_DIR") is { Length: > 0 } d ? d : settings.DataDir;
        return CliParsing.Checked(() => WatchlistStoreFactory.Create(kind, env, dataDir));
    }

    /// <summary>The scan universe: the bundled symbols, a vendor listing or a file of tickers.</summary>
    internal static Task<IReadOnlyList<Symbol>> UniverseAsync(string? spec, Func<string, string?> env, CsvBarSource? sample, bool replayMode, CancellationToken ct) =>
        ScanSources.UniverseAsync(spec, env, sample, replayMode, "--universe", ct);

    /// <summary>One live scan of today (see <see cref="ScanSources.LiveScan"/>); null without the Alpaca keys.</summary>
    internal static Func<CancellationToken, Task<ScanRefresh>>? LiveScan(Func<string, string?> env, ScanOptions options) =>
        ScanSources.LiveScan(env, options);

    internal static string Csv(IEnumerable<ScanRefresh> refreshes, int top)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder(CsvHeader).Append('\n');
        foreach (var refresh in refreshes)
        {
            foreach (var r in refresh.Top(top))
            {
                sb.Append(string.Join(",",
                    Stamp(refresh.Window),
                    r.Symbol.Value,
                    r.Rank?.ToString(inv),
                    Num(r.Score, 6),
                    Num(r.Gap, 8),
                    Num(r.Rvol, 6),
                    r.LastPrice?.ToString(inv),
                    r.PriorClose?.ToString(inv),
                    r.Volume.ToString(inv),
                    Num(r.AverageVolume, 4),
                    r.Sessions.ToString(inv),
                    Num(r.DollarVolume, 2),
                    r.ProbUp?.ToString("0.######", inv),
                    r.Regime is { } g ? RegimeSet.NameOf(g) : "",
                    r.LastBarUtc is { } lb ? Stamp(lb) : "",
                    r.PriorCloseDate?.ToString("yyyy-MM-dd", inv),
                    string.Join(' ', r.SessionDates.Select(d => d.ToString("yyyy-MM-dd", inv))),
                    BacktestReportWriter.CsvField(r.Note ?? ""))).Append('\n');
            }
        }

        return sb.ToString();
    }

    internal static void PrintTable(TextWriter stdout, ScanRefresh refresh, int top)
    {
        var console = CliConsole.Create(stdout);

        var inv = CultureInfo.InvariantCulture;
        var ranked = refresh.Top(top);
        var total = refresh.Ranked.Count();
        console.MarkupLine(Markup.Escape(string.Create(inv,
            $"{ExchangeTime.ToNewYork(refresh.Window):yyyy-MM-dd HH:mm} ET ({refresh.Window:HH:mm}Z) · {refresh.UniverseSize} symbols · {total} ranked · {refresh.Elapsed.TotalMilliseconds:0} ms")));
        if (ranked.Count > 0)
        {
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn(new TableColumn("#").RightAligned()).AddColumn("symbol").AddColumn(new TableColumn("score").RightAligned())
                .AddColumn(new TableColumn("gap").RightAligned()).AddColumn(new TableColumn("rvol").RightAligned())
                .AddColumn(new TableColumn("last").RightAligned()).AddColumn(new TableColumn("prior close").RightAligned())
                .AddColumn(new TableColumn("volume").RightAligned()).AddColumn(new TableColumn("avg volume").RightAligned())
                .AddColumn(new TableColumn("sessions").RightAligned());
            foreach (var r in ranked)
            {
                table.AddRow(
                    r.Rank!.Value.ToString(inv), r.Symbol.Value, Num(r.Score, 3), r.Gap is { } g ? (g * 100).ToString("+0.00;-0.00;0.00", inv) + "%" : "-",
                    r.Rvol is { } v ? v.ToString("0.00", inv) : "-", r.LastPrice?.ToString(inv) ?? "-", r.PriorClose?.ToString(inv) ?? "-",
                    r.Volume.ToString("#,0", inv), r.AverageVolume is { } a ? a.ToString("#,0", inv) : "-", r.Sessions.ToString(inv));
            }

            console.Write(table);
            foreach (var r in ranked.Where(r => r.Note is not null))
            {
                console.MarkupLine(Markup.Escape($"  {r.Symbol}: {r.Note}"));
            }
        }
        else
        {
            console.MarkupLine("  nothing ranked");
        }

        var others = refresh.Rows.Where(r => r.Status != ScanRowStatus.Ranked).ToList();
        if (others.Count > 0)
        {
            console.MarkupLine(Markup.Escape("  not ranked: " + string.Join("; ", others.Select(r => $"{r.Symbol} ({Status(r.Status)}: {r.Note})"))));
        }
    }

    private static string Status(ScanRowStatus status) => status switch
    {
        ScanRowStatus.InsufficientHistory => "too little history",
        ScanRowStatus.NoData => "no data",
        ScanRowStatus.Filtered => "filtered",
        ScanRowStatus.Error => "error",
        _ => "ranked",
    };

    private static void Emit(TextWriter stdout, string? path, string text)
    {
        if (path is null)
        {
            stdout.Write(text);
            return;
        }

        // Atomic: a failed run never leaves a half-written file behind.
        AtomicFile.WriteAllText(path, text);
    }

    private static GapDirection ParseDirection(string text) => text.Trim().ToLowerInvariant() switch
    {
        "both" => GapDirection.Both,
        "up" => GapDirection.Up,
        "down" => GapDirection.Down,
        var other => throw new CliException($"--direction '{other}' is not supported; use both, up or down."),
    };

    private static string Stamp(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Num(decimal? value, int decimals) =>
        value is { } v ? Math.Round(v, decimals, MidpointRounding.AwayFromZero).ToString("0." + new string('#', decimals), CultureInfo.InvariantCulture) : "";
}
