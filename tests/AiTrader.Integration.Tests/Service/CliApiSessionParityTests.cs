using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AiTrader.Application.Sessions;
using AiTrader.Core.Agents;
using AiTrader.Core.Journal;
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
            "a year of daily bars that ends holding positions",
            ["--replay", "2010-01-04:2010-12-31", "--symbols", "SPY,IBM", "--interval", "1Day", "--guardrails", "pdt,max_drawdown"],
            """{"symbols":["SPY","IBM"],"from":"2010-01-04","to":"2010-12-31","interval":"1Day","guardrails":"pdt,max_drawdown"}"""
        },
    };

    [Theory]
    [MemberData(nameof(Sessions))]
    public async Task A_replay_started_by_the_cli_and_by_the_api_journals_fills_and_ends_the_same(string what, string[] flags, string spec)
    {
        await using var host = await ServiceHost.StartAsync();
        using var environment = CliOn(host);
        var dataDir = host.Settings.DataDir;

        var (code, stdout, err) = await CliRunner.Run(["trade", "--paper", .. flags]);
        Assert.True(code == 0, $"{what}: {err}");
        var cliRun = stdout.Split('\n')[0].Split(' ', 3)[1].TrimEnd(':');
        using var trader = host.Client(host.TraderKey);
        var id = await SubmitAsync(trader, "/api/sessions", spec);
        var job = await FinishedJobAsync(trader, $"/api/sessions/{id}");
        Assert.True(job.GetProperty("state").GetString() == "succeeded", $"{what}: {job}");
        var result = job.GetProperty("result");
        var apiRun = result.GetProperty("run_id").GetString()!;
        Assert.NotEqual(cliRun, apiRun);

        // The same request: the run registry keeps the same settings for both runs.
        var registry = new RunRegistry(dataDir);
        Assert.Equal(registry.Load(cliRun)!.Settings, registry.Load(apiRun)!.Settings);
        Assert.Equal(RunManifest.Finished, registry.Load(cliRun)!.Status);
        Assert.Equal(RunManifest.Finished, registry.Load(apiRun)!.Status);

        // The same journal, entry by entry and in order.
        var cliEntries = await RunEntriesAsync(dataDir, cliRun);
        var apiEntries = await RunEntriesAsync(dataDir, apiRun);
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

    /// <summary>The in-process CLI on the service's data folder, with nothing of the machine's (a DATABASE_URL, a
    /// WATCHLIST_TEXT) leaking in.</summary>
    private static ScopedEnvironment CliOn(ServiceHost host)
    {
        var environment = new ScopedEnvironment("DATABASE_URL", "WATCHLIST_TEXT", "WATCHLIST_STORE");
        environment.Set("AITRADER_DATA_DIR", host.Settings.DataDir);
        environment.Set("AITRADER_ARTIFACTS_DIR", host.Settings.ArtifactsDir);
        return environment;
    }

    /// <summary>A run's journal entries in order, with what names the run (and the entry ids) taken out.</summary>
    private static async Task<List<JournalEntry>> RunEntriesAsync(string dataDir, string runId)
    {
        await using var journal = JournalFactory.Create(null, dataDir);
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
