using System.CommandLine;
using System.Text.RegularExpressions;
using AiTrader.Cli;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Cli;

/// <summary>What a person reads: help that agrees with itself and with the other commands, and a word where a run
/// would otherwise end in silence.</summary>
[Trait("Category", "Cli")]
public sealed class CliHelpAndMessagesTests : IDisposable
{
    private readonly string _tmp = Path.Combine(Path.GetTempPath(), "aitrader-help-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_tmp))
        {
            Directory.Delete(_tmp, recursive: true);
        }
    }

    public static TheoryData<string> Commands()
    {
        var data = new TheoryData<string>();
        foreach (var path in CommandTree.Leaves(AiTraderApp.BuildRoot(new AppSettings { DataDir = "data", ArtifactsDir = "artifacts" }, TextWriter.Null, TextWriter.Null), ""))
        {
            data.Add(path);
        }

        return data;
    }

    /// <summary>The commands a user sees: all but the hidden <c>docs generate</c>, which writes the project's own pages.</summary>
    public static TheoryData<string> VisibleCommands()
    {
        var data = new TheoryData<string>();
        var root = AiTraderApp.BuildRoot(new AppSettings { DataDir = "data", ArtifactsDir = "artifacts" }, TextWriter.Null, TextWriter.Null);
        foreach (var path in CommandTree.Leaves(root, "").Where(p => !root.Subcommands.Single(c => c.Name == p.Split(' ')[0]).Hidden))
        {
            data.Add(path);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Help_shows_defaults_in_one_style_and_points_nowhere_that_is_not_there(string command)
    {
        var (code, help, err) = await CliRunner.Run([.. command.Split(' '), "--help"]);

        Assert.True(code == 0, err);
        Assert.DoesNotContain("see below", help, StringComparison.OrdinalIgnoreCase);
        // One style: System.CommandLine's "[default: X]", also for defaults that are computed; and each default once.
        Assert.DoesNotMatch(new Regex(@"\(default[ :]|Default: |; default |\(default\)|by default\)?[.;]? *\[default:"), help);
    }

    [Theory]
    [MemberData(nameof(VisibleCommands))]
    public void Every_command_is_in_the_cli_reference_and_the_readme(string command)
    {
        var top = command.Split(' ')[0];
        var reference = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "reference", "cli.md"));
        var readme = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md"));
        Assert.Contains($"`{top}", reference, StringComparison.Ordinal);
        Assert.Contains($"| `{top}` |", readme, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cli_reference_documents_the_switches_and_variables_help_mentions()
    {
        var reference = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "docs", "reference", "cli.md"));
        foreach (var word in new[] { "--quiet", "WATCHLIST_TEXT", "COLUMNS", "AITRADER_DEBUG", "## `stream`", "## `calendar`", "## Exit codes" })
        {
            Assert.Contains(word, reference, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("serve", "--urls", "[default: http://127.0.0.1:5080]")]
    [InlineData("serve", "--rate-limit", "[default: 300]")]
    [InlineData("serve", "--max-concurrent-jobs", "[default: 1]")]
    [InlineData("serve", "--cors-origin", "[default: none, CORS closed]")]
    [InlineData("serve", "--scan-schedule", "[default: off]")]
    [InlineData("serve", "--scan-top", "[default: 10]")]
    [InlineData("apikey create", "--role", "[default: read]")]
    public async Task The_service_commands_show_each_default_once_in_the_common_style(string command, string option, string shown)
    {
        var (code, help, err) = await CliRunner.Run([.. command.Split(' '), "--help"]);

        Assert.True(code == 0, err);
        var line = Assert.Single(help.Split('\n'), l => l.TrimStart().StartsWith(option + " ", StringComparison.Ordinal));
        Assert.EndsWith(shown, line.TrimEnd(), StringComparison.Ordinal);
        Assert.Single(Regex.Matches(line, "default", RegexOptions.IgnoreCase));
    }

    [Fact]
    public async Task Strategy_help_names_the_strategies()
    {
        var (_, help, _) = await CliRunner.Run("backtest", "--help");
        Assert.Contains("breakout, mean_reversion, momentum ('aitrader strategies' lists their parameters)", help);
    }

    [Fact]
    public async Task Backtest_dal_vendor_takes_the_vendors_fetch_takes_and_says_why_finnhub_gives_no_bars()
    {
        var (_, backtest, _) = await CliRunner.Run("backtest", "--help");
        var (_, fetch, _) = await CliRunner.Run("fetch", "--help");
        const string Vendors = "auto (the fallback chain), sample (bundled data), alphavantage, yahoo, twelvedata, alpaca or finnhub (Finnhub serves no bars on its free plan";
        Assert.Contains(Vendors, Flatten(backtest));
        Assert.Contains(Vendors, Flatten(fetch));
    }

    [Theory]
    [InlineData("5m", "5Min")]
    [InlineData("1h", "1Hour")]
    [InlineData("1HOUR", "1Hour")]
    public async Task Interval_short_forms_are_aliases_of_the_canonical_names(string alias, string canonical)
    {
        var (code, output, err) = await CliRunner.Run("backtest", "--symbol", "SPY", "--interval", alias, "--out", Path.Combine(_tmp, alias), "--quiet");
        Assert.True(code == 0, err);
        var (canonicalCode, _, canonicalErr) = await CliRunner.Run("backtest", "--symbol", "SPY", "--interval", canonical, "--out", Path.Combine(_tmp, canonical), "--quiet");
        Assert.True(canonicalCode == 0, canonicalErr);
        Assert.Equal(Path.Combine(_tmp, alias), output.Trim());
        Assert.Equal(File.ReadAllText(Path.Combine(_tmp, canonical, "trades.csv")), File.ReadAllText(Path.Combine(_tmp, alias, "trades.csv")));
        Assert.Contains($"\"interval\": \"{canonical}\"", File.ReadAllText(Path.Combine(_tmp, alias, "summary.json")).Replace("\":\"", "\": \"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_backtest_whose_capital_buys_no_share_says_so_instead_of_reporting_zero_trades_in_silence()
    {
        var (code, output, err) = await CliRunner.Run("backtest", "--symbol", "SPY", "--capital", "100", "--out", _tmp);

        Assert.True(code == 0, err);
        Assert.Contains("│ Trades ", output);
        Assert.Matches(@"warning: no trades: all \d+ entry signal\(s\) sized to 0 shares, the first on \d{4}-\d\d-\d\d: \$100\.00 of capital .* cannot buy one share; raise --capital", err);
    }

    [Fact]
    public async Task A_backtest_whose_strategy_never_signals_says_so()
    {
        var (code, _, err) = await CliRunner.Run("backtest", "--symbol", "SPY", "--start", "2020-01-01", "--end", "2020-01-31",
            "--param", "lookback=200", "--out", _tmp);

        Assert.True(code == 0, err);
        Assert.Contains("warning: no trades: the strategy gave no entry signal in", err);
    }

    private static string Flatten(string help) => Regex.Replace(help, @"\s+", " ");

}
