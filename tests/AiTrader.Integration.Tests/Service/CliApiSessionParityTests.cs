using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AiTrader.Application.Sessions;
using AiTrader.Core.Agents;
using AiTrader.Core.Journal;
using AiTrader.Integration.Tests.Storage;
using AiTrader.Integration.Tests.Streaming;
using AiTrader.Integration.Tests.TestSupport;
using AiTrader.Storage;
using static AiTrader.Integration.Tests.Service.ServiceHost;

namespace AiTrader.Integration.Tests.Service;

/// <summary>One way to start a session, whoever asks: the same paper replay started by <c>aitrader trade</c> (in process)
/// and by <c>POST /api/sessions</c> (the real service on loopback, on the same data folder) records the same run settings,
/// journals the same entries, fills the same orders and ends with the same book; and <c>aitrader journal</c>,
/// <c>GET /api/journal</c> (page by page) and <c>GET /api/journal/export</c> return the same rows for the same filters,
/// and the CLI and the API refuse the same bad ones with the same words.
/// What may differ: the run ids (in event keys, client order ids and reasons), the journal's entry ids and the runs'
/// wall-clock start times.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class CliApiSessionParityTests
{
    /// <summary>The same session as <c>trade</c> flags and as a session spec.</summary>
    public static TheoryData<string, string[], string> Sessions => new()
    {
        {
            "minute breakout, volume cap (partial fills), flatten before the close",
            ["--replay", "2013-10-07:2013-10-09", "--symbols", "SPY,IBM,BAC", "--param", "lookback=15", "--capital", "50000", "--max-volume-share", "0.05", "--flatten-minutes", "10"],
            """{"symbols":["SPY","IBM","BAC"],"from":"2013-10-07","to":"2013-10-09","parameters":{"lookback":15},"capital":50000,"max_volume_share":0.05,"flatten_minutes":10}"""
        },
        {
            "a small account's week: regime and Kelly sizing, pattern-day-trader blocks",
            ["--replay", "2013-10-07:2013-10-11", "--symbols", "SPY,IBM,BAC", "--capital", "20000", "--regime-aware-sizing", "--risk-agent", "fractional_kelly"],
            """{"symbols":["SPY","IBM","BAC"],"from":"2013-10-07","to":"2013-10-11","capital":20000,"regime_aware_sizing":true,"risk_agent":"fractional_kelly"}"""
        },
        {
            "the premarket scan picks the watchlist of the first day",
            ["--replay", "2013-10-09:2013-10-10", "--watchlist-source", "scan", "--param", "lookback=10"],
            """{"watchlist_source":"scan","from":"2013-10-09","to":"2013-10-10","parameters":{"lookback":10}}"""
        },
        {
            "a year of daily bars that ends holding positions",
            ["--replay", "2010-01-04:2010-12-31", "--symbols", "SPY,IBM", "--interval", "1Day", "--guardrails", "pdt,max_drawdown"],
            """{"symbols":["SPY","IBM"],"from":"2010-01-04","to":"2010-12-31","interval":"1Day","guardrails":"pdt,max_drawdown"}"""
        },
    };

    [Theory]
    [MemberData(nameof(Sessions))]
    public Task A_replay_started_by_the_cli_and_by_the_api_journals_fills_and_ends_the_same(string what, string[] flags, string spec) =>
        SameSessionAsync(null, what, flags, spec);

    /// <summary>The same, with the journal, the jobs and the keys in PostgreSQL (a database of the test's own).</summary>
    [PostgresTheory]
    [MemberData(nameof(Sessions))]
    public async Task On_postgresql_a_replay_started_by_the_cli_and_by_the_api_journals_fills_and_ends_the_same(string what, string[] flags, string spec)
    {
        await using var database = await PostgresTestDatabase.CreateScratchAsync("aitrader_parity");
        await SameSessionAsync(database.Url, what, flags, spec);
    }

    private static async Task SameSessionAsync(string? databaseUrl, string what, string[] flags, string spec)
    {
        await using var host = await StartAsync(databaseUrl);
        using var environment = CliOn(host, databaseUrl);
        var dataDir = host.Settings.DataDir;

        var (code, stdout, err) = await CliRunner.Run(["trade", "--paper", .. flags]);
        Assert.True(code == 0, $"{what}: {err}");
        var cliRun = RunOf(stdout);
        using var trader = host.Client(host.TraderKey);
        var id = await SubmitAsync(trader, "/api/sessions", spec);
        var job = await FinishedJobAsync(trader, $"/api/sessions/{id}");
        Assert.True(job.GetProperty("state").GetString() == "succeeded", $"{what}: {job}");
        var result = job.GetProperty("result");
        var apiRun = result.GetProperty("run_id").GetString()!;
        Assert.NotEqual(cliRun, apiRun);
        Assert.False(result.GetProperty("resumed").GetBoolean());

        // The same request: the run registry keeps the same settings for both runs.
        var registry = new RunRegistry(dataDir);
        Assert.Equal(registry.Load(cliRun)!.Settings, registry.Load(apiRun)!.Settings);
        Assert.Equal(RunManifest.Finished, registry.Load(cliRun)!.Status);
        Assert.Equal(RunManifest.Finished, registry.Load(apiRun)!.Status);

        // The same journal, entry by entry and in order.
        var cliEntries = await RunEntriesAsync(databaseUrl, dataDir, cliRun);
        var apiEntries = await RunEntriesAsync(databaseUrl, dataDir, apiRun);
        Assert.Contains(cliEntries, e => e.Kind == JournalKind.Fill);
        Assert.Equal(cliEntries, apiEntries);

        // The same fills, and the same book: the CLI run's from its snapshot, the API run's as GET /book serves it.
        var cliState = TradingSessionRunner.Snapshot.Read(TradingSessionRunner.SnapshotPath(dataDir, cliRun)).Exchange;
        var apiState = TradingSessionRunner.Snapshot.Read(TradingSessionRunner.SnapshotPath(dataDir, apiRun)).Exchange;
        Assert.Equal(cliState.Fills, apiState.Fills);
        var cliBook = SessionBook.Read(dataDir, cliRun)!;
        var apiBook = await trader.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}/book");
        Assert.Equal(cliBook.Cash, apiBook.GetProperty("cash").GetDecimal());
        Assert.Equal(cliBook.Equity, apiBook.GetProperty("equity").GetDecimal());
        Assert.Equal(cliBook.Positions.Select(p => (p.Symbol, p.Quantity)),
            apiBook.GetProperty("positions").EnumerateArray().Select(p => (p.GetProperty("symbol").GetString()!, p.GetProperty("quantity").GetDecimal())));

        // The CLI's printed end state is the API's result.
        var printed = Summary(stdout);
        Assert.Equal(printed["bars"], result.GetProperty("bars").GetInt32().ToString(CultureInfo.InvariantCulture));
        Assert.Equal(printed["orders"], result.GetProperty("orders").GetInt32().ToString(CultureInfo.InvariantCulture));
        Assert.Equal(printed["fills"], result.GetProperty("fills").GetInt32().ToString(CultureInfo.InvariantCulture));
        Assert.Equal(printed["round trips"], result.GetProperty("round_trips").GetInt32().ToString(CultureInfo.InvariantCulture));
        Assert.Equal(printed["blocks"], result.GetProperty("blocks").EnumerateObject().Sum(b => b.Value.GetInt32()).ToString(CultureInfo.InvariantCulture));
        var open = string.Join(", ", result.GetProperty("open_positions").EnumerateArray()
            .Select(p => FormattableString.Invariant($"{p.GetProperty("symbol").GetString()} {p.GetProperty("quantity").GetDecimal()}")));
        Assert.Equal(printed["open positions"], open.Length > 0 ? open : "none");
        Assert.Equal(printed["final equity"], result.GetProperty("final_equity").GetDecimal().ToString("$#,##0.00", CultureInfo.InvariantCulture));

        await AssertSameJournalQueriesAsync(host);
    }

    /// <summary>The same request resumes the same unfinished run, whoever started it: a replay killed under <c>trade</c>
    /// (SIGKILL, a real process) is refused to a request with other settings, with the CLI's words, left alone by
    /// <c>"new_run": true</c>, and resumed by the same fields, ending with the journal of the uninterrupted run beside it.</summary>
    [Fact]
    public Task A_replay_killed_under_the_cli_is_resumed_by_the_same_api_request_and_new_run_starts_another() => KilledAndResumedAsync(null);

    [PostgresFact]
    public async Task On_postgresql_a_replay_killed_under_the_cli_is_resumed_by_the_same_api_request_and_new_run_starts_another()
    {
        await using var database = await PostgresTestDatabase.CreateScratchAsync("aitrader_parity");
        await KilledAndResumedAsync(database.Url);
    }

    private static async Task KilledAndResumedAsync(string? databaseUrl)
    {
        await using var host = await StartAsync(databaseUrl);
        using var environment = CliOn(host, databaseUrl);
        using var trader = host.Client(host.TraderKey);
        string[] flags = ["--replay", "2013-10-07:2013-10-09", "--symbols", "SPY,IBM,BAC"];
        const string Fields = "\"symbols\":[\"SPY\",\"IBM\",\"BAC\"],\"from\":\"2013-10-07\",\"to\":\"2013-10-09\"";

        var killed = await KilledAfterFillsAsync(host, databaseUrl, ["trade", "--paper", .. flags, "--speed", "20000"], fills: 8);
        var registry = new RunRegistry(host.Settings.DataDir);
        Assert.Equal(RunManifest.Running, registry.Load(killed)!.Status);

        // Other settings: both surfaces refuse to start beside the unfinished run, in the same words.
        var (code, _, err) = await CliRunner.Run(["trade", "--paper", .. flags, "--capital", "50000"]);
        Assert.Equal(2, code);
        var refused = await trader.PostAsync("/api/sessions", Json($$"""{{{Fields}},"capital":50000}"""));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("run_id", problem.GetProperty("field").GetString());
        Assert.StartsWith($"run {killed} did not finish and was started with other settings (capital: the run has 100000, this command 50000)",
            problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(InFieldNames(err), problem.GetProperty("detail").GetString());

        // new_run leaves the unfinished run alone: an uninterrupted run of the same settings beside it.
        var fresh = (await FinishedJobAsync(trader, $"/api/sessions/{await SubmitAsync(trader, "/api/sessions", $$"""{{{Fields}},"new_run":true}""")}")).GetProperty("result");
        var straight = fresh.GetProperty("run_id").GetString()!;
        Assert.NotEqual(killed, straight);
        Assert.False(fresh.GetProperty("resumed").GetBoolean());
        Assert.Equal(RunManifest.Running, registry.Load(killed)!.Status);

        // The same fields again resume the killed run to its end.
        var job = await FinishedJobAsync(trader, $"/api/sessions/{await SubmitAsync(trader, "/api/sessions", $$"""{{{Fields}}}""")}");
        Assert.True(job.GetProperty("state").GetString() == "succeeded", job.ToString());
        Assert.Equal(killed, job.GetProperty("result").GetProperty("run_id").GetString());
        Assert.True(job.GetProperty("result").GetProperty("resumed").GetBoolean());
        Assert.Equal(RunManifest.Finished, registry.Load(killed)!.Status);

        static IEnumerable<(string?, JournalKind, DateTime, string?, decimal?, decimal?, string)> Comparable(List<JournalEntry> entries) =>
            entries.Select(e => (e.EventKey, e.Kind, e.Timestamp, e.Symbol?.Value, e.Quantity, e.Price, e.Reason)).OrderBy(e => e.EventKey, StringComparer.Ordinal);
        var reference = await RunEntriesAsync(databaseUrl, host.Settings.DataDir, straight);
        Assert.Contains(reference, e => e.Kind == JournalKind.Fill);
        Assert.Equal(Comparable(reference), Comparable(await RunEntriesAsync(databaseUrl, host.Settings.DataDir, killed)));

        // Named by its id, a finished run with other settings is refused alike.
        (code, _, err) = await CliRunner.Run(["trade", "--paper", .. flags, "--run-id", killed, "--capital", "50000"]);
        Assert.Equal(2, code);
        refused = await trader.PostAsync("/api/sessions", Json($$"""{{{Fields}},"run_id":"{{killed}}","capital":50000}"""));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(InFieldNames(err), (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    /// <summary>The rules between a session's values hold for both surfaces, in the same words (the CLI names its flags,
    /// the API its fields), and all before any work: a bucket with no list is known at the submit, as the command knows it
    /// before it trades. The scan is the one exception: the API runs it as the session job's first step (a submit stays
    /// quick), so a scan that finds nothing fails the job with the words the command refuses with.</summary>
    [Fact]
    public async Task The_cli_and_the_api_refuse_the_same_sessions_in_the_same_words()
    {
        await using var host = await ServiceHost.StartAsync();
        using var environment = CliOn(host);
        using var trader = host.Client(host.TraderKey);
        foreach (var (range, flags, spec, field) in new (string Range, string[] Flags, string Spec, string Field)[]
        {
            ("2013-10-08:2013-10-09", ["--symbols", "SPY", "--run-id", "mine", "--new-run"], """{"symbols":["SPY"],"run_id":"mine","new_run":true}""", "new_run"),
            ("2013-10-08:2013-10-09", ["--symbols", "SPY", "--run-id", "a/b"], """{"symbols":["SPY"],"run_id":"a/b"}""", "run_id"),
            ("2013-10-08:2013-10-09", ["--symbols", "SPY", "--watchlist-source", "scan"], """{"symbols":["SPY"],"watchlist_source":"scan"}""", "watchlist_source"),
            ("2013-10-08:2013-10-09", ["--watchlist-source", "nosuch"], """{"watchlist_source":"nosuch"}""", "watchlist_source"),
            ("2013-10-08:2013-10-09", ["--watchlist-source", "../etc"], """{"watchlist_source":"../etc"}""", "watchlist_source"),
        })
        {
            var (code, _, err) = await CliRunner.Run(["trade", "--paper", "--replay", range, .. flags]);
            Assert.Equal(2, code);
            var dates = range.Split(':');
            var response = await trader.PostAsync("/api/sessions",
                Json(spec.Replace("{", $$"""{"from":"{{dates[0]}}","to":"{{dates[1]}}",""", StringComparison.Ordinal)));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(field, problem.GetProperty("field").GetString());
            Assert.Equal(InFieldNames(err), problem.GetProperty("detail").GetString());
        }

        Assert.Equal(
            "watchlist_source nosuch: bucket 'nosuch' holds no watchlist saved at or before 2013-10-08 13:30Z; build one with 'aitrader watchlist build --bucket nosuch'.",
            InFieldNames((await CliRunner.Run("trade", "--paper", "--replay", "2013-10-08:2013-10-09", "--watchlist-source", "nosuch")).Err));
        // Refused before anything was stored: no session job exists.
        var jobs = await trader.GetFromJsonAsync<JsonElement>("/api/sessions");
        Assert.Equal(0, jobs.GetProperty("jobs").GetArrayLength());

        // The scan finds nothing before the first session of 2013-10-07: the command refuses, the API accepts the submit
        // (the scan has not run yet) and its job fails with the same words.
        var (emptyCode, _, emptyErr) = await CliRunner.Run("trade", "--paper", "--replay", "2013-10-07:2013-10-08", "--watchlist-source", "scan");
        Assert.Equal(2, emptyCode);
        var id = await ServiceHost.SubmitAsync(trader, "/api/sessions", """{"from":"2013-10-07","to":"2013-10-08","watchlist_source":"scan"}""");
        var failed = await ServiceHost.FinishedJobAsync(trader, $"/api/sessions/{id}");
        Assert.Equal("failed", failed.GetProperty("state").GetString());
        Assert.Equal(InFieldNames(emptyErr), failed.GetProperty("error").GetString());
        Assert.StartsWith("the scan watchlist for 2013-10-07 is empty", failed.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("scan", failed.GetProperty("phase").GetString()); // the step it failed in
    }

    /// <summary>A CLI error line in the API's words: its flags as the session spec's fields.</summary>
    private static string InFieldNames(string err)
    {
        var text = err.Trim();
        Assert.StartsWith("error: ", text, StringComparison.Ordinal);
        text = text["error: ".Length..];
        foreach (var (flag, field) in new[] { ("--run-id", "run_id"), ("--new-run", "new_run"), ("--watchlist-source", "watchlist_source"), ("--symbols", "symbols") })
        {
            text = text.Replace(flag, field, StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>The run a <c>trade</c> output names on its <c>run ...:</c> line (after the watchlist line, when a source picked it).</summary>
    private static string RunOf(string stdout) =>
        stdout.Split('\n').First(l => l.StartsWith("run ", StringComparison.Ordinal)).Split(' ', 3)[1].TrimEnd(':');

    /// <summary>Runs <c>aitrader</c> as its own process on the service's data folder and kills it (SIGKILL) once it has
    /// printed <paramref name="fills"/> fills; returns the run it was driving, left unfinished.</summary>
    private static async Task<string> KilledAfterFillsAsync(ServiceHost host, string? databaseUrl, string[] args, int fills)
    {
        var start = CliProcess.StartInfo(args);
        start.Environment["AITRADER_DATA_DIR"] = host.Settings.DataDir;
        foreach (var name in new[] { "DATABASE_URL", "WATCHLIST_TEXT", "WATCHLIST_STORE" })
        {
            start.Environment.Remove(name);
        }

        if (databaseUrl is not null)
        {
            start.Environment["DATABASE_URL"] = databaseUrl;
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var output = new System.Text.StringBuilder();
        var seen = 0;
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            output.AppendLine(line);
            if (line.Contains(" fill ", StringComparison.Ordinal) && ++seen == fills)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(timeout.Token);
                return RunOf(output.ToString());
            }
        }

        await process.WaitForExitAsync(timeout.Token);
        Assert.Fail($"the run ended before {fills} fills: {output}{await stderr}");
        return "";
    }

    /// <summary>The CLI's journal and the API's, page by page and exported, for the same filters: the same rows in the same
    /// JSON and CSV; and the same refusal of a bad filter, named as each surface spells it.</summary>
    private static async Task AssertSameJournalQueriesAsync(ServiceHost host)
    {
        using var reader = host.Client(host.ReadKey);
        foreach (var filter in new (string? Date, string? Kind, string? Symbol)[]
        {
            (null, null, null), ("2013-10-08", null, null), (null, "fill", null), (null, "block", null), (null, null, "ibm"),
            ("2013-10-08", "order", "SPY"), ("2010-06-01", null, null), ("2020-01-01", null, null),
        })
        {
            var flags = new List<string> { "journal", "--format", "jsonl" };
            var query = new List<string>();
            foreach (var (name, value) in new[] { ("date", filter.Date), ("kind", filter.Kind), ("symbol", filter.Symbol) })
            {
                if (value is not null)
                {
                    flags.AddRange(["--" + name, value]);
                    query.Add($"{name}={value}");
                }
            }

            var (code, stdout, err) = await CliRunner.Run([.. flags]);
            Assert.True(code == 0, err);
            var cliRows = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

            // Newest first, 200 a page, following the cursor to the end; the CLI prints oldest first.
            var apiRows = new List<string>();
            long? before = null;
            do
            {
                var cursor = before is { } b ? $"&before_id={b}" : "";
                var page = await reader.GetFromJsonAsync<JsonElement>($"/api/journal?{string.Join('&', [.. query, "limit=200"])}{cursor}");
                apiRows.AddRange(page.GetProperty("entries").EnumerateArray().Select(e => e.GetRawText()));
                before = page.GetProperty("next_before_id").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next_before_id").GetInt64();
            }
            while (before is not null);

            apiRows.Reverse();
            if (filter == default)
            {
                Assert.True(cliRows.Length > 200, $"the whole journal holds {cliRows.Length} rows: not enough to page");
            }

            Assert.True(cliRows.SequenceEqual(apiRows), $"journal {string.Join(' ', flags)}: the CLI gave {cliRows.Length} rows, the API {apiRows.Count}");

            // The export reads what the CLI reads, oldest first: the same bytes in both formats.
            Assert.Equal(stdout, await reader.GetStringAsync($"/api/journal/export?{string.Join('&', [.. query, "format=jsonl"])}"));
            flags[2] = "csv";
            (code, var csv, err) = await CliRunner.Run([.. flags]);
            Assert.True(code == 0, err);
            Assert.Equal(csv, await reader.GetStringAsync($"/api/journal/export?{string.Join('&', [.. query, "format=csv"])}"));
        }

        foreach (var (name, value) in new[] { ("date", "2013-13-01"), ("kind", "fills"), ("symbol", "$$$") })
        {
            var (code, _, err) = await CliRunner.Run("journal", "--" + name, value);
            Assert.Equal(2, code);
            var response = await reader.GetAsync($"/api/journal?{name}={Uri.EscapeDataString(value)}");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(name, problem.GetProperty("field").GetString());
            Assert.Equal(err.Trim().Replace("error: ", "", StringComparison.Ordinal).Replace("--" + name, name, StringComparison.Ordinal),
                problem.GetProperty("detail").GetString());
        }
    }

    /// <summary>The service on SQLite (no URL) or on the PostgreSQL database <paramref name="databaseUrl"/>.</summary>
    private static Task<ServiceHost> StartAsync(string? databaseUrl) =>
        ServiceHost.StartAsync(environment: databaseUrl is null ? null : new Dictionary<string, string> { ["DATABASE_URL"] = databaseUrl });

    /// <summary>The in-process CLI on the service's data folder and database, with nothing of the machine's (a
    /// DATABASE_URL, a WATCHLIST_TEXT) leaking in.</summary>
    private static ScopedEnvironment CliOn(ServiceHost host, string? databaseUrl = null)
    {
        var environment = new ScopedEnvironment("DATABASE_URL", "WATCHLIST_TEXT", "WATCHLIST_STORE");
        environment.Set("AITRADER_DATA_DIR", host.Settings.DataDir);
        environment.Set("AITRADER_ARTIFACTS_DIR", host.Settings.ArtifactsDir);
        environment.Set("DATABASE_URL", databaseUrl);
        return environment;
    }

    /// <summary>A run's journal entries in order, with what names the run (and the entry ids) taken out.</summary>
    private static async Task<List<JournalEntry>> RunEntriesAsync(string? databaseUrl, string dataDir, string runId)
    {
        await using var journal = JournalFactory.Create(databaseUrl, dataDir);
        string? Anonymous(string? text) => text?.Replace(runId, "RUN", StringComparison.Ordinal);
        return (await journal.QueryAsync(JournalQuery.All))
            .Where(e => e.EventKey?.StartsWith(runId + ":", StringComparison.Ordinal) == true)
            .Select(e => e with
            {
                Id = 0,
                EventKey = Anonymous(e.EventKey),
                ClientOrderId = Anonymous(e.ClientOrderId),
                Reason = Anonymous(e.Reason)!,
                Data = Anonymous(e.Data),
            })
            .ToList();
    }

    /// <summary>The table <c>trade</c> prints at its end: name → value.</summary>
    private static Dictionary<string, string> Summary(string stdout) =>
        stdout.Split('\n').SkipWhile(l => l.Length > 0).Where(l => l.Length > 16 && !l.StartsWith("  ", StringComparison.Ordinal))
            .ToDictionary(l => l[..16].Trim(), l => l[16..].Trim(), StringComparer.Ordinal);
}
