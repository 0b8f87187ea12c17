using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AiTrader.Core.Journal;
using AiTrader.Service;
using AiTrader.Storage;
using static AiTrader.Integration.Tests.Service.ServiceHost;

namespace AiTrader.Integration.Tests.Service;

/// <summary>Paper replay sessions as jobs: the trading loop with its guardrails over the bundled week, journaled under
/// the session's run.</summary>
public sealed class SessionJobApiTests
{
    /// <summary>A two-symbol replay of the bundled week, slow enough to still be running while a test acts on it.</summary>
    private const string Spec = """{"symbols":["SPY","IBM"],"from":"2013-10-07","to":"2013-10-11","speed":"2000"}""";

    [Fact]
    public async Task A_replay_session_trades_the_week_and_journals_every_fill_under_its_run()
    {
        await using var host = await ServiceHost.StartAsync();
        using var trader = host.Client(host.TraderKey);
        var id = await SubmitAsync(trader, "/api/sessions", """{"symbols":["SPY","IBM","BAC"],"from":"2013-10-07","to":"2013-10-11","interval":"1Min"}""");
        var job = await ServiceHost.FinishedJobAsync(trader, $"/api/sessions/{id}");

        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        var result = await trader.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}/result");
        var runId = result.GetProperty("run_id").GetString()!;
        Assert.True(result.GetProperty("bars").GetInt32() > 1000);
        var fills = result.GetProperty("fills").GetInt32();
        Assert.True(fills > 0);

