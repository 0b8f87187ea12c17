using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Scanning;
using AiTrader.Core.Sessions;
using AiTrader.Core.Watchlists;
using AiTrader.Integration.Tests.Vendors;
using AiTrader.Integration.Tests.Vendors.Fakes;
using AiTrader.Storage.Watchlists;

namespace AiTrader.Integration.Tests.Service;

/// <summary><c>/api/watchlists</c> and <c>/api/scans/refreshes/{date}</c> over what a replayed premarket scan stored, and scan replays as jobs.</summary>
public sealed class WatchlistApiTests
{
    [Fact]
    public async Task A_replayed_scan_day_is_served_window_by_window_with_its_published_watchlist()
    {
        await using var host = await ServiceHost.StartAsync();
        var date = new DateOnly(2013, 10, 8);
        ScanDay day;
        await using (var store = new JsonWatchlistStore(host.Settings.DataDir))
        {
            var source = new CsvBarSource(SampleData.LocateRoot(), NyseCalendar.Instance);
            var scheduler = ScanScheduler.Replay(NyseCalendar.Instance.GetSession(date)!, source, NyseCalendar.Instance, new ScanOptions(),
                ScanSchedule.Premarket, store, source.SplitsFor);
            day = await scheduler.RunDayAsync(date, source.AvailableSymbols(Timeframe.OneMinute));
        }

        Assert.NotEmpty(day.Refreshes);
        using var reader = host.Client(host.ReadKey);
        var scans = await reader.GetFromJsonAsync<JsonElement>("/api/scans/refreshes/2013-10-08");
        var refreshes = scans.GetProperty("refreshes").EnumerateArray().ToList();
        Assert.Equal(day.Refreshes.Count, refreshes.Count);
        // The last window's rows, in rank order, are what the scheduler ranked.
        var expected = day.Refreshes[^1].Rows.Where(r => r.Rank is not null).OrderBy(r => r.Rank).Select(r => r.Symbol.Value).ToList();
        var served = refreshes[^1].GetProperty("rows").EnumerateArray().Where(r => r.GetProperty("rank").ValueKind == JsonValueKind.Number)
            .OrderBy(r => r.GetProperty("rank").GetInt32()).Select(r => r.GetProperty("symbol").GetString()!).ToList();
        Assert.Equal(expected, served);

        var buckets = await reader.GetFromJsonAsync<JsonElement>("/api/watchlists");
        var scanBucket = buckets.GetProperty("buckets").EnumerateArray().Single(b => b.GetProperty("bucket").GetString() == day.Latest!.Bucket);
        Assert.Equal(day.Published.Count, scanBucket.GetProperty("saved").GetInt32());
        var latest = await reader.GetFromJsonAsync<JsonElement>($"/api/watchlists/{day.Latest!.Bucket}");
        Assert.Equal(day.Latest.Symbols.Select(s => s.Value), latest.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("symbol").GetString()));

        Assert.Equal(0, (await reader.GetFromJsonAsync<JsonElement>("/api/scans/refreshes/2013-10-09")).GetProperty("refreshes").GetArrayLength());

