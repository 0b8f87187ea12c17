using System.CommandLine;
using AiTrader.Cli;
using AiTrader.Core.Tests.Journal;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Cli;

/// <summary>Every command of the tree, fed bad input: exit code 2 (README), exactly one line on standard error, no .NET
/// in it, and nothing written where <c>--out</c> points. The commands are read from the command tree, so a new command
/// without a case here fails <see cref="Every_command_has_a_bad_input_case"/>.</summary>
[Trait("Category", "Cli")]
[Collection(EnvironmentCollection.Name)]
public sealed class BadInputEveryCommandTests : IDisposable
{
    /// <summary>Replaced by a fresh folder per case; the case's --out (a folder, or a file inside it) lives there.</summary>
    private const string Out = "{out}";

    /// <summary>Command path → bad command lines (the words after <c>aitrader</c>).</summary>
    private static readonly (string Command, string Args)[] Cases =
    [
        ("calendar", "calendar --start 1990-01-01 --end 1990-02-01"),
        ("calendar", "calendar --from 2024-02-30 --to 2024-03-01"),
        ("backtest", $"backtest --symbol NOPE --start 2005-01-01 --out {Out}"),
        ("backtest", $"backtest --symbol SPY --capital abc --out {Out}"),
        ("backtest", $"backtest --symbol SPY --capital 0 --out {Out}"),
        ("backtest", $"backtest --symbol SPY --start 2030-01-01 --out {Out}"),
        ("backtest", "backtest --symbol SPY --out /proc/aitrader-bad-input"),
        ("backtest", $"backtest --symbols AAPL,NOPE --out {Out}"),
        ("bench", "bench --runs 0"),
        ("bench", "bench --bars many"),
        ("sweep", $"sweep --symbol SPY --grid lookback=abc --out {Out}"),
        ("sweep", $"sweep --symbol SPY --grid lookback=10:30:10 --strategy nosuch --out {Out}"),
        ("sweep", $"sweep --symbol SPY --grid lookback=10:30:10 --cluster --gateway-ports 39990 --out {Out}"),
        ("silo", "silo --port 0"),
        ("silo", "silo --port 11190 --gateway-port 11190"),
        ("silo", "silo --clustering zookeeper"),
        ("silo", "silo --cluster-id research"),
        ("silo", "silo --clustering azuretable"),
        ("silo", "silo --clustering redis"),
        ("silo", "silo --clustering redis --cluster-id a/b"),
        ("silo", "silo --clustering azuretable --address 0.0.0.0"),
        ("silo", "silo --address 10.0.0.5"),
        ("silo", "silo --session-keep-alive 0"),
        ("sweep", $"sweep --symbol SPY --grid lookback=10:30:10 --cluster --clustering azuretable --cluster-id a/b --out {Out}"),
        ("sweep", $"sweep --symbol SPY --grid lookback=10:30:10 --clustering azuretable --out {Out}"),
        ("lookahead", "lookahead --symbol NOPE"),
        ("lookahead", "lookahead --symbol SPY --cuts -3"),
        ("fetch", $"fetch --symbol SPY --vendor sample --start 2013-10-10 --end 2013-10-07 --out {Out}/bars.csv"),
        ("fetch", $"fetch --symbol SPY --vendor nosuch --start 2013-10-07 --end 2013-10-10 --out {Out}/bars.csv"),
        ("fetch", "fetch --symbol SPY --vendor sample --start 2013-10-07 --end 2013-10-10 --out /proc/aitrader-bad-input/bars.csv"),
        ("fetch", $"fetch --symbol SPY --start 2030-01-01 --end 2030-01-05 --out {Out}/bars.csv"),
        ("journal", "journal --date 2024-13-01"),
        ("journal", "journal --format xml"),
        ("strategies", "strategies --bogus"),
        ("signals", $"signals --symbol NOPE --out {Out}/signals.csv"),
        ("signals", $"signals --symbol SPY --interval 7Min --out {Out}/signals.csv"),
        ("trade", "trade --paper --replay 2020-01-06:2020-01-10 --symbols SPY"),
        ("trade", "trade --paper --replay 2013-10-07 --symbols SPY"),
        ("trade", "trade --paper --symbols SPY --cluster"),
        ("trade", "trade --paper --replay 2013-10-07:2013-10-08 --symbols SPY --cluster --json"),
        ("trade", "trade --paper --replay 2013-10-07:2013-10-08 --symbols SPY --cluster --gateway-ports 39990"),
        ("trade", "trade --paper --replay 2013-10-07:2013-10-08 --symbols SPY --clustering azuretable"),
        ("stream", "stream --symbols SPY --vendor replay --speed fast"),
        ("stream", "stream --symbols SPY --vendor nosuch"),
        ("stream", "stream --symbols SPY --vendor replay --start 2020-01-06"),
        ("scan", $"scan --premarket --date 2013-13-08 --replay --format csv --out {Out}/scan.csv"),
        ("scan", $"scan --premarket --date 2013-10-08 --replay --format xml --out {Out}/scan.csv"),
        ("scan", $"scan --date 2013-10-08 --replay --clustering azuretable --out {Out}/scan.csv"),
        ("watchlist build", "watchlist build --source nosuch"),
        ("watchlist show", "watchlist show --at yesterday-ish"),
        ("watchlist list", "watchlist list --store nosuch"),
        ("apikey create", "apikey create --name dash --role god"),
        ("apikey list", "apikey list --bogus"),
        ("apikey revoke", "apikey revoke nosuchid"),
        ("webhook secret", "webhook secret --bogus"),
        ("webhook sign", $"webhook sign nosuch.json --out {Out}/alert.headers"),
        ("serve", "serve --rate-limit lots"),
        ("serve", "serve --cluster --gateway-ports 39990"),
        ("serve", "serve --gateway-ports 30000"),
        ("db migrate", "db migrate --bogus"),
        ("docs generate", "docs generate --out /proc/aitrader-bad-input"),
    ];

