using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Cli;

/// <summary>Every command that takes a ticker refuses one that could act as a path, with one line and exit code 2, and
/// writes nothing anywhere (issue 11, item 6).</summary>
[Trait("Category", "Cli")]
public sealed class SymbolTraversalCliTests : IDisposable
{
    private readonly string _tmp = Path.Combine(Path.GetTempPath(), "aitrader-traversal-" + Guid.NewGuid().ToString("N"));

    public SymbolTraversalCliTests() => Directory.CreateDirectory(_tmp);

    public void Dispose()
    {
        if (Directory.Exists(_tmp))
        {
            Directory.Delete(_tmp, recursive: true);
        }
    }

    private static readonly string[] Hostile = ["SPY/../AAPL", "../../../../UP/EVIL", "..", "SPY\\..\\AAPL", "/etc/passwd", "SPY\0"];

    /// <summary>Each command line with the placeholder {S} where the hostile symbol goes.</summary>
    public static TheoryData<string, string> CommandsAndSymbols()
    {
        var commands = new[]
        {
            "backtest --symbol {S} --strategy breakout --start 2005-01-01",
            "backtest --symbols SPY,{S} --strategy breakout --start 2005-01-01",
            "backtest --symbols SPY,IBM --benchmark {S} --strategy breakout --start 2005-01-01",
            "backtest --symbol {S} --strategy breakout --dal-vendor sample --start 2013-10-07 --end 2013-10-08",
            "sweep --symbol {S} --strategy breakout --grid lookback=20,55",
            "lookahead --symbol {S} --strategy breakout",
            "signals --symbol {S} --interval 1Day --start 2013-10-07 --end 2013-10-11",
            "fetch --symbol {S} --vendor sample --interval 1Day --start 2013-10-07 --end 2013-10-11",
            "journal --symbol {S}",
            "trade --paper --replay 2013-10-07:2013-10-08 --symbols SPY,{S}",
            "stream --symbols SPY,{S} --vendor replay --start 2013-10-07 --end 2013-10-08 --max-bars 3",
        };
        var data = new TheoryData<string, string>();
        foreach (var command in commands)
        {
            foreach (var symbol in Hostile)
            {
                data.Add(command, symbol);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CommandsAndSymbols))]
    public async Task A_symbol_that_could_be_a_path_is_refused_on_one_line_with_exit_2(string command, string symbol)
    {
        var outDir = Path.Combine(_tmp, "out");
        var args = command.Split(' ').Select(a => a.Replace("{S}", symbol, StringComparison.Ordinal)).ToList();
        if (args[0] is "backtest" or "sweep")
        {
            args.AddRange(["--out", outDir]);
        }

        var escape = Path.GetFullPath(Path.Combine(Directory.GetCurrentDirectory(), "../../../../UP"));
        var (code, output, err) = await CliRunner.Run([.. args]);

        Assert.True(code == 2, $"exit {code}; stdout: {output}; stderr: {err}");
        var line = Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith("error:", line);
        Assert.DoesNotContain("   at ", err);
        Assert.Contains("symbol", line, StringComparison.OrdinalIgnoreCase);
        Assert.False(Directory.Exists(outDir), $"{command} wrote {outDir} before refusing the symbol");
        Assert.False(Directory.Exists(escape), $"{command} created {escape}");
    }

    [Fact]
    public async Task A_watchlist_file_line_that_could_be_a_path_is_refused()
    {
        var watchlist = Path.Combine(_tmp, "list.txt");
        await File.WriteAllLinesAsync(watchlist, ["SPY", "SPY/../AAPL  # looks like a ticker comment"]);

        var (code, _, err) = await CliRunner.Run("backtest", "--watchlist", watchlist, "--strategy", "breakout",
            "--out", Path.Combine(_tmp, "out"));

        Assert.Equal(2, code);
        Assert.Contains("SPY/../AAPL", err);
        Assert.Single(err.TrimEnd().Split('\n'));
        Assert.False(Directory.Exists(Path.Combine(_tmp, "out")));
    }

    [Theory]
    [InlineData("BRK-B", "BRK.B")]
    [InlineData("brk/b", "BRK.B")]
    public async Task Share_class_spellings_normalize_to_one_symbol_in_the_fetch_output(string typed, string normalized)
    {
        var (code, output, err) = await CliRunner.Run("fetch", "--symbol", typed, "--vendor", "sample", "--interval", "1Day",
            "--start", "2013-10-07", "--end", "2013-10-11");

        // No bundled BRK.B: the error names the normalized symbol, never the typed one.
        Assert.Equal(2, code);
        Assert.Contains($"'{normalized}'", err);
        Assert.Empty(output.Trim());
    }
}
