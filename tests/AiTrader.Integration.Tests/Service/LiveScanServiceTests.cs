using System.Net.Http.Json;
using System.Text.Json;
using AiTrader.Core.Scanning;
using AiTrader.Integration.Tests.Storage;
using AiTrader.Integration.Tests.Vendors;
using AiTrader.Integration.Tests.Vendors.Fakes;
using AiTrader.Integration.Tests.Watchlists;
using AiTrader.Service;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AiTrader.Integration.Tests.Service;

/// <summary>The live premarket scan inside the service (<c>serve --scan-schedule</c>) against the Alpaca fake (snapshots
/// and minute bars, its wire format), on a test clock moved by hand: each window scans once, stores its refresh and
/// publishes the scan watchlist; without keys it is off and says why.</summary>
public sealed class LiveScanServiceTests
{
    [Fact]
    public async Task Each_window_of_the_schedule_scans_live_stores_the_refresh_and_publishes_the_scan_watchlist()
    {
        await using var fake = await VendorTestKit.StartAsync<FakeAlpaca>();
        fake.MinuteBars.AddRange(LiveScanTests.SpyMinutes());
        fake.Snapshots["SPY"] = LiveScanTests.SpySnapshot;
        using var state = new TempDirectory();
        var clock = new FakeTimeProvider(new DateTimeOffset(2013, 10, 8, 12, 59, 30, TimeSpan.Zero)); // 08:59:30 ET
        var environment = new Dictionary<string, string>
        {
            ["APCA_API_KEY_ID"] = fake.ApiKey,
            ["APCA_API_SECRET_KEY"] = fake.ApiSecret,
            ["ALPACA_DATA_BASE_URL"] = fake.BaseUrl.ToString(),
            ["AITRADER_VENDOR_CHAIN"] = "alpaca",
            ["AITRADER_CACHE_DIR"] = Path.Combine(state.Path, "cache"),
            ["AITRADER_DATA_DIR"] = state.Path,
        };
        await using var host = await ServiceHost.StartAsync(new ServiceOptions { ScanSchedule = ScanSchedule.Parse("09:00,09:05"), ScanTop = 3 },
            environment, configure: b => b.Services.AddSingleton<TimeProvider>(clock));
        using var reader = host.Client(host.ReadKey);

        async Task<JsonElement> RefreshedAsync(int count)
        {
            var until = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                var status = await reader.GetFromJsonAsync<JsonElement>("/api/scans/schedule");
                if (status.GetProperty("refreshes_today").GetInt32() >= count)
                {
                    return status;
                }

                Assert.True(DateTime.UtcNow < until, $"no refresh {count}: {status}");
                await Task.Delay(50);
            }
        }

        var before = await reader.GetFromJsonAsync<JsonElement>("/api/scans/schedule");
        Assert.True(before.GetProperty("enabled").GetBoolean());
        Assert.Equal(0, before.GetProperty("refreshes_today").GetInt32()); // nothing before 09:00 ET

        clock.Advance(TimeSpan.FromSeconds(30));
        var first = await RefreshedAsync(1);
        Assert.Equal("2013-10-08T13:00:00Z", first.GetProperty("last_window").GetString());
        clock.Advance(TimeSpan.FromMinutes(5));
        await RefreshedAsync(2);

        // Both refreshes stored, live, with SPY ranked from the fake's bars and snapshot; the scan watchlist published.
        var refreshes = (await reader.GetFromJsonAsync<JsonElement>("/api/scans/refreshes/2013-10-08")).GetProperty("refreshes").EnumerateArray().ToList();
        Assert.Equal(2, refreshes.Count);
        Assert.All(refreshes, r => Assert.Equal("live", r.GetProperty("mode").GetString()));
        Assert.All(refreshes, r => Assert.Contains(r.GetProperty("rows").EnumerateArray(),
            row => row.GetProperty("symbol").GetString() == "SPY" && row.GetProperty("rank").ValueKind == JsonValueKind.Number));
        // The published list is the last window's top 3 (the fake serves SPY's bars for every symbol it is asked for).
        var top3 = refreshes[^1].GetProperty("rows").EnumerateArray().Where(r => r.GetProperty("rank").ValueKind == JsonValueKind.Number)
            .OrderBy(r => r.GetProperty("rank").GetInt32()).Take(3).Select(r => r.GetProperty("symbol").GetString()).ToList();
        var scan = await reader.GetFromJsonAsync<JsonElement>("/api/watchlists/scan");
        Assert.Equal(3, top3.Count);
        Assert.Equal(top3, scan.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("symbol").GetString()));
        Assert.All(scan.GetProperty("entries").EnumerateArray(), e => Assert.Equal("scan", e.GetProperty("source").GetString()));
        Assert.Contains(fake.Requests, r => r.StartsWith("/v2/stocks/snapshots", StringComparison.Ordinal));
        Assert.Contains(host.Logs, l => l.Contains("live scan 2013-10-08T13:05Z", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_schedule_or_without_keys_the_scan_is_off_and_says_why()
    {
        await using (var host = await ServiceHost.StartAsync())
        {
            using var reader = host.Client(host.ReadKey);
            var status = await reader.GetFromJsonAsync<JsonElement>("/api/scans/schedule");
            Assert.False(status.GetProperty("enabled").GetBoolean());
            Assert.Contains("--scan-schedule", status.GetProperty("off").GetString(), StringComparison.Ordinal);
        }

        await using (var host = await ServiceHost.StartAsync(new ServiceOptions { ScanSchedule = ScanSchedule.Premarket }))
        {
            using var reader = host.Client(host.ReadKey);
            var until = DateTime.UtcNow.AddSeconds(30);
            JsonElement status;
            while ((status = await reader.GetFromJsonAsync<JsonElement>("/api/scans/schedule")).GetProperty("off").ValueKind == JsonValueKind.Null)
            {
                Assert.True(DateTime.UtcNow < until, "the scheduler never said it is off");
                await Task.Delay(50);
            }

            Assert.True(status.GetProperty("enabled").GetBoolean());
            Assert.Contains("APCA_API_KEY_ID", status.GetProperty("off").GetString(), StringComparison.Ordinal);
        }
    }
}
