using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using AiTrader.Core.Agents;
using AiTrader.Core.Backtesting.Sweeps;
using AiTrader.Core.Journal;
using AiTrader.Integration.Tests.Service;
using AiTrader.Integration.Tests.Storage;
using AiTrader.Integration.Tests.TestSupport;
using AiTrader.Integration.Tests.Watchlists;
using AiTrader.Reporting.Sweeps;
using AiTrader.Storage.Security;
using Azure.Storage.Blobs;
using Xunit.Abstractions;

namespace AiTrader.Integration.Tests.Cluster;

/// <summary>The cluster as a user starts it: <c>aitrader silo</c> processes on loopback with their membership in Azure Table
/// storage (Azurite's Table service, as CI starts it) or Redis (<c>.ci/redis.sh</c>), and client commands as more
/// processes: a sweep with one silo killed with SIGKILL mid-sweep, the bars shared through Azure Blob storage, sweep jobs
/// over HTTP through <c>serve --cluster</c> (the files are the single-machine run's, byte for byte); a replayed trading
/// session whose silo is killed mid-run (its journal is an uninterrupted single-machine run's); a universe scan (the
/// single-machine scan's CSV). Ports 11161-11163 and 30061-30063, away from the defaults a user's own silos take; a
/// cluster id of the test's own, so silos left in the membership by an earlier run are not this cluster's.</summary>
public sealed class ClusterProcessTests(ITestOutputHelper output) : IDisposable
{
    private const string Grid = "lookback=5:80:1,atr_mult=2,3";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly string _root = Directory.CreateTempSubdirectory("aitrader-cluster-process-").FullName;
    private readonly List<Process> _processes = [];
    private readonly string _clusterId = $"test-{Guid.NewGuid():N}";

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(10_000);
            }

            process.Dispose();
        }

        Directory.Delete(_root, recursive: true);
    }

    [AzuriteFact]
    public async Task A_silo_killed_with_sigkill_mid_sweep_leaves_the_single_machine_csv_with_membership_in_azure_table_storage()
    {
        var first = await StartSiloAsync(11161, 30061);
        var joining = new[] { StartSiloAsync(11162, 30062), StartSiloAsync(11163, 30063) };
        var victim = (await Task.WhenAll(joining))[1];

        var sweep = Start(["sweep", "--symbol", "SPY", "--grid", Grid, "--cluster", "--clustering", "azuretable", "--cluster-id", _clusterId, "--parallelism", "6",
            "--out", Path.Combine(_root, "cluster")]);
        // Killed once a tenth of the cells are in: the victim has cells open (six in flight over three silos).
        await sweep.WaitForLineAsync(l => l.Contains("backtests", StringComparison.Ordinal) && !l.Contains(": 1/", StringComparison.Ordinal), Patience);
        victim.Process.Kill();
        Assert.True(await sweep.ExitAsync(TimeSpan.FromSeconds(180)) == 0, sweep.Text);

        var single = Start(["sweep", "--symbol", "SPY", "--grid", Grid, "--out", Path.Combine(_root, "single")]);
        Assert.True(await single.ExitAsync(TimeSpan.FromSeconds(120)) == 0, single.Text);
        Assert.Equal(
            await File.ReadAllBytesAsync(Path.Combine(_root, "single", SweepReportWriter.CsvFileName)),
            await File.ReadAllBytesAsync(Path.Combine(_root, "cluster", SweepReportWriter.CsvFileName)));
        Assert.Equal(1 + 76 * 2, File.ReadAllLines(Path.Combine(_root, "cluster", SweepReportWriter.CsvFileName)).Length);
        Assert.Contains("running it again (its gateway connection dropped", sweep.Text, StringComparison.Ordinal);
        Assert.Contains("cluster: 152 cells on 3 silos (", sweep.Text, StringComparison.Ordinal);
        // A surviving silo saw the victim die (voted dead in the table).
        await first.WaitForLineAsync(l => l.Contains("dead: 127.0.0.1:11163", StringComparison.Ordinal), Patience);
        // The silos share the client's bar cache folder (AITRADER_DATA_DIR/cache/bars): the client wrote SPY's columns
        // before the first cell, and the first silo read them from there instead of parsing the CSV.
        await first.WaitForLineAsync(l => l.Contains("sweeps prepared from the bar cache: 1, from CSV: 0", StringComparison.Ordinal), Patience);
        Assert.Contains($"is up in cluster '{_clusterId}', membership in Azure Table storage at 127.0.0.1:", first.Text, StringComparison.Ordinal);
        // The account key (the secret in the connection string) is nowhere in what the silos and the client wrote.
        var key = AzuriteTestStorage.Require().Split(';').Single(p => p.StartsWith("AccountKey=", StringComparison.Ordinal))["AccountKey=".Length..];
        Assert.All(new[] { first, joining[0].Result, victim, sweep }, p => Assert.DoesNotContain(key, p.Text, StringComparison.Ordinal));
    }

    [AzuriteFact]
    public async Task Silos_with_folders_of_their_own_and_no_csv_read_the_bars_from_azure_blob_and_give_the_single_machine_sweep_and_walk_forward()
    {
        // Each silo has its own data folder (so its own bar cache) and a sample data folder with no CSV in it: the only
        // way to the bars is the shared cache in Azure Blob storage, which the client fills.
        var container = $"bars-{Guid.NewGuid():N}";
        var empty = Directory.CreateDirectory(Path.Combine(_root, "no-csv")).FullName;
        var blob = new Dictionary<string, string?>
        {
            [AppSettings.BarCacheBlobVariable] = container,
            ["AZURE_BLOB_CONNECTION_STRING"] = AzuriteTestStorage.Require(),
        };
        Dictionary<string, string?> SiloEnvironment(int n) => new(blob)
        {
            ["AITRADER_DATA_DIR"] = Path.Combine(_root, $"silo{n}"),
            ["AITRADER_SAMPLE_DATA"] = empty,
        };

        var silos = await Task.WhenAll(StartSiloAsync(11161, 30061, SiloEnvironment(1)), StartSiloAsync(11162, 30062, SiloEnvironment(2)));
        string[] cluster = ["--cluster", "--clustering", "azuretable", "--cluster-id", _clusterId, "--parallelism", "4"];
        string[] sweep = ["sweep", "--symbol", "SPY", "--grid", "lookback=10:60:10,atr_mult=2,3"];
        string[] walk = [.. sweep, "--walk-forward"];
        var runs = new[]
        {
            Start([.. sweep, .. cluster, "--out", Path.Combine(_root, "cluster-sweep")], blob),
            Start([.. sweep, "--out", Path.Combine(_root, "single-sweep")]),
        };
        Assert.All(await Task.WhenAll(runs.Select(r => r.ExitAsync(Patience))), code => Assert.True(code == 0, string.Join("\n", runs.Select(r => r.Text))));
        // The walk-forward's series is the sweep's (same symbol, interval and range): the silos read their own copies.
        var walks = new[]
        {
            Start([.. walk, .. cluster, "--out", Path.Combine(_root, "cluster-walk")], blob),
            Start([.. walk, "--out", Path.Combine(_root, "single-walk")]),
        };
        Assert.All(await Task.WhenAll(walks.Select(r => r.ExitAsync(Patience))), code => Assert.True(code == 0, string.Join("\n", walks.Select(r => r.Text))));

        Assert.Equal(
            await File.ReadAllBytesAsync(Path.Combine(_root, "single-sweep", SweepReportWriter.CsvFileName)),
            await File.ReadAllBytesAsync(Path.Combine(_root, "cluster-sweep", SweepReportWriter.CsvFileName)));
        Assert.Equal(1 + 12, File.ReadAllLines(Path.Combine(_root, "cluster-sweep", SweepReportWriter.CsvFileName)).Length);
        foreach (var file in new[] { WalkForwardReportWriter.WindowsFileName, WalkForwardReportWriter.EquityFileName, WalkForwardReportWriter.MetricsFileName })
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(_root, "single-walk", file)), await File.ReadAllBytesAsync(Path.Combine(_root, "cluster-walk", file)));
        }

        Assert.Contains("cluster: 12 cells on 2 silos (", runs[0].Text, StringComparison.Ordinal);
        // Both sweeps on both silos from the shared cache, none parsed; each silo downloaded the bars once.
        foreach (var silo in silos)
        {
            await silo.WaitForLineAsync(l => l.Contains("sweeps prepared from the bar cache: 2, from CSV: 0; bars downloaded from the shared cache: 1", StringComparison.Ordinal), Patience);
        }

        // One blob, written once; each silo keeps its copy in its own bar cache folder, under the blob's name.
        var blobs = new BlobContainerClient(AzuriteTestStorage.Require(), container);
        var names = new List<string>();
        await foreach (var item in blobs.GetBlobsAsync())
        {
            names.Add(item.Name);
        }

        var name = Assert.Single(names);
        Assert.Matches("^bars/SPY-1Day-[0-9a-f]{16}\\.bars$", name);
        foreach (var n in new[] { 1, 2 })
        {
            Assert.Equal(
                (await blobs.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToArray(),
                await File.ReadAllBytesAsync(Path.Combine(_root, $"silo{n}", "cache", "bars", "shared", name["bars/".Length..])));
        }

        await blobs.DeleteAsync();
    }

    [AzuriteFact]
    public async Task Serve_with_cluster_runs_sweep_jobs_on_silo_processes_and_reports_progress_and_cancels_through_the_api()
    {
        var silos = await Task.WhenAll(StartSiloAsync(11161, 30061), StartSiloAsync(11162, 30062));
        string key;
        await using (var keys = ApiKeyStoreFactory.Create(null, Path.Combine(_root, "data")))
        {
            key = (await keys.CreateAsync("cluster", ApiKeyRole.Trader)).Key;
        }

        var serve = Start(["serve", "--urls", "http://127.0.0.1:0", "--cluster", "--clustering", "azuretable", "--cluster-id", _clusterId],
            new Dictionary<string, string?> { ["DATABASE_URL"] = null });
        await serve.WaitForLineAsync(l => l.Contains("listening on http://127.0.0.1:", StringComparison.Ordinal), Patience);
        using var api = new HttpClient { BaseAddress = new Uri(Regex.Match(serve.Text, @"listening on (http://127\.0\.0\.1:\d+)").Groups[1].Value) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var single = Start(["sweep", "--symbol", "SPY", "--strategy", "breakout", "--grid", "lookback=10:60:10,atr_mult=2,3", "--start", "2005-01-01",
            "--end", "2009-12-31", "--out", Path.Combine(_root, "single")]);

        var id = await ServiceHost.SubmitAsync(api, "/api/sweeps",
            """{"symbol":"SPY","strategy":"breakout","grid":"lookback=10:60:10,atr_mult=2,3","start":"2005-01-01","end":"2009-12-31"}""");
        var job = await ServiceHost.FinishedJobAsync(api, $"/api/sweeps/{id}");

        Assert.True(await single.ExitAsync(Patience) == 0, single.Text);
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        Assert.Equal(1.0, job.GetProperty("progress").GetDouble());
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(_root, "single", SweepReportWriter.CsvFileName)),
            await api.GetByteArrayAsync($"/api/sweeps/{id}/files/sweep.csv"));
        // The backtests ran on the two silo processes.
        await serve.WaitForLineAsync(l => l.StartsWith("sweep SPY breakout: cluster: 12 cells on 2 silos (127.0.0.1:11161: ", StringComparison.Ordinal), Patience);

        // 800 cells: far more than the seconds the test waits; cancelled once the silos' cells show as progress.
        var big = await ServiceHost.SubmitAsync(api, "/api/sweeps", """{"symbol":"SPY","strategy":"breakout","grid":"lookback=5:204:1,atr_mult=1,2,3,4"}""");
        var until = DateTime.UtcNow.AddSeconds(60);
        double progress;
        do
        {
            Assert.True(DateTime.UtcNow < until, "the sweep job showed no progress from the silos");
            await Task.Delay(100);
            progress = (await api.GetFromJsonAsync<JsonElement>($"/api/sweeps/{big}")).GetProperty("progress").GetDouble();
        }
        while (progress <= 0.02);

        Assert.Equal(HttpStatusCode.Accepted, (await api.DeleteAsync($"/api/sweeps/{big}")).StatusCode);
        var cancelled = await ServiceHost.FinishedJobAsync(api, $"/api/sweeps/{big}");
        Assert.Equal("cancelled", cancelled.GetProperty("state").GetString());
        Assert.True(cancelled.GetProperty("progress").GetDouble() < 0.5);
        Assert.Equal(HttpStatusCode.Conflict, (await api.GetAsync($"/api/sweeps/{big}/result")).StatusCode);
        // The silos go idle: once their last load line is out (one every 5 s while the count changes), no other follows.
        await Task.Delay(TimeSpan.FromSeconds(6));
        var loadLines = silos.Sum(s => s.Text.Split('\n').Count(l => l.Contains(": load: ", StringComparison.Ordinal)));
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.Equal(loadLines, silos.Sum(s => s.Text.Split('\n').Count(l => l.Contains(": load: ", StringComparison.Ordinal))));
        Assert.DoesNotContain("sweep SPY breakout: cluster: 800 cells", serve.Text, StringComparison.Ordinal);
    }

    [RedisFact]
    public async Task Three_silos_with_their_membership_in_redis_give_the_single_machine_csv()
    {
        var redis = new Dictionary<string, string?> { [AppSettings.ClusterConnectionStringVariable] = RedisTestServer.Require() };
        var silos = await Task.WhenAll(
            StartSiloAsync(11161, 30061, redis, "redis"), StartSiloAsync(11162, 30062, redis, "redis"), StartSiloAsync(11163, 30063, redis, "redis"));
        string[] sweep = ["sweep", "--symbol", "SPY", "--grid", "lookback=10:60:5,atr_mult=2,3"];
        var runs = new[]
        {
            Start([.. sweep, "--cluster", "--clustering", "redis", "--cluster-id", _clusterId, "--out", Path.Combine(_root, "cluster")], redis),
            Start([.. sweep, "--out", Path.Combine(_root, "single")]),
        };
        Assert.All(await Task.WhenAll(runs.Select(r => r.ExitAsync(Patience))), code => Assert.True(code == 0, string.Join("\n", runs.Select(r => r.Text))));

        Assert.Equal(
            await File.ReadAllBytesAsync(Path.Combine(_root, "single", SweepReportWriter.CsvFileName)),
            await File.ReadAllBytesAsync(Path.Combine(_root, "cluster", SweepReportWriter.CsvFileName)));
        Assert.Equal(1 + 22, File.ReadAllLines(Path.Combine(_root, "cluster", SweepReportWriter.CsvFileName)).Length);
        Assert.Contains("cluster: 22 cells on 3 silos (", runs[0].Text, StringComparison.Ordinal);
        Assert.Contains($"is up in cluster '{_clusterId}', membership in Redis at 127.0.0.1:", silos[0].Text, StringComparison.Ordinal);
        await silos[0].WaitForLineAsync(l => l.Contains("membership v", StringComparison.Ordinal) && l.Contains(": 3 active (", StringComparison.Ordinal), Patience);
    }

    [AzuriteAndPostgresFact]
    public async Task A_trading_session_whose_silo_is_killed_with_sigkill_resumes_on_another_and_journals_what_an_uninterrupted_run_does()
    {
        await using var clusterDb = await PostgresTestDatabase.CreateScratchAsync("clus_proc");
        await using var singleDb = await PostgresTestDatabase.CreateScratchAsync("clus_proc_single");
        var silos = await StartThreeSilosAsync(clusterDb.Url);
        const string RunId = "replay-cluster-proc";
        string[] trade = ["trade", "--paper", "--replay", "2013-10-07:2013-10-08", "--symbols", "SPY,IBM", "--param", "lookback=10", "--run-id", RunId];

        // Paced at about 10 ms a bar time (two days of minute bars: some 8 s), so its silo can be killed mid-run.
        var client = Start([.. trade, "--speed", "6000", "--cluster", "--clustering", "azuretable", "--cluster-id", _clusterId], databaseUrl: clusterDb.Url);
        await client.WaitForLineAsync(l => l.StartsWith($"run {RunId}: paper replay driven on silo 127.0.0.1:", StringComparison.Ordinal), Patience);
        var driver = client.Lines.First(l => l.StartsWith($"run {RunId}: paper replay driven on silo", StringComparison.Ordinal)).Split(':')[^1];
        await client.WaitForLineAsync(l => l.StartsWith($"run {RunId}: ", StringComparison.Ordinal) && l.Contains(" bar times done", StringComparison.Ordinal)
            && int.Parse(l.Split(' ')[2], CultureInfo.InvariantCulture) >= 200, Patience);
        silos[driver].Process.Kill();
        var sinceTheKill = Stopwatch.StartNew();
        await silos[driver].Process.WaitForExitAsync();
        var dataDir = Path.Combine(_root, "data");
        var ordersBeforeTheKill = (await ClusterSessionTests.JournalOf(clusterDb.Url, dataDir)).Count(e => e.Kind == JournalKind.Order);

        await client.WaitForLineAsync(l => l.StartsWith($"run {RunId}: silo 127.0.0.1:{driver} was lost; silo 127.0.0.1:", StringComparison.Ordinal), Patience);
        output.WriteLine($"killed the silo driving the run ({driver}); another took it over {sinceTheKill.Elapsed.TotalSeconds:0.0} s later");
        Assert.True(await client.ExitAsync(TimeSpan.FromSeconds(150)) == 0, client.Text);

        var single = Start(trade, databaseUrl: singleDb.Url, dataDir: Path.Combine(_root, "single"));
        Assert.True(await single.ExitAsync(TimeSpan.FromSeconds(120)) == 0, single.Text);
        // The same summary table, from its blank line on: bars, orders, fills, round trips, blocks, positions, final equity.
        Assert.Equal(Summary(single.Lines), Summary(client.Lines));
        Assert.Contains(Summary(client.Lines), l => l.StartsWith("final equity", StringComparison.Ordinal));

        var expected = await ClusterSessionTests.JournalOf(singleDb.Url, Path.Combine(_root, "single"));
        var actual = await ClusterSessionTests.JournalOf(clusterDb.Url, dataDir);
        var orders = expected.Count(e => e.Kind == JournalKind.Order);
        // The kill came mid-run: orders journaled before it, and more after.
        Assert.InRange(ordersBeforeTheKill, 1, orders - 1);
        Assert.Equal(expected, actual);
        var keys = actual.Select(e => e.EventKey).OfType<string>().ToList();
        Assert.NotEmpty(keys);
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    [AzuriteAndPostgresFact]
    public async Task A_trading_session_whose_silo_and_client_are_killed_is_resumed_by_its_keep_alive_reminder_and_a_new_client_prints_its_summary()
    {
        await using var clusterDb = await PostgresTestDatabase.CreateScratchAsync("clus_alone");
        await using var singleDb = await PostgresTestDatabase.CreateScratchAsync("clus_alone_single");
        // Keep-alive reminders every 2 s, in Azure Table storage beside the membership.
        var silos = await StartThreeSilosAsync(clusterDb.Url, ["--session-keep-alive", "2"]);
        const string RunId = "replay-cluster-alone";
        string[] trade = ["trade", "--paper", "--replay", "2013-10-07:2013-10-08", "--symbols", "SPY,IBM", "--param", "lookback=10", "--run-id", RunId];
        string[] onCluster = [.. trade, "--speed", "6000", "--cluster", "--clustering", "azuretable", "--cluster-id", _clusterId];

        var client = Start(onCluster, databaseUrl: clusterDb.Url);
        await client.WaitForLineAsync(l => l.StartsWith($"run {RunId}: ", StringComparison.Ordinal) && l.Contains(" bar times done", StringComparison.Ordinal)
            && int.Parse(l.Split(' ')[2], CultureInfo.InvariantCulture) >= 200, Patience);
        var driver = client.Lines.First(l => l.StartsWith($"run {RunId}: paper replay driven on silo", StringComparison.Ordinal)).Split(':')[^1];
        client.Process.Kill();
        silos[driver].Process.Kill();
        var sinceTheKill = Stopwatch.StartNew();
        await Task.WhenAll(client.Process.WaitForExitAsync(), silos[driver].Process.WaitForExitAsync());
        var dataDir = Path.Combine(_root, "data");
        var ordersBeforeTheKill = (await ClusterSessionTests.JournalOf(clusterDb.Url, dataDir)).Count(e => e.Kind == JournalKind.Order);

        // No client asks: a surviving silo's reminder service took the run's reminder over, and its tick resumed the run.
        var registry = new RunRegistry(dataDir);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (registry.Load(RunId)?.Status != RunManifest.Finished)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the run did not finish within 120 s of its silo's and client's death; the silos wrote:\n{string.Join("\n", silos.Values.Select(s => s.Text))}");
            await Task.Delay(250);
        }

        output.WriteLine($"killed the silo driving the run ({driver}) and its client; the run finished alone {sinceTheKill.Elapsed.TotalSeconds:0.0} s later");
        var survivors = silos.Where(s => s.Key != driver).Select(s => s.Value).ToList();
        Assert.Contains(survivors, s => s.Lines.Any(l => l.Contains($"run {RunId}: no driver was running it; resuming it on silo 127.0.0.1:", StringComparison.Ordinal)));

        // A new client follows the run again: it has finished, so the client prints its summary at once.
        var again = Start(onCluster, databaseUrl: clusterDb.Url);
        Assert.True(await again.ExitAsync(TimeSpan.FromSeconds(60)) == 0, again.Text);
        var single = Start(trade, databaseUrl: singleDb.Url, dataDir: Path.Combine(_root, "single"));
        Assert.True(await single.ExitAsync(TimeSpan.FromSeconds(120)) == 0, single.Text);
        Assert.Equal(Summary(single.Lines), Summary(again.Lines));

        var expected = await ClusterSessionTests.JournalOf(singleDb.Url, Path.Combine(_root, "single"));
        var actual = await ClusterSessionTests.JournalOf(clusterDb.Url, dataDir);
        Assert.InRange(ordersBeforeTheKill, 1, expected.Count(e => e.Kind == JournalKind.Order) - 1);
        Assert.Equal(expected, actual);
        var keys = actual.Select(e => e.EventKey).OfType<string>().ToList();
        Assert.Equal(keys.Count, keys.Distinct().Count());
        // The run has ended: its kept spec is gone (with its reminder), nothing is left to resume.
        Assert.False(File.Exists(Path.Combine(dataDir, "cluster", "sessions", RunId + ".json")));
    }

    [AzuriteFact]
    public async Task A_universe_scan_on_three_silo_processes_prints_the_single_machine_csv_byte_for_byte()
    {
        await StartThreeSilosAsync(databaseUrl: null);
        string[] scan = ["scan", "--date", "2013-10-08", "--replay", "--format", "csv", "--no-store"];

        var onCluster = Start([.. scan, "--cluster", "--clustering", "azuretable", "--cluster-id", _clusterId], mergeStandardError: false);
        Assert.True(await onCluster.ExitAsync(TimeSpan.FromSeconds(120)) == 0, onCluster.Err);
        var single = Start(scan, mergeStandardError: false);
        Assert.True(await single.ExitAsync(TimeSpan.FromSeconds(120)) == 0, single.Err);

        Assert.Equal(single.Text, onCluster.Text);
        // 66 refreshes of the premarket windows, four rows each (the bundled symbols that pass), under one header.
        Assert.Equal(1 + (66 * 4), onCluster.Lines.Count);
        // The grains are placed at random, so an unlucky draw leaves one of the three silos without any (about 5% of runs).
        Assert.Matches("cluster: 10 symbol grains on [23] silos", onCluster.Err);
    }

    /// <summary>Three silos on 11161-11163 (gateways 30061-30063), by their silo port.</summary>
    private async Task<Dictionary<string, RunningCli>> StartThreeSilosAsync(string? databaseUrl, string[]? options = null)
    {
        var first = await StartSiloAsync(11161, 30061, databaseUrl: databaseUrl, options: options);
        var joining = await Task.WhenAll(StartSiloAsync(11162, 30062, databaseUrl: databaseUrl, options: options), StartSiloAsync(11163, 30063, databaseUrl: databaseUrl, options: options));
        return new() { ["11161"] = first, ["11162"] = joining[0], ["11163"] = joining[1] };
    }

    /// <summary>The table a trade prints at its end: the lines after its last blank line.</summary>
    private static List<string> Summary(IReadOnlyList<string> lines) => [.. lines.Skip(lines.ToList().FindLastIndex(l => l.Length == 0) + 1)];

    private async Task<RunningCli> StartSiloAsync(int port, int gatewayPort, IReadOnlyDictionary<string, string?>? environment = null,
        string clustering = "azuretable", string? databaseUrl = null, string[]? options = null)
    {
        var silo = Start(["silo", "--port", $"{port}", "--gateway-port", $"{gatewayPort}", "--clustering", clustering, "--cluster-id", _clusterId, .. options ?? []],
            environment, databaseUrl);
        await silo.WaitForLineAsync(l => l.StartsWith($"silo 127.0.0.1:{port} (gateway {gatewayPort}) is up", StringComparison.Ordinal), Patience);
        return silo;
    }

    /// <param name="environment">Variables to set, or (null values) to remove.</param>
    /// <param name="databaseUrl">The journal's PostgreSQL (DATABASE_URL); SQLite in the data folder when null.</param>
    /// <param name="dataDir">The data folder; the one the silos and clients share by default.</param>
    /// <param name="mergeStandardError">Collect stderr with stdout; else stdout alone is collected.</param>
    private RunningCli Start(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null, string? databaseUrl = null,
        string? dataDir = null, bool mergeStandardError = true)
    {
        var start = CliProcess.StartInfo(args, mergeStandardError);
        start.Environment["AITRADER_DATA_DIR"] = dataDir ?? Path.Combine(_root, "data");
        start.Environment["AITRADER_ARTIFACTS_DIR"] = Path.Combine(_root, "artifacts");
        if (AzuriteTestStorage.ConnectionString is { } azurite)
        {
            start.Environment[AppSettings.ClusterConnectionStringVariable] = azurite;
        }

        if (databaseUrl is not null)
        {
            start.Environment["DATABASE_URL"] = databaseUrl;
        }
        else
        {
            start.Environment.Remove("DATABASE_URL");
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var running = new RunningCli(start);
        _processes.Add(running.Process);
        return running;
    }
}

/// <summary>A fact that needs Azurite and the test PostgreSQL server; skipped without either outside CI.</summary>
public sealed class AzuriteAndPostgresFactAttribute : FactAttribute
{
    public AzuriteAndPostgresFactAttribute()
    {
        if ((AzuriteTestStorage.SkipReason ?? PostgresTestDatabase.SkipReason) is { } reason)
        {
            Skip = reason;
        }
    }
}
