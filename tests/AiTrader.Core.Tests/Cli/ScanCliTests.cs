using System.Globalization;
using System.Text.Json;
using AiTrader.Cli;
using AiTrader.Core.Tests.IO;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Cli;

/// <summary><c>aitrader scan</c> and <c>aitrader watchlist</c> end to end, in process, on the bundled data.</summary>
[Trait("Category", "Cli")]
public sealed class ScanCliTests
{
    private static async Task<(int Code, string Out, string Err)> Run(Dictionary<string, string?> env, params string[] args)
    {
        using (PlatformEnvironment.Use(env))
        {
            return await CliRunner.Run(args);
        }
    }

    [Fact]
    public async Task Replayed_premarket_prints_a_ranked_table_for_every_window_and_stores_each_refresh()
    {
        using var dir = new TempDirectory();
        var (code, stdout, stderr) = await Run(new() { ["AITRADER_DATA_DIR"] = dir.Path }, "scan", "--premarket", "--date", "2013-10-08", "--replay");

        Assert.True(code == 0, stderr);
        for (var minutes = 4 * 60; minutes <= 9 * 60 + 25; minutes += 5)
        {
            Assert.Contains($"2013-10-08 {minutes / 60:00}:{minutes % 60:00} ET", stdout);
        }

        Assert.Equal(66, stdout.Split('\n').Count(l => l.Contains(" ET (", StringComparison.Ordinal) && l.Contains("4 ranked", StringComparison.Ordinal)));
        Assert.Contains("│ 1 │ SPY", stdout); // 09:25: SPY ranks first
        Assert.Contains("not ranked: AAPL (no data", stdout);
        // Piped, the not-ranked list stays one line (it was cut at a fixed 140 columns, inside its notes).
        Assert.Contains(stdout.Split('\n'), l => l.StartsWith("  not ranked: AAPL", StringComparison.Ordinal) && l.Contains("; TWX (", StringComparison.Ordinal));
        Assert.Equal(66, Directory.GetFiles(Path.Combine(dir.Path, "scans", "2013-10-08"), "*.json").Length);
        Assert.Equal(66, Directory.GetFiles(Path.Combine(dir.Path, "watchlists", "scan"), "*.json").Length);
    }

    [Fact]
    public async Task A_row_with_too_little_history_says_so_once_and_why()
    {
        var (code, stdout, stderr) = await Run([], "scan", "--date", "2013-10-08", "--replay", "--windows", "09:25", "--min-sessions", "3", "--no-store");

        Assert.True(code == 0, stderr);
        Assert.Contains("SPY (too little history: 2 past session(s) with minute bars in the last 20 (need 3))", stdout);
        Assert.DoesNotContain("too little history: too little history", stdout); // the status and the note both said it
    }

    [Fact]
    public async Task Csv_has_one_row_per_window_and_ranked_symbol_with_the_inputs()
    {
        var (code, stdout, stderr) = await Run([], "scan", "--date", "2013-10-08", "--replay", "--windows", "08:55-09:00/5", "--format", "csv", "--no-store");

        Assert.True(code == 0, stderr);
        var lines = stdout.TrimEnd('\n').Split('\n');
        var header = lines[0].Split(',');
        Assert.Equal(["window", "symbol", "rank", "score", "gap", "rvol", "last_price", "prior_close", "volume", "avg_volume", "sessions"], header[..11]);
        Assert.Equal(1 + (2 * 4), lines.Length); // two windows × four ranked symbols

        // SPY at 09:00 ET, worked by hand in GapAndRvolKnownAnswerTests: gap 167.52/167.42 − 1, rvol 1,264,434 / 1,403,126.
        var spy = lines.Single(l => l.StartsWith("2013-10-08T13:00:00Z,SPY,", StringComparison.Ordinal)).Split(',');
        decimal D(int i) => decimal.Parse(spy[i], CultureInfo.InvariantCulture);
        Assert.Equal(0.0005973m, D(4));
        Assert.Equal(0.901155m, D(5));
        Assert.Equal(167.52m, D(6));
        Assert.Equal(167.42m, D(7));
        Assert.Equal(1_264_434m, D(8));
        Assert.Equal(1_403_126m, D(9));
        Assert.Equal("2", spy[10]);
        Assert.Equal(0.960885m, D(3));
        Assert.Equal("2013-10-07 2013-10-04", spy[16]);
        Assert.Contains("watchlist (scan, 2013-10-08 13:00Z)", stderr);
    }

