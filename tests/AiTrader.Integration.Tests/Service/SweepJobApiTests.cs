using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AiTrader.Integration.Tests.TestSupport;
using static AiTrader.Integration.Tests.Service.ServiceHost;

namespace AiTrader.Integration.Tests.Service;

/// <summary>Sweeps and walk-forwards as jobs over real HTTP.</summary>
public sealed class SweepJobApiTests
{
    private static async Task<JsonElement> RunAsync(HttpClient trader, string spec)
    {
        var submitted = await trader.PostAsync("/api/sweeps", Json(spec));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var job = await ServiceHost.FinishedJobAsync(trader, $"/api/sweeps/{id}");
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        Assert.Equal(1.0, job.GetProperty("progress").GetDouble());
        return job;
    }

    [Fact]
    public async Task A_sweep_job_ranks_its_cells_and_the_default_cell_is_the_readme_run()
    {
        await using var host = await ServiceHost.StartAsync();
        using var trader = host.Client(host.TraderKey);
        var job = await RunAsync(trader, """{"symbol":"SPY","strategy":"breakout","grid":"lookback=20,55","start":"2005-01-01","png":true}""");
        var id = job.GetProperty("id").GetString()!;
        Assert.Equal($"/api/sweeps/{id}", job.GetProperty("links").GetProperty("self").GetString());

        var result = await trader.GetFromJsonAsync<JsonElement>($"/api/sweeps/{id}/result");
        Assert.Equal("sweep", result.GetProperty("kind").GetString());
        Assert.Equal(2, result.GetProperty("combinations").GetInt32());
        var ranked = result.GetProperty("ranked").EnumerateArray().ToList();
        Assert.Equal(2, ranked.Count);
        Assert.True(ranked[0].GetProperty("score").GetDouble() >= ranked[1].GetProperty("score").GetDouble());
        // lookback=20 is breakout's default: the README's run, 70 trades ending at $114,648.61.
        var defaultCell = ranked.Single(r => r.GetProperty("parameters").GetProperty("lookback").GetString() == "20");
        Assert.Equal(70, defaultCell.GetProperty("trades").GetInt32());
        Assert.Equal(114_648.61m, Math.Round(defaultCell.GetProperty("final_equity").GetDecimal(), 2));

        var csv = await trader.GetStringAsync($"/api/sweeps/{id}/files/sweep.csv");
        Assert.Equal(3, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal("image/png", (await trader.GetAsync($"/api/sweeps/{id}/files/heatmap.png")).Content.Headers.ContentType?.MediaType);
        // Each combination is its own run: a sweep has no monthly returns of its own.
        Assert.Equal(HttpStatusCode.Conflict, (await trader.GetAsync($"/api/sweeps/{id}/monthly-returns")).StatusCode);
        // A sweep is not a backtest: its id is unknown under /backtests.
        Assert.Equal(HttpStatusCode.NotFound, (await trader.GetAsync($"/api/backtests/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_walk_forward_job_reports_its_out_of_sample_windows()
    {
        await using var host = await ServiceHost.StartAsync();
        using var trader = host.Client(host.TraderKey);
        var job = await RunAsync(trader,
            """{"symbol":"SPY","grid":"lookback=20,40","start":"2005-01-01","walk_forward":{"in_sample_bars":504,"out_of_sample_bars":252}}""");
        var result = await trader.GetFromJsonAsync<JsonElement>($"/api/sweeps/{job.GetProperty("id").GetString()}/result");
        Assert.Equal("walk_forward", result.GetProperty("kind").GetString());
        // Windows start every 252 bars while 504 in-sample bars leave one to test; the bars counted from the file itself.
        var bars = File.ReadLines(Path.Combine(TestPaths.RepoRoot, "data", "sample", "daily", "SPY.csv")).Skip(1)
            .Count(l => string.CompareOrdinal(l[..10], "2005-01-01") >= 0);
        Assert.Equal((int)Math.Ceiling((bars - 504) / 252.0), result.GetProperty("windows").GetInt32());
        Assert.True(result.GetProperty("out_of_sample").GetProperty("trades").GetInt32() > 0);

        // The stitched out-of-sample curve by month: the years compound to its total return.
        var monthly = await trader.GetFromJsonAsync<JsonElement>($"/api/sweeps/{job.GetProperty("id").GetString()}/monthly-returns");
        Assert.Equal("oos_equity.csv", monthly.GetProperty("source").GetString());
        var growth = monthly.GetProperty("years").EnumerateArray().Aggregate(1.0, (g, y) => g * (1 + y.GetProperty("year_return").GetDouble()));
        Assert.Equal(result.GetProperty("out_of_sample").GetProperty("total_return").GetDouble(), growth - 1, 1e-9);
    }

    [Fact]
    public async Task A_bad_sweep_spec_names_its_field_and_stores_nothing()
    {
        await using var host = await ServiceHost.StartAsync();
        using var trader = host.Client(host.TraderKey);
        foreach (var (body, field) in new[]
        {
            ("""{"symbol":"SPY"}""", "grid"),
            ("""{"symbol":"SPY","grid":"lookback=="}""", "grid"),
            ("""{"symbol":"SPY","grid":"lookback=0"}""", "grid"),
            ("""{"symbol":"SPY","grid":"lookback=20","strategy":"nope"}""", "strategy"),
            ("""{"symbol":"SPY","grid":"lookback=20","rank_by":"luck"}""", "rank_by"),
            ("""{"symbol":"SPY","grid":"lookback=20","walk_forward":{"in_sample_bars":"x"}}""", "walk_forward"),
        })
        {
            var response = await trader.PostAsync("/api/sweeps", Json(body));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal(field, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        }

        var listed = await trader.GetFromJsonAsync<JsonElement>("/api/sweeps");
        Assert.Equal(0, listed.GetProperty("jobs").GetArrayLength());
    }
}
