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
        ("stream", "stream --symbols SPY --vendor replay --speed fast"),
        ("stream", "stream --symbols SPY --vendor nosuch"),
        ("stream", "stream --symbols SPY --vendor replay --start 2020-01-06"),
        ("scan", $"scan --premarket --date 2013-13-08 --replay --format csv --out {Out}/scan.csv"),
        ("scan", $"scan --premarket --date 2013-10-08 --replay --format xml --out {Out}/scan.csv"),
        ("watchlist build", "watchlist build --source nosuch"),
        ("watchlist show", "watchlist show --at yesterday-ish"),
        ("watchlist list", "watchlist list --store nosuch"),
        ("apikey create", "apikey create --name dash --role god"),
        ("apikey list", "apikey list --bogus"),
        ("apikey revoke", "apikey revoke nosuchid"),
        ("serve", "serve --rate-limit lots"),
        ("db migrate", "db migrate --bogus"),
    ];

    private readonly IsolatedStateDirectory _state = new();
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
        var leaves = Leaves(root, "").ToList();
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

    /// <summary>The paths of the commands that run something (a command with subcommands only groups them).</summary>
    private static IEnumerable<string> Leaves(Command command, string prefix)
    {
        foreach (var sub in command.Subcommands)
        {
            var path = prefix.Length == 0 ? sub.Name : $"{prefix} {sub.Name}";
            if (sub.Subcommands.Count == 0)
            {
                yield return path;
            }
            else
            {
                foreach (var leaf in Leaves(sub, path))
                {
                    yield return leaf;
                }
            }
        }
    }
}
