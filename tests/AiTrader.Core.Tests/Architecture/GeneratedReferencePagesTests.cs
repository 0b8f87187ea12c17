using System.CommandLine;
using AiTrader.Cli;
using AiTrader.Core.Tests.TestSupport;
using AiTrader.MarketData;

namespace AiTrader.Core.Tests.Architecture;

/// <summary>The reference pages written from the code (<see cref="ReferencePages"/>: docs/reference/configuration.md and
/// cli-commands.md) are what the code generates now, and they cover every variable, command and option.</summary>
[Trait("Category", "Cli")]
public sealed class GeneratedReferencePagesTests : IDisposable
{
    private static readonly string Folder = Path.Combine(TestPaths.RepoRoot, "docs", "reference");
    private readonly string _tmp = Path.Combine(Path.GetTempPath(), "aitrader-refpages-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_tmp))
        {
            Directory.Delete(_tmp, recursive: true);
        }
    }

    private static RootCommand Root() =>
        AiTraderApp.BuildRoot(new AppSettings { DataDir = "data", ArtifactsDir = "artifacts" }, TextWriter.Null, TextWriter.Null);

    private static string? Existing(string name) =>
        File.Exists(Path.Combine(Folder, name)) ? File.ReadAllText(Path.Combine(Folder, name)) : null;

    [Fact]
    public void The_checked_in_pages_are_what_the_code_generates()
    {
        var stale = new List<string>();
        foreach (var (name, generated) in ReferencePages.All(Root(), Existing))
        {
            var current = Existing(name);
            if (current != generated)
            {
                stale.Add(current is null ? $"docs/reference/{name} is missing" : $"docs/reference/{name} differs from the code at {FirstDifference(current, generated)}");
            }
        }

        Assert.True(stale.Count == 0,
            $"{string.Join("; ", stale)}. Fix: run `{ReferencePages.FixCommand}` from the repository root and commit the pages.");
    }

    [Fact]
    public void The_configuration_page_lists_every_variable_with_the_default_the_code_uses()
    {
        var page = File.ReadAllText(Path.Combine(Folder, "configuration.md"));
        foreach (var variable in EnvironmentCheck.Variables)
        {
            Assert.Contains($"| `{variable.Name}` |", page, StringComparison.Ordinal);
        }

        // The defaults the vendor clients fall back to with nothing set, read off the settings themselves.
        var unset = VendorSettings.FromEnvironment(_ => null);
        Assert.Contains("| `ALPHAVANTAGE_BASE_URL` | `https://www.alphavantage.co` |", page, StringComparison.Ordinal);
        Assert.Equal("https://www.alphavantage.co/", unset.AlphaVantageOptions.BaseUrl.AbsoluteUri);
        Assert.Contains("| `YAHOO_BASE_URL` | `https://query2.finance.yahoo.com` |", page, StringComparison.Ordinal);
        Assert.Equal("https://query2.finance.yahoo.com/", unset.YahooOptions.BaseUrl.AbsoluteUri);
        Assert.Contains("| `TWELVEDATA_BASE_URL` | `https://api.twelvedata.com` |", page, StringComparison.Ordinal);
        Assert.Equal("https://api.twelvedata.com/", unset.TwelveDataOptions.BaseUrl.AbsoluteUri);
        Assert.Contains("| `FINNHUB_BASE_URL` | `https://finnhub.io/api/v1` |", page, StringComparison.Ordinal);
        Assert.Equal("https://finnhub.io/api/v1", unset.FinnhubOptions.BaseUrl.AbsoluteUri.TrimEnd('/'));
        Assert.Contains("| `ALPACA_DATA_BASE_URL` | `https://data.alpaca.markets` |", page, StringComparison.Ordinal);
        Assert.Equal("https://data.alpaca.markets/", unset.AlpacaOptions.BaseUrl.AbsoluteUri);
        Assert.Contains("| `AITRADER_VENDOR_CHAIN` | `alphavantage,yahoo,twelvedata` |", page, StringComparison.Ordinal);
        Assert.Equal(["alphavantage", "yahoo", "twelvedata"], unset.FallbackOrder);
        Assert.Contains("| `MAX_WATCHLIST` | `25` |", page, StringComparison.Ordinal);
        Assert.Equal(25, AiTrader.Core.Watchlists.WatchlistBuilder.FromEnvironment(_ => null).Max);
        // The trading and stream roots Alpaca documents, and the Discord and textlist defaults, from the code's constants.
        Assert.Contains("| `ALPACA_TRADING_BASE_URL` | `https://paper-api.alpaca.markets (https://api.alpaca.markets with --live)` |", page, StringComparison.Ordinal);
        Assert.Equal("https://paper-api.alpaca.markets/", AiTrader.Brokers.Alpaca.AlpacaTradingOptions.FromEnvironment(_ => null).BaseUrl.AbsoluteUri);
        Assert.Contains("| `ALPACA_STREAM_URL` | `wss://stream.data.alpaca.markets/v2/<ALPACA_DATA_FEED>` |", page, StringComparison.Ordinal);
        Assert.Equal("wss://stream.data.alpaca.markets/v2/iex", AiTrader.MarketData.Streaming.AlpacaStreamOptions.FromEnvironment(_ => null).Url.AbsoluteUri);
        Assert.Contains("| `DISCORD_LOOKBACK_HOURS` | `24` |", page, StringComparison.Ordinal);
        Assert.Contains("| `DISCORD_MAX_PAGES` | `20` |", page, StringComparison.Ordinal);
        Assert.Contains("| `TEXTLIST_BACKENDS` | `discord,signal` |", page, StringComparison.Ordinal);
    }