        // The dates with refreshes (the dashboard's scan page starts from the newest), the day's history with only the
        // ranked rows, and one window with every row.
        var dates = await reader.GetFromJsonAsync<JsonElement>("/api/scans/refreshes");
        Assert.Equal(["2013-10-08"], dates.GetProperty("dates").EnumerateArray().Select(d => d.GetString()));
        Assert.False(dates.GetProperty("more").GetBoolean());
        var history = (await reader.GetFromJsonAsync<JsonElement>("/api/scans/refreshes/2013-10-08?rows=ranked")).GetProperty("refreshes").EnumerateArray().ToList();
        Assert.Equal(day.Refreshes.Count, history.Count);
        for (var i = 0; i < history.Count; i++)
        {
            Assert.Equal(day.Refreshes[i].Ranked.Select(r => r.Symbol.Value),
                history[i].GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("symbol").GetString()));
        }

        var last = day.Refreshes[^1];
        var one = (await reader.GetFromJsonAsync<JsonElement>($"/api/scans/refreshes/2013-10-08?window={last.Window:yyyy-MM-ddTHH:mm:ss}Z"))
            .GetProperty("refreshes").EnumerateArray().ToList();
        Assert.Equal(last.Rows.Count, Assert.Single(one).GetProperty("rows").GetArrayLength());
    }

    [Theory]
    [InlineData(FakeMode.Http429, "rate")]
    [InlineData(FakeMode.Truncated, "finnhub")]
    public async Task A_vendor_that_fails_a_build_is_503_not_the_callers_400(FakeMode mode, string expected)
    {
        await using var fake = await VendorTestKit.StartAsync<FakeFinnhub>();
        fake.Mode = mode;
        await using var host = await ServiceHost.StartAsync(environment: new Dictionary<string, string>
        {
            ["FINNHUB_API_KEY"] = fake.ApiKey,
            ["FINNHUB_BASE_URL"] = new Uri(fake.BaseUrl, "api/v1").ToString(),
        });
        using var trader = host.Client(host.TraderKey);
        var built = await trader.PostAsync("/api/watchlists/morning/build",
            new StringContent("""{"source":"finnhub"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, built.StatusCode);
        var problem = await built.Content.ReadFromJsonAsync<JsonElement>();
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.StartsWith("finnhub: ", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("finnhub: finnhub:", detail, StringComparison.Ordinal);
        Assert.Contains(expected, detail, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(fake.ApiKey, detail, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await trader.GetAsync("/api/watchlists/morning")).StatusCode); // nothing saved

        // A source without its key is still the caller's to fix: 400.
        var manual = await trader.PostAsync("/api/watchlists/morning/build",
            new StringContent("""{"source":"manual"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, manual.StatusCode);
    }

    [Fact]
    public async Task A_trader_builds_watchlists_from_a_source_and_reads_them_back()
    {
        await using var host = await ServiceHost.StartAsync(environment: new Dictionary<string, string> { ["WATCHLIST_TEXT"] = "aapl, $MSFT, msft, BRK/B" });
        using var trader = host.Client(host.TraderKey);
        static StringContent Body(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

        // The manual source: normalized and de-duplicated, as `aitrader watchlist build --source manual` keeps it.
        var built = await trader.PostAsync("/api/watchlists/morning/build", Body("""{"source":"manual"}"""));
        Assert.Equal(HttpStatusCode.Created, built.StatusCode);
        var list = await built.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("manual", list.GetProperty("source").GetString());
        Assert.Equal(["AAPL", "MSFT", "BRK.B"], list.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("symbol").GetString()));
        var stored = await trader.GetFromJsonAsync<JsonElement>("/api/watchlists/morning");
        Assert.Equal(list.GetProperty("created_utc").GetString(), stored.GetProperty("created_utc").GetString());

        // The scan source replaying a day: the 09:25 ranking's top 3, each ranked.
        var scan = await trader.PostAsync("/api/watchlists/gappers/build", Body("""{"source":"scan","date":"2013-10-08","top":3}"""));
        Assert.Equal(HttpStatusCode.Created, scan.StatusCode);
        var ranked = (await scan.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("entries").EnumerateArray().ToList();
        Assert.InRange(ranked.Count, 1, 3);
        Assert.All(ranked, e => Assert.Equal(JsonValueKind.Number, e.GetProperty("rank").ValueKind));

        // Refused: a read key, an unknown source, a bad date, a bad bucket, a top out of range, a live scan without keys.
        using var reader = host.Client(host.ReadKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync("/api/watchlists/morning/build", Body("""{"source":"manual"}"""))).StatusCode);
        foreach (var (path, body, field) in new[]
        {
            ("/api/watchlists/morning/build", """{"source":"tips-from-a-friend"}""", "source"),
            ("/api/watchlists/morning/build", """{"source":"scan","date":"yesterday"}""", "date"),
            ("/api/watchlists/Not%20A%20Bucket/build", """{"source":"manual"}""", "bucket"),
            ("/api/watchlists/morning/build", """{"source":"scan","date":"2013-10-08","top":0}""", "top"),
            ("/api/watchlists/morning/build", """{"source":"scan"}""", "source"),
            ("/api/watchlists/morning/build", """{"sauce":"manual"}""", "sauce"),
        })
        {
            var response = await trader.PostAsync(path, Body(body));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{body}: {(int)response.StatusCode}");
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(problem.TryGetProperty("field", out var f) && f.GetString() == field, $"{body}: {problem}");
        }
    }

    [Theory]
    [InlineData("/api/scans/refreshes/yesterday", HttpStatusCode.BadRequest, "date")]
    [InlineData("/api/watchlists/..%2Fsecrets", HttpStatusCode.BadRequest, "bucket")]
    [InlineData("/api/watchlists/empty", HttpStatusCode.NotFound, "bucket")]
    [InlineData("/api/watchlists/default?at=noon", HttpStatusCode.BadRequest, "at")]
    [InlineData("/api/scans/refreshes?limit=0", HttpStatusCode.BadRequest, "limit")]
    [InlineData("/api/scans/refreshes/2013-10-08?rows=some", HttpStatusCode.BadRequest, "rows")]
    [InlineData("/api/scans/refreshes/2013-10-08?window=soon", HttpStatusCode.BadRequest, "window")]
    [InlineData("/api/scans/refreshes/2013-10-08?window=2013-10-08T13:26:00Z", HttpStatusCode.NotFound, "window")]
    public async Task Bad_or_missing_lists_are_problems_naming_the_field(string path, HttpStatusCode status, string field)
    {
        await using var host = await ServiceHost.StartAsync();
        using var reader = host.Client(host.ReadKey);
        var response = await reader.GetAsync(path);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal(field, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_scan_job_replays_a_date_and_its_refreshes_and_watchlist_are_served()
    {
        await using var host = await ServiceHost.StartAsync();
        using var trader = host.Client(host.TraderKey);
        var submitted = await trader.PostAsync("/api/scans",
            new StringContent("""{"date":"2013-10-08","top":3}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, submitted.StatusCode);
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var job = await ServiceHost.FinishedJobAsync(trader, $"/api/scans/{id}");

        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        var result = await trader.GetFromJsonAsync<JsonElement>($"/api/scans/{id}/result");
        // 04:00 to 09:25 ET every 5 minutes: 66 windows.
        Assert.Equal(66, result.GetProperty("refreshes").GetInt32());
        var top = result.GetProperty("watchlist").EnumerateArray().Select(s => s.GetString()).ToList();
        Assert.InRange(top.Count, 1, 3);

        var refreshes = await trader.GetFromJsonAsync<JsonElement>("/api/scans/refreshes/2013-10-08");
        Assert.Equal(66, refreshes.GetProperty("refreshes").GetArrayLength());
        var latest = await trader.GetFromJsonAsync<JsonElement>("/api/watchlists/scan");
        Assert.Equal(top, latest.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("symbol").GetString()));

        foreach (var (body, field) in new[] { ("""{"date":"2013-10-12"}""", "date"), ("""{"date":"2013-10-08","top":0}""", "top"), ("""{}""", "date") })
        {
            var bad = await trader.PostAsync("/api/scans", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal(field, (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        }
    }
}
