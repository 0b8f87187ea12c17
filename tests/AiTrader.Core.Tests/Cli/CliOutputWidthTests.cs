using System.Globalization;
using AiTrader.Cli;
using AiTrader.Core.Tests.TestSupport;
using Spectre.Console;

namespace AiTrader.Core.Tests.Cli;

/// <summary>Piped output and narrow terminals: nothing is wrapped inside a number, a path or a header, COLUMNS is
/// honoured, and warnings go to standard error. COLUMNS is set for each test's own async flow
/// (<see cref="PlatformEnvironment.Use"/>), so tests running beside these keep their width.</summary>
[Trait("Category", "Cli")]
public sealed class CliOutputWidthTests : IDisposable
{
    private readonly string _tmp = Path.Combine(Path.GetTempPath(), "aitrader-width-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_tmp))
        {
            Directory.Delete(_tmp, recursive: true);
        }
    }

    [Fact]
    public async Task Piped_backtest_output_keeps_the_title_the_numbers_and_the_written_path_on_one_line_each()
    {
        using var columnsVariable = Columns(null);
        var outDir = Path.Combine(_tmp, "a-rather-long-folder-name-for-the-results-of-this-backtest");
        var (code, output, err) = await CliRunner.Run("backtest", "--symbol", "SPY", "--start", "2005-01-01", "--strategy", "breakout", "--out", outDir);

        Assert.True(code == 0, err);
        var lines = Lines(output);
        // The README's first command: its numbers, whole.
        Assert.Contains(lines, l => l.Contains("│ Final equity ", StringComparison.Ordinal) && l.Contains("$114,648.61 │", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("│ Trades ", StringComparison.Ordinal) && l.Contains(" 70 │", StringComparison.Ordinal));
        Assert.Contains("SPY · breakout · 1Day · 2005-01-03 → 2021-03-31 (4089 bars, split-adjusted)", lines);
        Assert.Contains(lines, l => l.StartsWith($"wrote {outDir} (trades.csv", StringComparison.Ordinal) && l.EndsWith("summary.json, report.html)", StringComparison.Ordinal));
        Assert.DoesNotContain("warning:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Warnings_go_to_stderr_and_stdout_keeps_the_summary()
    {
        using var columnsVariable = Columns(null);
        // IBM's bundled daily file has a known bad print (2002-12-23) that the backtester skips with a warning.
        var (code, output, err) = await CliRunner.Run("backtest", "--symbol", "IBM", "--start", "2002-01-01", "--end", "2003-12-31",
            "--out", Path.Combine(_tmp, "ibm"));

        Assert.True(code == 0, err);
        Assert.Contains("warning: skipped flagged bar 2002-12-23", err, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", output, StringComparison.Ordinal);
        Assert.Contains("Final equity", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Columns_is_honoured_and_a_line_wraps_between_words_never_inside_a_path()
    {
        using var columnsVariable = Columns("50");
        var outDir = Path.Combine(_tmp, "results");
        var (code, output, err) = await CliRunner.Run("backtest", "--symbol", "SPY", "--start", "2005-01-01", "--out", outDir);

        Assert.True(code == 0, err);
        var lines = Lines(output);
        // Laid out for 50 columns: the title is wrapped between words; a line holding a word wider than 50 (the output
        // path here) is printed whole rather than cut inside that word.
        Assert.True(outDir.Length > 50);
        Assert.All(lines, l => Assert.True(l.Length <= 50 || l.Split(' ').Any(w => w.Length > 50), $"line wider than COLUMNS=50: '{l}'"));
        Assert.Contains(lines, l => l.Length <= 50 && l.StartsWith("SPY · breakout · 1Day", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains($"wrote {outDir}", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("$114,648.61", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(12)]
    [InlineData(30)]
    [InlineData(80)]
    public void A_table_wider_than_the_console_is_printed_whole_not_folded_inside_its_words(int columns)
    {
        using var columnsVariable = Columns(columns.ToString(CultureInfo.InvariantCulture));
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        var console = CliConsole.Create(writer);
        var table = new Table().Title("a title that is longer than the table is wide")
            .AddColumn("lookback").AddColumn("atr_multiplier").AddColumn(new TableColumn("Final equity").RightAligned())
            .AddColumn("path");
        table.AddRow("20", "3", "$45,072.46", "/tmp/aitrader/sweeps/SPY-breakout-20261205T010203Z/heatmap.svg");

        console.Write(table);

        var text = writer.ToString();
        foreach (var token in new[] { "lookback", "atr_multiplier", "Final equity", "$45,072.46", "/tmp/aitrader/sweeps/SPY-breakout-20261205T010203Z/heatmap.svg" })
        {
            Assert.Contains(token, text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("…", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(78)] // fits only without its border lines
    [InlineData(80)]
    [InlineData(85)]
    [InlineData(90)]
    [InlineData(100)]
    public void A_table_that_fits_only_when_narrowed_is_wrapped_between_words_and_keeps_its_numbers_whole(int columns)
    {
        // The portfolio's per-symbol table: Spectre narrowed it proportionally, below its longest words ($43,845.3, Contribu…).
        using var columnsVariable = Columns(columns.ToString(CultureInfo.InvariantCulture));
        var writer = new StringWriter(CultureInfo.InvariantCulture);
        var console = CliConsole.Create(writer);
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var header in new[] { "Symbol", "Bars", "Trades", "Win rate", "P&L", "Contribution", "Fees", "Cut / dropped" })
        {
            table.AddColumn(new TableColumn(Markup.Escape(header)).RightAligned());
        }

        table.AddRow("AAPL", "4089", "74", "51.35%", "$43,845.37", "43.85%", "$1,255.14", "0 / 0");

        console.Write(table);

        var lines = writer.ToString().Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        Assert.All(lines, l => Assert.True(l.Length <= columns, $"wider than {columns}: '{l}'"));
        Assert.Contains(lines, l => l.Contains("$43,845.37", StringComparison.Ordinal) && l.Contains("$1,255.14", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Contribution", StringComparison.Ordinal));
        Assert.DoesNotContain("…", writer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Redirected_output_without_columns_is_unbounded()
    {
        foreach (var (value, width) in new[] { ((string?)null, CliConsole.UnboundedWidth), ("132", 132), ("wide", CliConsole.UnboundedWidth), ("0", CliConsole.UnboundedWidth) })
        {
            using var columnsVariable = Columns(value);
            Assert.Equal(width, CliConsole.Width(new StringWriter(CultureInfo.InvariantCulture)));
        }
    }

    private static IDisposable Columns(string? value) => PlatformEnvironment.Use(new Dictionary<string, string?> { ["COLUMNS"] = value });

    private static string[] Lines(string text) => text.Split('\n').Select(l => l.TrimEnd('\r', ' ')).ToArray();
}
