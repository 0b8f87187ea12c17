using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AiTrader.Integration.Tests.Storage;
using AiTrader.Integration.Tests.TestSupport;
using AiTrader.Service;
using static AiTrader.Integration.Tests.Service.ServiceHost;

namespace AiTrader.Integration.Tests.Service;

/// <summary>Backtests as jobs over real HTTP: submit, poll, result, files, cancel, roles, errors, and history across a restart.</summary>
public sealed class BacktestJobApiTests
{
    private static Task<JsonElement> WaitAsync(HttpClient client, string id, TimeSpan timeout) =>
        ServiceHost.FinishedJobAsync(client, $"/api/backtests/{id}", timeout);

    [Fact]
    public async Task A_submitted_backtest_runs_to_the_readme_figures_and_its_files_are_served()
    {
        await using var host = await ServiceHost.StartAsync();
        using var trader = host.Client(host.TraderKey);
        var submitted = await trader.PostAsync("/api/backtests", Json("""{"symbol":"SPY","start":"2005-01-01","strategy":"breakout","png":true}"""));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var job = await submitted.Content.ReadFromJsonAsync<JsonElement>();
        var id = job.GetProperty("id").GetString()!;
        Assert.Contains(job.GetProperty("state").GetString(), new[] { "queued", "running", "succeeded" });
        Assert.Equal("SPY", job.GetProperty("spec").GetProperty("symbol").GetString());

        var done = await WaitAsync(trader, id, TimeSpan.FromSeconds(60));
        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        Assert.Equal(1.0, done.GetProperty("progress").GetDouble());

        // The README's documented run: aitrader backtest --symbol SPY --start 2005-01-01 --strategy breakout.
        using var reader = host.Client(host.ReadKey);
        var result = await reader.GetFromJsonAsync<JsonElement>($"/api/backtests/{id}/result");
        Assert.Equal(114_648.61m, Math.Round(result.GetProperty("final_equity").GetDecimal(), 2)); // the README prints cents
        Assert.Equal(70, result.GetProperty("trades").GetInt32());

        var trades = await reader.GetStringAsync($"/api/backtests/{id}/files/trades.csv");
        Assert.Equal(71, trades.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // header + 70
        // Monthly returns (the report's table): each year's months compound to its year, the years to the total return.
        var monthly = await reader.GetFromJsonAsync<JsonElement>($"/api/backtests/{id}/monthly-returns");
        var years = monthly.GetProperty("years").EnumerateArray().ToList();
        Assert.Equal(2005, years[0].GetProperty("year").GetInt32());
        var growth = 1.0;
        foreach (var year in years)
        {
            var months = year.GetProperty("months").EnumerateArray().ToList();
            Assert.Equal(12, months.Count);
            var compounded = months.Where(m => m.ValueKind == JsonValueKind.Number).Aggregate(1.0, (g, m) => g * (1 + m.GetDouble())) - 1;
            Assert.Equal(year.GetProperty("year_return").GetDouble(), compounded, 1e-9);
            growth *= 1 + compounded;
        }

        Assert.Equal(result.GetProperty("total_return").GetDouble(), growth - 1, 1e-9);
        var png = await reader.GetAsync($"/api/backtests/{id}/files/equity.png");
        Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync($"/api/backtests/{id}/files/..%2F..%2Fplatform.db")).StatusCode);

        // Finished jobs cannot be cancelled; unknown and malformed ids are 404.
        Assert.Equal(HttpStatusCode.Conflict, (await trader.DeleteAsync($"/api/backtests/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/api/backtests/job_20991231000000000_00000000")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await reader.GetAsync("/api/backtests/' OR 1=1 --")).StatusCode);