        // The journal holds exactly the session's fills, keyed by its run.
        await using var journal = JournalFactory.Create(null, host.Settings.DataDir);
        var journaled = (await journal.QueryAsync(new JournalQuery(Kind: JournalKind.Fill)))
            .Count(e => e.EventKey?.StartsWith(runId + ":", StringComparison.Ordinal) == true);
        Assert.Equal(fills, journaled);
        // The book, worked out from the snapshot's fills and marks, agrees with the exchange's own end state.
        var book = await trader.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}/book");
        Assert.Equal(runId, book.GetProperty("run_id").GetString());
        Assert.Equal(fills, book.GetProperty("fills").GetInt32());
        Assert.Equal(result.GetProperty("final_equity").GetDecimal(), book.GetProperty("equity").GetDecimal());
        Assert.Equal(
            result.GetProperty("open_positions").EnumerateArray().Select(p => (p.GetProperty("symbol").GetString(), p.GetProperty("quantity").GetDecimal())).OrderBy(p => p.Item1),
            book.GetProperty("positions").EnumerateArray().Select(p => (p.GetProperty("symbol").GetString(), p.GetProperty("quantity").GetDecimal())).OrderBy(p => p.Item1));

        var file = await trader.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}/files/session.json");
        Assert.Equal(result.GetProperty("final_equity").GetDecimal(), file.GetProperty("final_equity").GetDecimal());
    }

    [Fact]
    public async Task Bad_session_specs_name_their_field_and_an_empty_week_fails_saying_so()
    {
        await using var host = await ServiceHost.StartAsync();
        using var trader = host.Client(host.TraderKey);
        foreach (var (body, field) in new[]
        {
            ("""{"from":"2013-10-07","to":"2013-10-11"}""", "symbols"),
            ("""{"symbols":["SPY"],"to":"2013-10-11"}""", "from"),
            ("""{"symbols":["SPY"],"from":"2013-10-11","to":"2013-10-07"}""", "from"),
            ("""{"symbols":["SPY"],"from":"2013-10-07","to":"2013-10-11","guardrails":"seatbelt"}""", "guardrails"),
            ("""{"symbols":["SPY"],"from":"2013-10-07","to":"2013-10-11","flatten_minutes":900}""", "flatten_minutes"),
        })
        {
            var response = await trader.PostAsync("/api/sessions", Json(body));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(field, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        }

        using var reader = host.Client(host.ReadKey);
        Assert.Equal(HttpStatusCode.Forbidden,
            (await reader.PostAsync("/api/sessions", Json("""{"symbols":["SPY"],"from":"2013-10-07","to":"2013-10-11"}"""))).StatusCode);

        var id = await SubmitAsync(trader, "/api/sessions", """{"symbols":["SPY"],"from":"2020-01-06","to":"2020-01-10"}""");
        var job = await ServiceHost.FinishedJobAsync(trader, $"/api/sessions/{id}");

        Assert.Equal("failed", job.GetProperty("state").GetString());
        Assert.Contains("no bundled 1Min bars", job.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    /// <summary>The same spec while its run is being driven: as <c>trade</c> would find the run locked, the service refuses
    /// it at once (409) naming the job that drives it; <c>"new_run": true</c> runs beside it.</summary>
    [Fact]
    public async Task The_same_session_again_while_its_run_is_driven_is_refused_and_new_run_runs_beside_it()
    {
        await using var host = await ServiceHost.StartAsync();
        using var trader = host.Client(host.TraderKey);
        var first = await SubmitAsync(trader, "/api/sessions", Spec);
        await RunningSessionAsync(trader, first);
        var run = (await trader.GetFromJsonAsync<JsonElement>($"/api/sessions/{first}/book")).GetProperty("run_id").GetString();

        var again = await trader.PostAsync("/api/sessions", Json(Spec));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        var problem = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("run_id", problem.GetProperty("field").GetString());
        Assert.Equal($"run {run} is being driven by session job {first}, and one run is driven by one session at a time; wait for it to end or cancel it, or send \"new_run\": true to run another beside it.",
            problem.GetProperty("detail").GetString());

        // Accepted (it waits for the one job slot, then starts a run of its own).
        var beside = await SubmitAsync(trader, "/api/sessions", Spec.Replace("{", "{\"new_run\":true,", StringComparison.Ordinal));
        foreach (var id in new[] { beside, first })
        {
            Assert.Equal(HttpStatusCode.Accepted, (await trader.DeleteAsync($"/api/sessions/{id}")).StatusCode);
        }
    }

    [Fact]
    public async Task A_session_stopped_and_asked_for_again_at_once_is_accepted_instead_of_refused_as_still_driven()
    {
        await using var host = await ServiceHost.StartAsync();
        using var trader = host.Client(host.TraderKey);
        var first = await SubmitAsync(trader, "/api/sessions", Spec);
        await RunningSessionAsync(trader, first);
        Assert.Equal(HttpStatusCode.Accepted, (await trader.DeleteAsync($"/api/sessions/{first}")).StatusCode);

        // The stopped job's worker may still be writing the journal as this arrives: the submit waits for it to let go
        // (it was refused as "being driven" by the job it had just stopped).
        var again = await SubmitAsync(trader, "/api/sessions", Spec);
        Assert.NotEqual(first, again);
        await RunningSessionAsync(trader, again);
        Assert.Equal(HttpStatusCode.Accepted, (await trader.DeleteAsync($"/api/sessions/{again}")).StatusCode);
    }

    /// <summary>Two identical sessions submitted while the first still waits for the job slot: the second would resume
    /// the first's run once it started and find it locked, so it is refused at its submit (409) naming the queued job,
    /// whether the run is new, named by <c>run_id</c> or picked with a watchlist source; <c>"new_run": true</c> is
    /// accepted, and once the queued job is cancelled the same spec is accepted again.</summary>
    [Fact]
    public async Task The_same_session_again_before_the_first_starts_is_refused_naming_the_queued_job()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions { MaxConcurrentJobs = 1 });
        using var trader = host.Client(host.TraderKey);
        // A long sweep takes the one worker, so the sessions after it certainly wait.
        var sweep = await SubmitAsync(trader, "/api/sweeps", """{"symbol":"SPY","grid":"lookback=5:400:1,atr_period=10:14:1","start":"1998-01-01"}""");
        foreach (var (spec, run) in new[]
        {
            (Spec, "a run of the same settings"),
            (Spec.Replace("{", "{\"run_id\":\"twin\",", StringComparison.Ordinal), "run twin"),
            ("""{"watchlist_source":"scan","from":"2013-10-09","to":"2013-10-10"}""", "a run of the same settings"),
        })
        {
            var first = await SubmitAsync(trader, "/api/sessions", spec);
            Assert.Equal("queued", (await trader.GetFromJsonAsync<JsonElement>($"/api/sessions/{first}")).GetProperty("state").GetString());

            var again = await trader.PostAsync("/api/sessions", Json(spec));
            Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
            var problem = await again.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("run_id", problem.GetProperty("field").GetString());
            Assert.Equal($"session job {first} is waiting to drive {run}, and one run is driven by one session at a time; wait for it to end or cancel it, or send \"new_run\": true to run another beside it.",
                problem.GetProperty("detail").GetString());

            Assert.Equal(HttpStatusCode.Accepted, (await trader.DeleteAsync($"/api/sessions/{first}")).StatusCode);
            var after = await SubmitAsync(trader, "/api/sessions", spec);
            Assert.Equal(HttpStatusCode.Accepted, (await trader.DeleteAsync($"/api/sessions/{after}")).StatusCode);
        }

        var beside = new[] { Spec, Spec.Replace("{", "{\"new_run\":true,", StringComparison.Ordinal) };
        var ids = new List<string>();
        foreach (var spec in beside)
        {
            ids.Add(await SubmitAsync(trader, "/api/sessions", spec));
        }

        // Nothing was stored for the refused submits: two jobs per spec above (the first and the one after the cancel), these two.
        var listed = await trader.GetFromJsonAsync<JsonElement>("/api/sessions?limit=200");
        Assert.Equal(8, listed.GetProperty("jobs").GetArrayLength());
        foreach (var id in ids.Append(sweep))
        {
            Assert.Equal(HttpStatusCode.Accepted, (await trader.DeleteAsync($"/api/{(id == sweep ? "sweeps" : "sessions")}/{id}")).StatusCode);
        }
    }
}