    private readonly IsolatedStateDirectory _state = new("APCA_API_KEY_ID", "APCA_API_SECRET_KEY", "ALPACA_STREAM_URL", "WATCHLIST_TEXT", "WATCHLIST_STORE",
        AppSettings.ClusterConnectionStringVariable, "AITRADER_WEBHOOK_SECRET");
    private readonly string _root = Path.Combine(Path.GetTempPath(), "aitrader-bad-input-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _state.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    public static TheoryData<string, string> BadInputs()
    {
        var data = new TheoryData<string, string>();
        foreach (var (command, args) in Cases)
        {
            data.Add(command, args);
        }

        return data;
    }

    [Fact]
    public void Every_command_has_a_bad_input_case()
    {
        var root = AiTraderApp.BuildRoot(new AppSettings { DataDir = _state.Path, ArtifactsDir = _root }, TextWriter.Null, TextWriter.Null);
        var leaves = CommandTree.Leaves(root).ToList();
        Assert.True(leaves.Count >= 15, $"only {leaves.Count} commands found in the tree");
        var covered = Cases.Select(c => c.Command).ToHashSet(StringComparer.Ordinal);
        var missing = leaves.Where(l => !covered.Contains(l)).ToList();
        Assert.True(missing.Count == 0, $"commands without a bad-input case: {string.Join(", ", missing)}");
        var unknown = covered.Where(c => !leaves.Contains(c)).ToList();
        Assert.True(unknown.Count == 0, $"cases for commands that do not exist: {string.Join(", ", unknown)}");
    }

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_exits_2_with_one_clean_line_and_writes_nothing(string command, string commandLine)
    {
        var outDir = Path.Combine(_root, "out");
        var args = commandLine.Split(' ').Select(a => a.Replace(Out, outDir, StringComparison.Ordinal)).ToArray();
        Assert.StartsWith(command, commandLine, StringComparison.Ordinal);

        var (code, _, err) = await CliRunner.Run(args);

        Assert.True(code == ExitCodes.BadInput, $"exit code {code} for '{commandLine}': {err}");
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr for '{commandLine}', got {lines.Length}:\n{err}");
        Assert.StartsWith("error: ", lines[0], StringComparison.Ordinal);
        foreach (var leak in new[] { "Exception", "System.", "(Parameter ", "Actual value", "   at " })
        {
            Assert.False(err.Contains(leak, StringComparison.Ordinal), $"'{leak}' in the error of '{commandLine}': {err}");
        }

        Assert.False(Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any(),
            $"'{commandLine}' wrote into its --out folder: {string.Join(", ", Directory.Exists(outDir) ? Directory.EnumerateFileSystemEntries(outDir) : [])}");
        Assert.False(Directory.Exists(_root) && Directory.EnumerateFiles(_root, "*.tmp", SearchOption.AllDirectories).Any(),
            $"'{commandLine}' left a temporary file behind");
    }

    [Fact]
    public async Task A_paper_replay_over_dates_without_bars_says_so_and_starts_no_run()
    {
        var (code, output, err) = await CliRunner.Run("trade", "--paper", "--replay", "2020-01-06:2020-01-10", "--symbols", "SPY");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("no bundled 1Min bars for SPY between 2020-01-06 and 2020-01-10; widen --replay", err, StringComparison.Ordinal);
        Assert.DoesNotContain("final equity", output, StringComparison.Ordinal);
        var runs = Path.Combine(_state.Path, "runs");
        Assert.False(Directory.Exists(runs) && Directory.EnumerateFileSystemEntries(runs).Any(), "a run was registered for a replay with no bars");
    }

    /// <summary><c>trade</c>'s words for each bad flag, exactly (most of these rules are the trading-session use case's,
    /// Application/Sessions/TradingSessions, worded with the command's flags), and no run registered for any of them.</summary>
    [Theory]
    [InlineData("trade --paper --live --symbols SPY",
        "--paper and --live exclude each other; pick one.")]
    [InlineData("trade --paper --replay 2013-10-07 --symbols SPY",
        "--replay '2013-10-07' is not FROM:TO; e.g. --replay 2013-10-07:2013-10-11.")]
    [InlineData("trade --paper --replay 2013-10-11:2013-10-07 --symbols SPY",
        "--replay start 2013-10-11 is after its end 2013-10-07.")]
    [InlineData("trade --paper --replay bad:2013-10-07 --symbols SPY",
        "--replay 'bad' is not a date; use YYYY-MM-DD, e.g. --replay 2010-01-04.")]
    [InlineData("trade --live --replay 2013-10-07:2013-10-08 --symbols SPY",
        "--live trades on the live stream and cannot --replay; use --paper --replay FROM:TO.")]
    [InlineData("trade --paper --replay 2013-10-07:2013-10-08 --watchlist-source scan --symbols SPY",
        "--watchlist-source and --symbols exclude each other: the source picks the symbols.")]
    [InlineData("trade --paper --replay 2013-10-07:2013-10-08",
        "--symbols is empty (and WATCHLIST_TEXT is not set); e.g. --symbols SPY,IBM.")]
    [InlineData("trade --paper --replay 2013-10-07:2013-10-08 --symbols ,,",
        "--symbols is empty (and WATCHLIST_TEXT is not set); e.g. --symbols SPY,IBM.")]
    [InlineData("trade --paper --replay 2013-10-07:2013-10-08 --symbols SPY --interval bogus",
        "--interval 'bogus' is not an interval; use 1Min, 5Min, 15Min, 30Min, 1Hour or 1Day.")]
    [InlineData("trade --paper --symbols SPY --interval 5Min",
        "--interval 5Min needs --replay; the live stream delivers 1Min bars.")]
    [InlineData("trade --paper --replay 2013-10-07:2013-10-08 --symbols SPY --speed 0",
        "--speed '0' is not 'max' or a positive factor (60 = one minute per second).")]
    [InlineData("trade --paper --replay 2013-10-07:2013-10-08 --symbols SPY --speed fast",
        "--speed 'fast' is not 'max' or a positive factor (60 = one minute per second).")]
    [InlineData("trade --paper --replay 2013-10-07:2013-10-08 --symbols SPY --capital 0",
        "--capital must be greater than 0 (got 0).")]
    [InlineData("trade --paper --replay 2013-10-07:2013-10-08 --symbols SPY --capital 100000000000000",
        "--capital must be at most 1,000,000,000,000 (got 100000000000000).")]
    [InlineData("trade --paper --replay 2013-10-07:2013-10-08 --symbols SPY --max-volume-share 2",
        "--max-volume-share must be in (0, 1] (got 2).")]
    [InlineData("trade --paper --replay 2013-10-07:2013-10-08 --symbols SPY --max-volume-share 0",
        "--max-volume-share must be in (0, 1] (got 0).")]
    [InlineData("trade --paper --symbols SPY --max-bars 0",
        "--max-bars must be greater than 0 (got 0).")]
    [InlineData("trade --paper --symbols SPY --until tomorrow",
        "--until 'tomorrow' is not HH:mm (New York) or an ISO-8601 instant such as 2024-03-04T20:00:00Z.")]
    [InlineData("trade --paper --replay 2013-10-07:2013-10-08 --symbols SPY --max-bars 5",
        "--max-bars and --until stop a live run; a replay ends at its last date.")]
    [InlineData("trade --paper --replay 2013-10-07:2013-10-08 --symbols SPY --until 2013-10-08T20:00:00Z",
        "--max-bars and --until stop a live run; a replay ends at its last date.")]
    [InlineData("trade --paper --replay 2013-10-07:2013-10-08 --symbols SPY --strategy bogus",
        "Unknown strategy 'bogus'; known strategies: breakout, mean_reversion, momentum.")]
    [InlineData("trade --paper --replay 2013-10-07:2013-10-08 --symbols SPY --param lookback=abc",
        "Parameter 'lookback' must be a whole number; got 'abc'.")]
    [InlineData("trade --paper --replay 2013-10-07:2013-10-08 --symbols SPY --param foo",
        "--param 'foo' is not name=value; e.g. --param lookback=55.")]
    [InlineData("trade --paper --replay 2013-10-07:2013-10-08 --symbols SPY --param nosuch=1",
        "Unknown parameter 'nosuch' for strategy 'breakout'; known parameters: lookback, atr_period, atr_multiplier, risk_fraction.")]
    [InlineData("trade --paper --replay 2013-10-07:2013-10-08 --symbols SPY --risk-agent foo",
        "--risk-agent 'foo' is not known; use fractional_kelly.")]
    [InlineData("trade --paper --replay 2013-10-07:2013-10-08 --symbols SPY --risk-agent fractional_kelly --risk-agent-fraction 2",
        "--risk-agent-fraction must be in (0, 1] (got 2).")]
    [InlineData("trade --paper --replay 2013-10-07:2013-10-08 --symbols SPY --guardrails seatbelt",
        "--guardrails: unknown guardrail 'seatbelt'; use none, default, or a list of kill_switch, max_drawdown, daily_loss, pdt, exposure, rate.")]
    [InlineData("trade --paper --replay 2013-10-07:2013-10-08 --symbols SPY --run-id a/b",
        "--run-id 'a/b' may only use letters, digits, '-', '_' and '.'.")]
    [InlineData("trade --paper --replay 2013-10-07:2013-10-08 --symbols SPY --run-id x --new-run",
        "--new-run and --run-id exclude each other: --run-id resumes or names a run, --new-run starts a fresh one with a new id.")]
    [InlineData("trade --paper --replay 2020-01-06:2020-01-10 --symbols SPY",
        "no bundled 1Min bars for SPY between 2020-01-06 and 2020-01-10; widen --replay or pick dates the data covers (aitrader fetch --vendor sample shows them).")]
    [InlineData("trade --paper --replay 2013-10-12:2013-10-13 --watchlist-source scan",
        "--replay 2013-10-12:2013-10-13 holds no trading session; pick dates with one.")]
    [InlineData("trade --paper --replay 2013-10-08:2013-10-08 --watchlist-source nosuch-bucket",
        "--watchlist-source nosuch-bucket: bucket 'nosuch-bucket' holds no watchlist saved at or before 2013-10-08 13:30Z; build one with 'aitrader watchlist build --bucket nosuch-bucket'.")]
    [InlineData("trade --paper --symbols SPY",
        "trading on the live stream needs APCA_API_KEY_ID and APCA_API_SECRET_KEY set (and ALPACA_STREAM_URL for another feed); or replay bundled bars with --paper --replay FROM:TO.")]
    [InlineData("trade --live --symbols SPY",
        "trading on the live stream needs APCA_API_KEY_ID and APCA_API_SECRET_KEY set (and ALPACA_STREAM_URL for another feed); or replay bundled bars with --paper --replay FROM:TO.")]
    public async Task Trade_says_what_is_wrong_with_each_flag_word_for_word(string commandLine, string message)
    {
        var (code, output, err) = await CliRunner.Run(commandLine.Split(' '));

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Equal("", output);
        Assert.Equal($"error: {message}\n", err.ReplaceLineEndings("\n"));
        var runs = Path.Combine(_state.Path, "runs");
        Assert.False(Directory.Exists(runs) && Directory.EnumerateFiles(runs, "*.json").Any(), "a refused command registered a run");
    }

}
