using System.Net;
using System.Text.Json;
using AiTrader.Integration.Tests.Storage;

namespace AiTrader.Integration.Tests.Service;

/// <summary><c>GET /health/ready</c> on the real service: every check by name with its status, whether it is required and
/// a one-line reason; 503 when a required one (the database, the cache folder) fails; vendor keys by name, never a value.</summary>
public sealed class ReadinessApiTests
{
    private static async Task<(HttpStatusCode Status, JsonElement Checks, string Text)> ReadyAsync(ServiceHost host)
    {
        using var reader = host.Client(host.ReadKey);
        var response = await reader.GetAsync("/health/ready");
        var text = await response.Content.ReadAsStringAsync();
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal(response.StatusCode == HttpStatusCode.OK ? "ready" : "not ready", body.GetProperty("status").GetString());
        var checks = body.GetProperty("checks");
        Assert.Equal(["database", "cache", "vendor_keys", "stream"], checks.EnumerateObject().Select(c => c.Name));
        foreach (var check in checks.EnumerateObject())
        {
            var reason = check.Value.GetProperty("reason").GetString()!;
            Assert.True(reason.Length > 0 && !reason.Contains('\n', StringComparison.Ordinal), $"{check.Name}: '{reason}'");
        }

        return (response.StatusCode, checks, text);
    }

    [Fact]
    public async Task A_healthy_service_is_ready_and_names_the_vendor_keys_set_and_missing_never_their_values()
    {
        await using var host = await ServiceHost.StartAsync(environment: new Dictionary<string, string>
        {
            ["FINNHUB_API_KEY"] = "finnhub-secret-value",
            ["APCA_API_KEY_ID"] = "only-half-of-alpaca",
        });
        var (status, checks, text) = await ReadyAsync(host);
        Assert.Equal(HttpStatusCode.OK, status);
        var database = checks.GetProperty("database");
        Assert.Equal("ok", database.GetProperty("status").GetString());
        Assert.True(database.GetProperty("required").GetBoolean());
        Assert.StartsWith($"sqlite in {host.Settings.DataDir}: reachable, schema current (journal v", database.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("ok", checks.GetProperty("cache").GetProperty("status").GetString());
        Assert.Equal($"{host.Settings.BarCacheDir}: exists and is writable", checks.GetProperty("cache").GetProperty("reason").GetString());
        var keys = checks.GetProperty("vendor_keys");
        Assert.Equal("warn", keys.GetProperty("status").GetString());
        Assert.False(keys.GetProperty("required").GetBoolean());
        Assert.Equal("set: finnhub; not set: alpaca (APCA_API_SECRET_KEY), alphavantage (ALPHAVANTAGE_API_KEY), twelvedata (TWELVEDATA_API_KEY)",
            keys.GetProperty("reason").GetString());
        Assert.Equal("off", checks.GetProperty("stream").GetProperty("status").GetString());
        Assert.DoesNotContain("finnhub-secret-value", text, StringComparison.Ordinal);
        Assert.DoesNotContain("only-half-of-alpaca", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cache_folder_that_cannot_be_written_makes_the_service_unready()
    {
        await using var host = await ServiceHost.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await ReadyAsync(host)).Status);

        // The cache folder becomes one that exists but refuses new files to everyone, root included (sysfs).
        var cache = host.Settings.BarCacheDir!;
        if (Directory.Exists(cache))
        {
            Directory.Delete(cache, recursive: true);
        }

        Directory.CreateSymbolicLink(cache, "/sys/kernel");
        var (status, checks, _) = await ReadyAsync(host);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var check = checks.GetProperty("cache");
        Assert.Equal("fail", check.GetProperty("status").GetString());
        Assert.StartsWith($"{cache} is not writable (", check.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("give the service's user write access, or set AITRADER_BAR_CACHE to a folder it can write", check.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("ok", checks.GetProperty("database").GetProperty("status").GetString());

        // Writable again: ready again.
        Directory.Delete(cache);
        Assert.Equal(HttpStatusCode.OK, (await ReadyAsync(host)).Status);
    }

    [PostgresFact]
    public async Task A_database_that_stops_taking_connections_makes_the_service_unready()
    {
        await using var scratch = await PostgresTestDatabase.CreateScratchAsync("aitrader_ready");
        var name = scratch.Name;
        await using var host = await ServiceHost.StartAsync(environment: new Dictionary<string, string> { ["DATABASE_URL"] = scratch.Url });
        var (status, checks, text) = await ReadyAsync(host);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.StartsWith("postgresql (DATABASE_URL): reachable, schema current (journal v",
            checks.GetProperty("database").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("postgres:postgres", text, StringComparison.Ordinal);

        // The server stops taking connections to the database, and drops those it had.
        await scratch.AdminAsync($"ALTER DATABASE {name} ALLOW_CONNECTIONS false; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'");
        (status, checks, text) = await ReadyAsync(host);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var database = checks.GetProperty("database");
        Assert.Equal("fail", database.GetProperty("status").GetString());
        Assert.Contains("is not currently accepting connections", database.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("; check that the database runs and DATABASE_URL points at it", database.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("ok", checks.GetProperty("cache").GetProperty("status").GetString());
        Assert.DoesNotContain("postgres:postgres", text, StringComparison.Ordinal);

        // The read key was accepted a moment ago, so it still reads; a key the service has not seen waits for the store.
        using var trader = host.Client(host.TraderKey);
        var unseen = await trader.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unseen.StatusCode);
        var problem = JsonDocument.Parse(await unseen.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("key store unreachable", problem.GetProperty("title").GetString());
        Assert.StartsWith("the API-key store cannot be reached (", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await scratch.AdminAsync($"ALTER DATABASE {name} ALLOW_CONNECTIONS true");
        Assert.Equal(HttpStatusCode.OK, (await trader.GetAsync("/health/ready")).StatusCode);
    }
}
