namespace AiTrader.Integration.Tests.Docs;

/// <summary>The convention of executed blocks (docs/README.md, "Executed examples") as the test reads it: which lines
/// are commands and which their output, what a command may be, and how shown output is compared.</summary>
public sealed class ExecutedDocsFormatTests
{
    private static IReadOnlyList<DocCommand> Parse(string markdown) => ExecutedDocs.Commands("page.md", markdown);

    [Fact]
    public void Only_console_blocks_run_and_the_lines_under_a_command_are_its_output()
    {
        var commands = Parse("""
            Text.

            ```bash
            aitrader backtest --symbol SPY
            ```

            ```console
            $ aitrader calendar --start 2024-12-23 --end 2024-12-24
            date,premarket_open
              indented output

            $ aitrader strategies
            ```
            """);

        Assert.Equal(2, commands.Count);
        Assert.Equal(["calendar", "--start", "2024-12-23", "--end", "2024-12-24"], commands[0].Args);
        Assert.Equal(8, commands[0].Line);
        Assert.Equal(["date,premarket_open", "  indented output"], commands[0].Shown); // the trailing empty line is dropped
        Assert.Empty(commands[1].Shown);
        Assert.All(commands, c => Assert.Equal(0, c.ExitCode));
    }

    [Fact]
    public void Dotnet_run_from_the_clone_continuations_quotes_comments_and_assignments()
    {
        var command = Assert.Single(Parse("""
            ```console
            $ WATCHLIST_TEXT="brk/b, SPY" dotnet run --project src/AiTrader.Cli -- sweep --symbol SPY \
                --grid 'lookback=10:60:10,k=2,3' --out "my out"   # a comment
            ```
            """));

        Assert.Equal(new Dictionary<string, string> { ["WATCHLIST_TEXT"] = "brk/b, SPY" }, command.Environment);
        Assert.Equal(["sweep", "--symbol", "SPY", "--grid", "lookback=10:60:10,k=2,3", "--out", "my out"], command.Args);
    }

    [Fact]
    public void A_variable_in_an_assignment_is_read_when_the_command_runs()
    {
        var commands = Parse("""
            ```console
            $ SECRET=$(aitrader webhook secret)
            $ AITRADER_WEBHOOK_SECRET=$SECRET aitrader serve &
            ```
            """);

        Assert.Equal(("SECRET", true), (commands[0].Capture, commands[1].Background));
        Assert.Equal(new Dictionary<string, string> { ["AITRADER_WEBHOOK_SECRET"] = "0123abcd" },
            commands[1].EnvironmentWith(new Dictionary<string, string> { ["SECRET"] = "0123abcd" }));
        Assert.Equal(["serve"], commands[1].ArgsWith(new Dictionary<string, string> { ["SECRET"] = "0123abcd" }));
    }

    [Fact]
    public void Echo_exit_code_sets_the_expected_code_of_the_command_before_it()
    {
        var commands = Parse("""
            ```console
            $ aitrader backtest --symbol SPY --capital abc
            error: --capital 'abc' is not a number (see 'aitrader backtest --help')
            $ echo $?
            2
            ```
            """);

        var command = Assert.Single(commands);
        Assert.Equal(2, command.ExitCode);
        Assert.Equal(["error: --capital 'abc' is not a number (see 'aitrader backtest --help')"], command.Shown);
    }

    [Fact]
    public void A_captured_variable_a_background_service_and_curl_with_the_variable()
    {
        var commands = Parse("""
            ```console
            $ KEY=$(aitrader apikey create --name me)   # the key (a comment with a ')' in it)
            created read key ...
            $ aitrader serve --metrics &   # in the background
            $ curl -s -H "Authorization: Bearer $KEY" http://127.0.0.1:5080${JOB}/x   # JOB is unset: refused below
            ```
            """.Replace("${JOB}", "", StringComparison.Ordinal));

        Assert.Equal(3, commands.Count);
        Assert.Equal("KEY", commands[0].Capture);
        Assert.Equal(["apikey", "create", "--name", "me"], commands[0].Args);
        Assert.Equal(["created read key ..."], commands[0].Shown);
        Assert.True(commands[1].Background);
        Assert.Equal(["serve", "--metrics"], commands[1].Args);
        Assert.Equal(ExecutedDocs.Curl, commands[2].Program);
        // The variable is read when the command runs, from what the capture printed.
        Assert.Equal(["-s", "-H", "Authorization: Bearer ait_x_y", "http://127.0.0.1:5080/x"],
            commands[2].ArgsWith(new Dictionary<string, string> { ["KEY"] = "ait_x_y" }));
    }

    [Fact]
    public void A_file_block_is_written_before_the_commands_after_it()
    {
        var commands = Parse("""
            ```file my-list.txt
            # a watchlist
            AAPL
            ```

            ```console
            $ aitrader backtest --watchlist my-list.txt
            ```
            """);

        Assert.Equal(2, commands.Count);
        Assert.Equal(ExecutedDocs.FileBlock, commands[0].Program);
        Assert.Equal(["my-list.txt"], commands[0].Args);
        Assert.Equal(["# a watchlist", "AAPL"], commands[0].Shown);
        Assert.Equal(["backtest", "--watchlist", "my-list.txt"], commands[1].Args);
        Assert.Throws<NotExecutableException>(() => Parse("```file ../escape.txt\nx\n```\n"));
    }