    [Fact]
    public void The_configuration_page_lists_the_services_limits()
    {
        var page = File.ReadAllText(Path.Combine(Folder, "configuration.md"));
        Assert.Contains("## Service limits", page, StringComparison.Ordinal);
        foreach (var limit in AiTrader.Service.ServiceLimits.All)
        {
            Assert.Contains($"| {limit.Name} | {limit.Value} |", page, StringComparison.Ordinal);
        }

        // The limits service.md and the runbook promise, written out by hand.
        Assert.Contains("| request body | 1,048,576 bytes | fixed |", page, StringComparison.Ordinal);
        Assert.Contains("| rate limit | 300 requests per 1 min | `--rate-limit` |", page, StringComparison.Ordinal);
        Assert.Contains("| job list page | 50 (at most 200) |", page, StringComparison.Ordinal);
        Assert.Contains("| journal page | 100 (at most 500) |", page, StringComparison.Ordinal);
        Assert.Contains("| bars page | 1,000 (at most 10,000) |", page, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cli_page_has_every_command_and_every_visible_option_with_its_default()
    {
        var page = File.ReadAllText(Path.Combine(Folder, "cli-commands.md"));
        var root = Root();
        foreach (var path in CommandTree.Leaves(root).Where(p => !p.StartsWith("docs", StringComparison.Ordinal)))
        {
            var section = Section(page, $"## `aitrader {path}`");
            Assert.False(section is null, $"cli-commands.md has no section for `aitrader {path}`");
            var command = path.Split(' ').Aggregate((Command)root, (c, name) => c.Subcommands.Single(s => s.Name == name));
            foreach (var option in command.Options.Where(o => !o.Hidden && o.Name != "--help"))
            {
                Assert.Contains($"| `{option.Name}`", section, StringComparison.Ordinal);
            }
        }

        // Spot checks written out by hand from `aitrader <command> --help`.
        Assert.Contains("| `--strategy` `<strategy>` | `breakout` |", Section(page, "## `aitrader backtest`"), StringComparison.Ordinal);
        Assert.Contains("| `--parallelism` `<parallelism>` | `all cores` |", Section(page, "## `aitrader sweep`"), StringComparison.Ordinal);
        Assert.Contains("| `--urls` `<urls>` | `http://127.0.0.1:5080` |", Section(page, "## `aitrader serve`"), StringComparison.Ordinal);
        Assert.Contains("| `--symbol` `<symbol>` (required) |", Section(page, "## `aitrader sweep`"), StringComparison.Ordinal);
        Assert.DoesNotContain("`--from`", page, StringComparison.Ordinal); // hidden alias of calendar --start
        Assert.DoesNotContain("aitrader docs", page, StringComparison.Ordinal); // the hidden generator itself
    }

    [Fact]
    public async Task Docs_generate_writes_the_pages_and_leaves_an_unchanged_page_alone()
    {
        var (code, output, err) = await CliRunner.Run("docs", "generate", "--out", _tmp);
        Assert.True(code == 0, err);
        Assert.Contains("wrote ", output, StringComparison.Ordinal);
        foreach (var (name, generated) in ReferencePages.All(Root(), _ => null))
        {
            var written = File.ReadAllText(Path.Combine(_tmp, name));
            // A new page is dated today; all else is the same text.
            Assert.Equal(Undated(generated), Undated(written));
        }

        var before = File.GetLastWriteTimeUtc(Path.Combine(_tmp, "configuration.md"));
        (code, output, _) = await CliRunner.Run("docs", "generate", "--out", _tmp);
        Assert.Equal(0, code);
        Assert.Contains("unchanged ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("wrote ", output, StringComparison.Ordinal);
        Assert.Equal(before, File.GetLastWriteTimeUtc(Path.Combine(_tmp, "configuration.md")));
    }

    /// <summary>The text of a page from <paramref name="heading"/> to the next heading of the same level.</summary>
    private static string? Section(string page, string heading)
    {
        var at = page.IndexOf(heading + "\n", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var next = page.IndexOf("\n## ", at + heading.Length, StringComparison.Ordinal);
        return next < 0 ? page[at..] : page[at..next];
    }

    private static string Undated(string page) =>
        string.Join('\n', page.Split('\n').Where(l => !l.StartsWith("last_reviewed:", StringComparison.Ordinal)));

    private static string FirstDifference(string current, string generated)
    {
        var a = current.Split('\n');
        var b = generated.Split('\n');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var x = i < a.Length ? a[i] : "(end of file)";
            var y = i < b.Length ? b[i] : "(end of file)";
            if (x != y)
            {
                return $"line {i + 1}: the page has `{x}`, the code makes `{y}`";
            }
        }

        return "the end";
    }
}
