using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AiTrader.Integration.Tests.Storage;
using AiTrader.Integration.Tests.Streaming;
using Microsoft.Data.Sqlite;

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

    /// <summary>Polls readiness until the stream check's reason starts with <paramref name="prefix"/>; every reason seen on
    /// the way is kept.</summary>
    private static async Task<JsonElement> StreamCheckAsync(ServiceHost host, string prefix, List<string> seen)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var (status, checks, _) = await ReadyAsync(host);
            Assert.Equal(HttpStatusCode.OK, status); // the stream never makes the service unready
            var stream = checks.GetProperty("stream");
            var reason = stream.GetProperty("reason").GetString()!;
            if (seen.Count == 0 || seen[^1] != reason)
            {
                seen.Add(reason);
            }

            if (reason.StartsWith(prefix, StringComparison.Ordinal))
            {
                return stream;
            }

            Assert.True(DateTime.UtcNow < until, $"the stream check never read '{prefix}…'; saw: {string.Join(" | ", seen)}");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task The_stream_check_follows_the_socket_through_a_drop_a_failed_reconnect_and_the_recovery()
    {
        // Connection 1 sends ten minutes of bars and drops 3 s later; connection 2 is refused with Alpaca's 500; connection 3
        // holds. The stream waits 1 s before its first reconnect and 2 s before its second.
        await using var fake = await StreamTestKit.StartAsync();
        var minutes = StreamTestKit.Spy.Take(10).Select(b => ("SPY", b));
        fake.Scripts.Add(new StreamScript(StreamTestKit.Frames(minutes), StreamEnd.Drop));
        fake.Scripts.Add(new StreamScript([], ErrorAfterConnect: 500));
        fake.Scripts.Add(new StreamScript([]));
        fake.DropDelay = TimeSpan.FromSeconds(3);
        await using var host = await ServiceHost.StartAsync(environment: StreamTestKit.Environment(fake));
        var seen = new List<string>();
        Assert.Equal("off", (await StreamCheckAsync(host, "not started", seen)).GetProperty("status").GetString());
        using var trader = host.Client(host.TraderKey);
        var id = await ServiceHost.SubmitAsync(trader, "/api/sessions", """{"mode":"paper","symbols":["SPY"]}""");

        var connected = await StreamCheckAsync(host, "connected: since ", seen);
        Assert.Equal("ok", connected.GetProperty("status").GetString());
        Assert.False(connected.GetProperty("required").GetBoolean());

        // The drop: the socket is gone, whatever bars came before.
        var first = await StreamCheckAsync(host, "reconnecting: attempt 1 of 10 since ", seen);
        Assert.Equal("warn", first.GetProperty("status").GetString());
        Assert.Contains(", after: alpaca stream: connection lost", first.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var second = await StreamCheckAsync(host, "reconnecting: attempt 2 of 10 since ", seen);
        Assert.Contains("500", second.GetProperty("reason").GetString(), StringComparison.Ordinal);

        // The third connection holds: connected again, the session still running.
        var again = await StreamCheckAsync(host, "connected: since ", seen);
        Assert.Equal("ok", again.GetProperty("status").GetString());
        Assert.Equal(3, fake.Connections);
        Assert.Equal("running", (await trader.GetFromJsonAsync<JsonElement>($"/api/sessions/{id}")).GetProperty("state").GetString());
        using var reader = host.Client(host.ReadKey);
        var socket = Assert.Single((await reader.GetFromJsonAsync<JsonElement>("/health/details")).GetProperty("stream").GetProperty("sockets").EnumerateArray());
        Assert.Equal("connected", socket.GetProperty("state").GetString());

        // Stopped, the socket is closed: nothing is open and nothing failed.
        Assert.Equal(HttpStatusCode.Accepted, (await trader.DeleteAsync($"/api/sessions/{id}")).StatusCode);
        await ServiceHost.FinishedJobAsync(trader, $"/api/sessions/{id}");
        Assert.Equal("off", (await StreamCheckAsync(host, "not started", seen)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_stream_that_gives_up_reads_failed_until_a_socket_connects_again()
    {
        // Every connection is refused; with no reconnect allowed the first refusal ends the stream, and its session fails.
        await using var fake = await StreamTestKit.StartAsync();
        fake.Scripts.Add(new StreamScript([], ErrorAfterConnect: 500));
        fake.Scripts.Add(new StreamScript([], ErrorAfterConnect: 500));
        var environment = StreamTestKit.Environment(fake);
        environment["ALPACA_STREAM_MAX_RECONNECTS"] = "0";
        await using var host = await ServiceHost.StartAsync(environment: environment);
        using var trader = host.Client(host.TraderKey);
        var id = await ServiceHost.SubmitAsync(trader, "/api/sessions", """{"mode":"paper","symbols":["SPY"]}""");
        Assert.Equal("failed", (await ServiceHost.FinishedJobAsync(trader, $"/api/sessions/{id}")).GetProperty("state").GetString());
        var seen = new List<string>();
        var failed = await StreamCheckAsync(host, "failed at ", seen);
        Assert.Equal("fail", failed.GetProperty("status").GetString());
        Assert.False(failed.GetProperty("required").GetBoolean());
        Assert.Contains("500", failed.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("start it again once the stream is back", failed.GetProperty("reason").GetString(), StringComparison.Ordinal);

        // The feed is back (the third connection holds): a new session connects and the failure is gone.
        environment["ALPACA_STREAM_MAX_RECONNECTS"] = "5";
        var next = await ServiceHost.SubmitAsync(trader, "/api/sessions", """{"mode":"paper","symbols":["SPY"],"new_run":true}""");
        Assert.Equal("ok", (await StreamCheckAsync(host, "connected: since ", seen)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Accepted, (await trader.DeleteAsync($"/api/sessions/{next}")).StatusCode);
        await ServiceHost.FinishedJobAsync(trader, $"/api/sessions/{next}");
    }

    [Fact]
    public async Task On_sqlite_readiness_only_reads_the_schema_so_a_writer_holding_the_lock_does_not_hold_it_up()
    {
        await using var host = await ServiceHost.StartAsync();
        // The key's first use is recorded (a write, at most once a minute); that is the key's bookkeeping, not the probe's.
        Assert.Equal(HttpStatusCode.OK, (await ReadyAsync(host)).Status);
        var files = Directory.GetFiles(host.Settings.DataDir, "*.db", SearchOption.AllDirectories);
        Assert.NotEmpty(files);

        // A writer in every store's file holds SQLite's write lock (BEGIN IMMEDIATE) across the probe. A probe that ran a
        // schema step would wait for it and give up after its 5 s; a read goes on beside it (WAL).
        var writers = new List<(SqliteConnection Connection, SqliteTransaction Transaction)>();
        try
        {
            foreach (var file in files)
            {
                var connection = new SqliteConnection($"Data Source={file};Pooling=False");
                await connection.OpenAsync();
                writers.Add((connection, connection.BeginTransaction(deferred: false)));
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            var (status, checks, _) = await ReadyAsync(host);
            clock.Stop();
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.StartsWith($"sqlite in {host.Settings.DataDir}: reachable, schema current (journal v",
                checks.GetProperty("database").GetProperty("reason").GetString(), StringComparison.Ordinal);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"readiness took {clock.Elapsed} beside the writers");

            // The writers were never in the probe's way either: each still holds its lock and commits.
            foreach (var (connection, transaction) in writers)
            {
                await using var write = connection.CreateCommand();
                write.Transaction = transaction;
                write.CommandText = "CREATE TABLE IF NOT EXISTS readiness_probe_writer (x INTEGER); INSERT INTO readiness_probe_writer VALUES (1);";
                Assert.Equal(1, await write.ExecuteNonQueryAsync());
                await transaction.CommitAsync();
            }
        }
        finally
        {
            foreach (var (connection, transaction) in writers)
            {
                await transaction.DisposeAsync();
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_schema_behind_the_build_fails_readiness_with_the_fix_and_the_probe_does_not_apply_it()
    {
        await using var host = await ServiceHost.StartAsync();
        var journal = Path.Combine(host.Settings.DataDir, "journal.db");
        Assert.True(File.Exists(journal), "the service's journal is journal.db in its data folder");
        await using (var connection = new SqliteConnection($"Data Source={journal};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var drop = connection.CreateCommand();
            drop.CommandText = "DELETE FROM schema_migrations WHERE store = 'journal' AND version = (SELECT max(version) FROM schema_migrations WHERE store = 'journal')";
            Assert.Equal(1, await drop.ExecuteNonQueryAsync());
        }

        await using var steps = new AiTrader.Storage.SqliteJournal(journal);
        var known = steps.Migrations.Max(m => m.Version);
        var (status, checks, _) = await ReadyAsync(host);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var database = checks.GetProperty("database");
        Assert.Equal("fail", database.GetProperty("status").GetString());
        Assert.Equal($"sqlite in {host.Settings.DataDir}: reachable, schema behind this build (journal v{known - 1} of v{known}); " +
            "run `aitrader db migrate` or restart the service, which migrates as it starts", database.GetProperty("reason").GetString());
        // Asked again, the same: the probe applied nothing.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await ReadyAsync(host)).Status);
    }
}