    [Fact]
    public async Task Json_and_out_file()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "scan.json");
        var (code, _, stderr) = await Run([], "scan", "--date", "2013-10-08", "--replay", "--windows", "09:25", "--format", "json", "--out", file, "--no-store", "--min-price", "20");

        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(file));
        var refresh = doc.RootElement[0].GetProperty("refresh");
        Assert.Equal("2013-10-08T13:25:00.0000000Z", refresh.GetProperty("window").GetString());
        var rows = refresh.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal("filtered", rows.Single(r => r.GetProperty("symbol").GetString() == "BAC").GetProperty("status").GetString());
        Assert.Contains("price 13.85 below 20", rows.Single(r => r.GetProperty("symbol").GetString() == "BAC").GetProperty("note").GetString());
    }

    [Theory]
    [InlineData("--replay needs --date", "scan", "--replay")]
    [InlineData("add --replay", "scan", "--date", "2013-10-08")]
    [InlineData("is not a trading day", "scan", "--date", "2013-10-12", "--replay")]
    [InlineData("--format 'xml' is not supported", "scan", "--date", "2013-10-08", "--replay", "--format", "xml")]
    [InlineData("04:00-09:25/5", "scan", "--date", "2013-10-08", "--replay", "--windows", "9am")]
    [InlineData("give it or --windows", "scan", "--premarket", "--windows", "08:00", "--date", "2013-10-08", "--replay")]
    [InlineData("price band", "scan", "--date", "2013-10-08", "--replay", "--min-price", "50", "--max-price", "10")]
    [InlineData("is not a tradable regime", "scan", "--date", "2013-10-08", "--replay", "--regime", "sideways")]
    [InlineData("unknown score weight", "scan", "--date", "2013-10-08", "--replay", "--score", "beta=2")]
    [InlineData("a live scan needs APCA_API_KEY_ID", "scan")]
    [InlineData("neither sample, listing nor an existing file", "scan", "--date", "2013-10-08", "--replay", "--universe", "nope.txt")]
    [InlineData("a replay has bars only for the bundled symbols", "scan", "--date", "2013-10-08", "--replay", "--universe", "listing")]
    [InlineData("unknown watchlist store", "scan", "--date", "2013-10-08", "--replay", "--store", "s3")]
    public async Task Bad_input_is_one_line_and_exit_code_2(string message, params string[] args)
    {
        var (code, stdout, stderr) = await Run([], args);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(message, stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("   at ", stderr);
        Assert.DoesNotContain("│", stdout);
    }

    [Fact]
    public async Task A_universe_file_with_a_bad_line_names_the_line()
    {
        using var dir = new TempDirectory();
        var file = Path.Combine(dir.Path, "u.txt");
        await File.WriteAllTextAsync(file, "# gappers\nSPY\nbrk/b\n../x\n");
        var (code, _, stderr) = await Run([], "scan", "--date", "2013-10-08", "--replay", "--universe", file, "--no-store");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("line 4", stderr);

        await File.WriteAllTextAsync(file, "# gappers\nSPY\nbrk/b\nIBM # blue chip\n");
        var ok = await Run([], "scan", "--date", "2013-10-08", "--replay", "--universe", file, "--windows", "09:25", "--no-store");
        Assert.True(ok.Code == 0, ok.Err);
        Assert.Contains("3 symbols · 2 ranked", ok.Out);
        Assert.Contains("BRK.B (error: unknown symbol 'BRK.B'", ok.Out);
    }

    [Fact]
    public async Task Watchlist_build_auto_with_no_keys_then_show_and_list()
    {
        using var dir = new TempDirectory();
        var env = new Dictionary<string, string?> { ["AITRADER_DATA_DIR"] = dir.Path };
        var built = await Run(env, "watchlist", "build", "--source", "auto");
        Assert.True(built.Code == 0, built.Err);
        Assert.Contains("served by sample", built.Out);
        Assert.Contains("auto: alpha passed over [no key]", built.Out);
        Assert.Contains("auto: textlist passed over [no key]", built.Out);
        Assert.Contains("SPY", built.Out);

        env["WATCHLIST_TEXT"] = "brk/b,SPY";
        var manual = await Run(env, "watchlist", "build", "--bucket", "morning");
        Assert.True(manual.Code == 0, manual.Err);
        Assert.Contains("served by manual", manual.Out);
        Assert.Contains("BRK.B", manual.Out);

        var scan = await Run(env, "watchlist", "build", "--source", "scan", "--date", "2013-10-08", "--bucket", "gappers", "--top", "2");
        Assert.True(scan.Code == 0, scan.Err);
        Assert.Contains("served by scan", scan.Out);
        Assert.Contains("│ 1 │ SPY    │ scan", scan.Out);

        var show = await Run(env, "watchlist", "show", "--bucket", "morning");
        Assert.True(show.Code == 0, show.Err);
        Assert.Contains("BRK.B", show.Out);

        var list = await Run(env, "watchlist", "list");
        Assert.Contains("default", list.Out);
        Assert.Contains("gappers", list.Out);
        Assert.Contains("morning", list.Out);

        var missing = await Run(env, "watchlist", "show", "--bucket", "evening");
        Assert.Equal(ExitCodes.BadInput, missing.Code);
        Assert.Contains("aitrader watchlist build --bucket evening", missing.Err);
        var early = await Run(env, "watchlist", "show", "--bucket", "morning", "--at", "2000-01-01T00:00:00Z");
        Assert.Equal(ExitCodes.BadInput, early.Code);

        var bad = await Run(env, "watchlist", "build", "--bucket", "../up");
        Assert.Equal(ExitCodes.BadInput, bad.Code);
        Assert.Contains("not a bucket name", bad.Err);
        var noScan = await Run(env, "watchlist", "build", "--source", "scan");
        Assert.Equal(ExitCodes.BadInput, noScan.Code);
        Assert.Contains("--date", noScan.Err);
        var cap = await Run(new() { ["AITRADER_DATA_DIR"] = dir.Path, ["MAX_WATCHLIST"] = "zero" }, "watchlist", "build");
        Assert.Equal(ExitCodes.BadInput, cap.Code);
        Assert.Contains("MAX_WATCHLIST", cap.Err);
    }
}