    [Theory]
    [InlineData("$ export APCA_API_KEY_ID=x", "not an aitrader command")]
    [InlineData("$ aitrader fetch --symbol SPY | head", "more than one simple command")]
    [InlineData("$ aitrader fetch --symbol SPY > out.csv", "more than one simple command")]
    [InlineData("$ aitrader fetch --symbol $SYMBOL", "would be expanded")]
    [InlineData("$ aitrader fetch --symbol \"$SYMBOL\"", "would be expanded")]
    [InlineData("$ aitrader fetch --symbol 'SPY", "unclosed")]
    [InlineData("$ echo $?", "follows a command")]
    [InlineData("output before any command", "starts with a `$ ` command line")]
    [InlineData("$ curl -s http://127.0.0.1:5080$JOB/result", "no earlier `JOB=$(...)` line")]
    [InlineData("$ aitrader backtest --symbol SPY &", "only `aitrader serve ... &` runs in the background")]
    [InlineData("$ aitrader serve & aitrader db migrate", "more than one simple command")]
    [InlineData("$ wget http://127.0.0.1:5080/", "runs aitrader and curl only")]
    public void A_line_the_test_cannot_run_as_a_shell_would_is_refused(string line, string reason)
    {
        var ex = Assert.Throws<NotExecutableException>(() => Parse($"```console\n{line}\n```\n"));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("page.md:2: ", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "a", "b", "c" }, new[] { "a", "b", "c" }, true)]
    [InlineData(new[] { "a", "...", "c" }, new[] { "a", "b1", "b2", "c" }, true)]
    [InlineData(new[] { "a", "...", "b" }, new[] { "a", "b" }, true)] // none included
    [InlineData(new[] { "...", "c" }, new[] { "a", "b", "c" }, true)]
    [InlineData(new[] { "a", "..." }, new[] { "a", "b", "c" }, true)]
    [InlineData(new[] { "a", "b" }, new[] { "a", "b", "c" }, false)] // the rest is not left out without a `...`
    [InlineData(new[] { "a", "c" }, new[] { "a", "b", "c" }, false)]
    [InlineData(new[] { "b", "a" }, new[] { "a", "b" }, false)] // order counts
    [InlineData(new[] { "watchlist · ... · 3 symbol(s)" }, new[] { "watchlist · 2026-12-05 04:10:05Z · 3 symbol(s)" }, true)]
    [InlineData(new[] { "watchlist · ... · 3 symbol(s)" }, new[] { "watchlist · 2026-12-05 04:10:05Z · 4 symbol(s)" }, false)]
    [InlineData(new[] { "price (1.5)" }, new[] { "price (1x5)" }, false)] // the rest of a line is literal, not a pattern
    public void Shown_lines_match_exactly_but_for_elisions(string[] shown, string[] actual, bool matches)
    {
        Assert.Equal(matches, ShownOutput.Matches(shown, actual, out var miss));
        Assert.Equal(matches, miss is null);
    }

    [Fact]
    public void A_mismatch_names_the_first_shown_line_that_could_not_be_matched()
    {
        Assert.False(ShownOutput.Matches(["a", "x", "c"], ["a", "b", "c"], out var miss));
        Assert.Equal("shown line 2: `x`", miss);
        Assert.False(ShownOutput.Matches(["a"], ["a", "b"], out miss));
        Assert.Contains("goes on after the last shown line", miss, StringComparison.Ordinal);
    }

    [Fact]
    public void What_varies_from_run_to_run_is_normalized_on_both_sides()
    {
        const string Folder = "/tmp/aitrader-docs-abc";
        var actual = ShownOutput.Lines(
            $"wrote {Folder}/artifacts/backtests/SPY-breakout-20270101T090000Z (trades.csv)   \n"
            + $"saved to {Folder}/data/watchlists as morning/20270101T090000.123456Z\n"
            + "2013-10-08 09:25 ET (13:25Z) · 10 symbols · 4 ranked · 7 ms\n"
            + $"store: {Folder}\n\n\n",
            Folder);

        Assert.True(ShownOutput.Matches(
            [
                "wrote artifacts/backtests/SPY-breakout-20261205T040451Z (trades.csv)",
                "saved to data/watchlists as morning/20261205T041006.369686Z",
                "2013-10-08 09:25 ET (13:25Z) · 10 symbols · 4 ranked · 16 ms",
                "store: .",
            ],
            actual,
            out var miss), miss);

        // Data values stay as they are: bar times, prices, counts.
        Assert.Equal("2013-10-08 13:25Z 1,950 bars 4089 bars", ShownOutput.Normalize("2013-10-08 13:25Z 1,950 bars 4089 bars"));
    }
}
