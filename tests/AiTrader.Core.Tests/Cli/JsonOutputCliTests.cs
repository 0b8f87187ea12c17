using System.Globalization;
using System.Text.Json;
using AiTrader.Core.Tests.Journal;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Cli;

/// <summary><c>--json</c>: one JSON document on standard output and nothing else there, with the figures the summary
/// shows (docs/reference/cli.md, "Output for scripts").</summary>
[Trait("Category", "Cli")]
[Collection(EnvironmentCollection.Name)]
public sealed class JsonOutputCliTests : IDisposable
{
    private readonly IsolatedStateDirectory _state = new("APCA_API_KEY_ID", "APCA_API_SECRET_KEY");
    private readonly string _out = Path.Combine(Path.GetTempPath(), "aitrader-json-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _state.Dispose();
        if (Directory.Exists(_out))
        {
            Directory.Delete(_out, recursive: true);
        }
    }

    [Fact]
    public async Task Backtest_json_prints_the_runs_summary_json_with_the_readme_figures()
    {
        var folder = Path.Combine(_out, "run");
        var (code, output, err) = await CliRunner.Run("backtest", "--symbol", "SPY", "--start", "2005-01-01", "--strategy", "breakout", "--out", folder, "--json");
        Assert.True(code == 0, err);

        using var printed = JsonDocument.Parse(output); // the whole of stdout is one document
        Assert.Equal(70, printed.RootElement.GetProperty("trades").GetInt32());
        Assert.Equal(114_648.61m, decimal.Round(printed.RootElement.GetProperty("final_equity").GetDecimal(), 2));
        using var written = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "summary.json")));
        Assert.True(JsonElement.DeepEquals(written.RootElement, printed.RootElement), "stdout is not the run's summary.json");
    }

    [Fact]
    public async Task Backtest_json_with_quiet_is_refused_before_anything_runs()
    {
        var folder = Path.Combine(_out, "never");
        var (code, output, err) = await CliRunner.Run("backtest", "--symbol", "SPY", "--out", folder, "--json", "--quiet");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Equal("error: --quiet prints the output folder and --json the summary; pick one.", err.Trim());
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task Sweep_json_prints_every_combination_ranked_best_first()
    {
        var (code, output, err) = await CliRunner.Run("sweep", "--symbol", "SPY", "--start", "2010-01-01", "--grid", "lookback=20,40,60",
            "--rank-by", "total_return", "--out", Path.Combine(_out, "sweep"), "--json");
        Assert.True(code == 0, err);

        using var printed = JsonDocument.Parse(output);
        var root = printed.RootElement;
        Assert.Equal("sweep", root.GetProperty("kind").GetString());
        Assert.Equal(3, root.GetProperty("combinations").GetInt32());
        var ranked = root.GetProperty("ranked").EnumerateArray().ToList();
        Assert.Equal(["20", "40", "60"], ranked.Select(r => r.GetProperty("parameters").GetProperty("lookback").GetString()!).Order());
        var scores = ranked.Select(r => r.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
        Assert.Contains("sweep.csv", root.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public async Task Trade_json_prints_the_paper_sessions_end_state_with_the_figures_of_its_summary()
    {
        string[] session = ["trade", "--paper", "--replay", "2013-10-07:2013-10-11", "--symbols", "SPY,IBM,BAC"];
        var (code, text, err) = await CliRunner.Run([.. session, "--run-id", "as-text"]);
        Assert.True(code == 0, err);
        (code, var json, err) = await CliRunner.Run([.. session, "--run-id", "as-json", "--json"]);
        Assert.True(code == 0, err);

        // Standard output is the document alone; the progress lines went to standard error.
        using var printed = JsonDocument.Parse(json);
        var root = printed.RootElement;
        Assert.Contains("run as-json: paper replay 2013-10-07..2013-10-11", err, StringComparison.Ordinal);
        Assert.Equal("as-json", root.GetProperty("run_id").GetString());

        // The same session as the summary table shows it: same bars, orders, fills and final equity.
        string Row(string name) => text.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal))[16..].Trim();
        Assert.Equal(int.Parse(Row("bars"), CultureInfo.InvariantCulture), root.GetProperty("bars").GetInt32());
        Assert.Equal(int.Parse(Row("orders"), CultureInfo.InvariantCulture), root.GetProperty("orders").GetInt32());
        Assert.Equal(int.Parse(Row("fills"), CultureInfo.InvariantCulture), root.GetProperty("fills").GetInt32());
        Assert.True(root.GetProperty("fills").GetInt32() > 0, "the session should trade");
        Assert.Equal(decimal.Parse(Row("final equity").Replace("$", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture),
            decimal.Round(root.GetProperty("final_equity").GetDecimal(), 2));
    }

    [Fact]
    public async Task Trade_live_json_without_keys_prints_nothing_on_stdout_and_one_error_line()
    {
        // A live run's document is tested against the fake broker (TradeCliLiveTests); here: no keys, no document.
        var (code, output, err) = await CliRunner.Run("trade", "--live", "--json", "--symbols", "SPY");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("error: trading on the live stream needs APCA_API_KEY_ID and APCA_API_SECRET_KEY", Assert.Single(err.Trim().Split('\n')), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Apikey_list_json_lists_every_key_without_the_key_text()
    {
        var (code, list, err) = await CliRunner.Run("apikey", "list", "--json");
        Assert.True(code == 0, err);
        Assert.Equal("[]", list.Trim());

        var (_, key, _) = await CliRunner.Run("apikey", "create", "--name", "dashboard");
        await CliRunner.Run("apikey", "create", "--name", "tv", "--role", "trader");
        var id = key.Trim().Split('_')[1];
        await CliRunner.Run("apikey", "revoke", id);
        (code, list, err) = await CliRunner.Run("apikey", "list", "--json");
        Assert.True(code == 0, err);
        Assert.DoesNotContain(key.Trim(), list, StringComparison.Ordinal);

        using var printed = JsonDocument.Parse(list);
        var keys = printed.RootElement.EnumerateArray().ToDictionary(k => k.GetProperty("name").GetString()!);
        Assert.Equal(["dashboard", "tv"], keys.Keys.Order());
        Assert.Equal(id, keys["dashboard"].GetProperty("id").GetString());
        Assert.Equal("read", keys["dashboard"].GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.String, keys["dashboard"].GetProperty("revoked_at").ValueKind);
        Assert.Equal("trader", keys["tv"].GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.Null, keys["tv"].GetProperty("revoked_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, keys["tv"].GetProperty("last_used_at").ValueKind);
        Assert.EndsWith("Z", keys["tv"].GetProperty("created_at").GetString(), StringComparison.Ordinal);
        // The API's names, and no others (GET /api/keys writes the same document).
        Assert.Equal(["id", "name", "role", "created_at", "revoked_at", "last_used_at"], keys["tv"].EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Db_migrate_json_gives_each_store_its_version_and_the_steps_applied_now()
    {
        var (code, output, err) = await CliRunner.Run("db", "migrate", "--json");
        Assert.True(code == 0, err);
        using (var first = JsonDocument.Parse(output))
        {
            var stores = first.RootElement.EnumerateArray().ToDictionary(s => s.GetProperty("store").GetString()!);
            Assert.Equal(["api_keys", "jobs", "journal", "price_snapshots"], stores.Keys.Order());
            Assert.Equal(3, stores["journal"].GetProperty("version").GetInt32());
            Assert.Equal([1, 2, 3], stores["journal"].GetProperty("applied").EnumerateArray().Select(s => s.GetProperty("version").GetInt32()));
            Assert.Contains("journal.db", stores["journal"].GetProperty("location").GetString(), StringComparison.Ordinal);
        }

        (code, output, err) = await CliRunner.Run("db", "migrate", "--json");
        Assert.True(code == 0, err);
        using var again = JsonDocument.Parse(output);
        Assert.All(again.RootElement.EnumerateArray(), s => Assert.Empty(s.GetProperty("applied").EnumerateArray()));
    }

    [Fact]
    public async Task Strategies_json_lists_every_strategy_with_its_parameters_and_defaults()
    {
        var (code, output, err) = await CliRunner.Run("strategies", "--json");
        Assert.True(code == 0, err);

        using var printed = JsonDocument.Parse(output);
        var strategies = printed.RootElement.EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!);
        Assert.Equal(["breakout", "mean_reversion", "momentum"], strategies.Keys.Order());
        // breakout's published defaults (docs/reference/strategies.md): Donchian 20, Wilder ATR 14, k = 3, 1% risk.
        var breakout = strategies["breakout"].GetProperty("parameters").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("default").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["lookback"] = "20", ["atr_period"] = "14", ["atr_multiplier"] = "3", ["risk_fraction"] = "0.01" }, breakout);
        Assert.All(strategies.Values.SelectMany(s => s.GetProperty("parameters").EnumerateArray()),
            p => Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("description").GetString())));
    }

    [Fact]
    public async Task Watchlist_show_and_list_json_give_the_stored_list_and_the_buckets()
    {
        var env = new Dictionary<string, string?> { ["AITRADER_DATA_DIR"] = _state.Path, ["WATCHLIST_TEXT"] = "spy, brk/b,SPY", ["WATCHLIST_STORE"] = null };
        using (AiTrader.Application.PlatformEnvironment.Use(env))
        {
            var (code, _, err) = await CliRunner.Run("watchlist", "build", "--source", "manual", "--bucket", "morning");
            Assert.True(code == 0, err);

            (code, var shown, err) = await CliRunner.Run("watchlist", "show", "--bucket", "morning", "--json");
            Assert.True(code == 0, err);
            using var list = JsonDocument.Parse(shown);
            Assert.Equal("morning", list.RootElement.GetProperty("bucket").GetString());
            // Normalized (upper case, class share with a dot) and de-duplicated, in the order given.
            Assert.Equal(["SPY", "BRK.B"], list.RootElement.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("symbol").GetString()));
            Assert.All(list.RootElement.GetProperty("entries").EnumerateArray(), e => Assert.Equal("manual", e.GetProperty("source").GetString()));

            (code, var listed, err) = await CliRunner.Run("watchlist", "list", "--json");
            Assert.True(code == 0, err);
            using var buckets = JsonDocument.Parse(listed);
            var bucket = Assert.Single(buckets.RootElement.GetProperty("buckets").EnumerateArray());
            Assert.Equal("morning", bucket.GetProperty("bucket").GetString());
            Assert.Equal(1, bucket.GetProperty("saved").GetInt32());
            Assert.Equal(list.RootElement.GetProperty("created_utc").GetDateTime().ToUniversalTime(), bucket.GetProperty("latest").GetDateTime().ToUniversalTime());
            Assert.EndsWith("watchlists", buckets.RootElement.GetProperty("store").GetString()!.TrimEnd('/'), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Lookahead_json_reports_both_checks_and_the_exit_code()
    {
        var (code, output, err) = await CliRunner.Run("lookahead", "--symbol", "SPY", "--start", "2010-01-01", "--end", "2012-12-31", "--json");
        Assert.True(code == 0, err);

        using var printed = JsonDocument.Parse(output);
        var root = printed.RootElement;
        Assert.Equal("SPY", root.GetProperty("symbol").GetString());
        Assert.Equal("breakout", root.GetProperty("strategy").GetString());
        // Trading days of 2010-2012 in the bundled file (252 + 252 + 250: two days shut by Hurricane Sandy).
        Assert.Equal(754, root.GetProperty("bars").GetInt32());
        var lookahead = root.GetProperty("lookahead");
        Assert.False(lookahead.GetProperty("detected").GetBoolean());
        Assert.Equal(0, lookahead.GetProperty("changed_decisions").GetInt32());
        Assert.Equal(0, lookahead.GetProperty("findings").GetArrayLength());
        Assert.InRange(lookahead.GetProperty("cuts").GetInt32(), 20, 30); // 20 even + 10 random, less any that coincide
        var warmup = root.GetProperty("warmup");
        Assert.Equal(754 / 2, warmup.GetProperty("later_start_bar").GetInt32()); // the middle of the data by default
        Assert.Equal(warmup.GetProperty("warmup_bars").GetInt32() * 10, warmup.GetProperty("horizon_bars").GetInt32());
        Assert.Equal(0, root.GetProperty("exit_code").GetInt32());
    }

    [Fact]
    public async Task Fetch_json_summarizes_the_bars_and_names_the_file_written()
    {
        var file = Path.Combine(_out, "spy.csv");
        Directory.CreateDirectory(_out);
        var (code, output, err) = await CliRunner.Run("fetch", "--symbol", "SPY", "--vendor", "sample", "--start", "2013-10-07", "--end", "2013-10-11",
            "--out", file, "--json");
        Assert.True(code == 0, err);

        using var printed = JsonDocument.Parse(output);
        var root = printed.RootElement;
        Assert.Equal("SPY", root.GetProperty("symbol").GetString());
        Assert.Equal("1Day", root.GetProperty("interval").GetString());
        Assert.Equal("sample", root.GetProperty("vendor").GetString());
        Assert.Equal(5, root.GetProperty("rows").GetInt32()); // Monday to Friday
        Assert.Equal("2013-10-07", root.GetProperty("first_bar").GetDateTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Assert.Equal("2013-10-11", root.GetProperty("last_bar").GetDateTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Assert.Equal(JsonValueKind.Object, root.GetProperty("last_signal").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("signals_out").ValueKind);
        Assert.EndsWith("spy.csv", root.GetProperty("out").GetString(), StringComparison.Ordinal);
        Assert.Equal(6, (await File.ReadAllLinesAsync(file)).Length); // header and the five rows
    }
}