        // The history survives a restart of the service on the same state.
        await using var restarted = await ServiceHost.StartAsync(root: host.Root);
        using var again = restarted.Client(restarted.ReadKey);
        var listed = await again.GetFromJsonAsync<JsonElement>("/api/backtests?state=succeeded");
        Assert.Contains(listed.GetProperty("jobs").EnumerateArray(), j => j.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task The_api_and_the_cli_give_the_same_summary_for_the_same_backtest()
    {
        await using var host = await ServiceHost.StartAsync();
        using var trader = host.Client(host.TraderKey);
        var spec = """{"symbol":"SPY","start":"2005-01-01","end":"2012-12-31","strategy":"momentum","capital":50000,"commission_per_share":0.01,"slippage_bps":2}""";
        var submitted = await trader.PostAsync("/api/backtests", Json(spec));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal($"/api/backtests/{id}", submitted.Headers.Location?.OriginalString);
        var done = await ServiceHost.FinishedJobAsync(trader, $"/api/backtests/{id}");
        Assert.Equal("succeeded", done.GetProperty("state").GetString());
        var api = done.GetProperty("summary");

        using var outDir = new TempDirectory();
        var (code, _, err) = await CliRunner.Run("backtest", "--symbol", "SPY", "--start", "2005-01-01", "--end", "2012-12-31",
            "--strategy", "momentum", "--capital", "50000", "--commission-per-share", "0.01", "--slippage-bps", "2", "--out", outDir.Path);
        Assert.True(code == 0, err);
        var cli = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outDir.Path, "summary.json"))).RootElement;

        // Every key with the same value, in the same order; only the time the file was written differs.
        Assert.Equal(cli.EnumerateObject().Select(p => p.Name), api.EnumerateObject().Select(p => p.Name));
        foreach (var property in cli.EnumerateObject().Where(p => p.Name != "generated_at"))
        {
            Assert.True(property.Value.GetRawText() == api.GetProperty(property.Name).GetRawText(),
                $"{property.Name}: CLI {property.Value.GetRawText()}, API {api.GetProperty(property.Name).GetRawText()}");
        }

        Assert.True(cli.GetProperty("trades").GetInt32() > 0);
    }

    [Fact]
    public async Task Read_keys_cannot_submit_and_bad_specs_are_problems_naming_the_field()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions { MaxRequestBodyBytes = 2048 });
        using var reader = host.Client(host.ReadKey);
        var refused = await reader.PostAsync("/api/backtests", Json("""{"symbol":"SPY"}"""));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("--role trader", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var trader = host.Client(host.TraderKey);
        foreach (var (body, field) in new[]
        {
            ("""{"symbol":"SPY","capital":-5}""", "capital"),
            ("""{"symbol":"SPY","strategy":"nope"}""", "strategy"),
            ("""{"symbol":"SPY","start":"2010-13-01"}""", "start"),
            ("""{"symbol":"SPY","colour":"red"}""", "colour"),
            ("""{"strategy":"breakout"}""", "symbol"),
        })
        {
            var response = await trader.PostAsync("/api/backtests", Json(body));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(field, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        }

        var malformed = await trader.PostAsync("/api/backtests", Json("{not json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);

        var big = await trader.PostAsync("/api/backtests", Json($$"""{"symbol":"SPY","strategy":"{{new string('x', 4096)}}"}"""));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
        Assert.Equal("application/problem+json", big.Content.Headers.ContentType?.MediaType);

        // A caller's mistake is answered, not logged as the service's error with a stack trace.
        Assert.DoesNotContain(host.Logs, l => l.Contains("unhandled exception", StringComparison.OrdinalIgnoreCase));

        // Nothing was stored for any of them.
        var listed = await reader.GetFromJsonAsync<JsonElement>("/api/backtests");
        Assert.Equal(0, listed.GetProperty("jobs").GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, (await reader.GetAsync("/api/backtests?limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await reader.GetAsync("/api/backtests?limit=201")).StatusCode);
        // The largest page is answered (it was a 500: the store was asked for one job more than it allowed).
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/backtests?limit=200")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await reader.GetAsync("/api/backtests?state=done")).StatusCode);
    }

    [Fact]
    public async Task Jobs_page_newest_first_and_queued_and_running_jobs_can_be_cancelled()
    {
        await using var host = await ServiceHost.StartAsync(new ServiceOptions { MaxConcurrentJobs = 1 });
        using var trader = host.Client(host.TraderKey);

        // A long sweep takes the one worker first, so the backtests after it are certainly still queued.
        var sweep = await trader.PostAsync("/api/sweeps", Json("""{"symbol":"SPY","grid":"lookback=5:400:1","start":"1998-01-01"}"""));
        var sweepId = (await sweep.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var response = await trader.PostAsync("/api/backtests", Json($$$"""{"symbol":"SPY","start":"2005-01-01","parameters":{"lookback":"{{{20 + i}}}"}}"""));
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        }

        var cancel = await trader.DeleteAsync($"/api/backtests/{ids[2]}");
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var cancelled = await trader.GetFromJsonAsync<JsonElement>($"/api/backtests/{ids[2]}");
        Assert.Equal("cancelled", cancelled.GetProperty("state").GetString());
        Assert.Equal("cancelled by request", cancelled.GetProperty("error").GetString());

        // The running sweep is cancelled too: it stops and is recorded as cancelled, and the queue moves on.
        Assert.Equal(HttpStatusCode.Accepted, (await trader.DeleteAsync($"/api/sweeps/{sweepId}")).StatusCode);
        Assert.Equal("cancelled", (await trader.GetFromJsonAsync<JsonElement>($"/api/sweeps/{sweepId}")).GetProperty("state").GetString());
        Assert.Equal("succeeded", (await WaitAsync(trader, ids[0], TimeSpan.FromSeconds(90))).GetProperty("state").GetString());
        Assert.Equal("succeeded", (await WaitAsync(trader, ids[1], TimeSpan.FromSeconds(90))).GetProperty("state").GetString());
        Assert.Equal("cancelled", (await WaitAsync(trader, ids[2], TimeSpan.FromSeconds(5))).GetProperty("state").GetString());

        var first = await trader.GetFromJsonAsync<JsonElement>("/api/backtests?limit=2");
        Assert.Equal([ids[2], ids[1]], first.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetString()));
        var next = first.GetProperty("next_before").GetString();
        var second = await trader.GetFromJsonAsync<JsonElement>($"/api/backtests?limit=2&before={next}");
        Assert.Equal([ids[0]], second.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("id").GetString()));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next_before").ValueKind);
    }
}
