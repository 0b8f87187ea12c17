using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using AiTrader.Core.Backtesting.Sweeps;
using AiTrader.Integration.Tests.Service;
using AiTrader.Integration.Tests.TestSupport;
using AiTrader.Integration.Tests.Watchlists;
using AiTrader.Reporting.Sweeps;
using AiTrader.Storage.Security;
using Azure.Storage.Blobs;

namespace AiTrader.Integration.Tests.Cluster;

/// <summary>The cluster as a user starts it: <c>aitrader silo</c> processes on loopback with their membership in Azure Table
/// storage (Azurite's Table service, as CI starts it) or Redis (<c>.ci/redis.sh</c>), and <c>aitrader sweep --cluster</c>
/// or <c>aitrader serve --cluster</c> as clients: one silo killed with SIGKILL mid-sweep, the bars shared through Azure
/// Blob storage, sweep jobs over HTTP; the files are the single-machine run's, byte for byte. Ports 11161-11163 and
/// 30061-30063, away from the defaults a user's own silos take; a cluster id of the test's own, so silos left in the
/// membership by an earlier run are not this cluster's.</summary>
public sealed class ClusterProcessTests : IDisposable
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

    private async Task<RunningCli> StartSiloAsync(int port, int gatewayPort, IReadOnlyDictionary<string, string?>? environment = null,
        string clustering = "azuretable")
    {
        var silo = Start(["silo", "--port", $"{port}", "--gateway-port", $"{gatewayPort}", "--clustering", clustering, "--cluster-id", _clusterId], environment);
        await silo.WaitForLineAsync(l => l.StartsWith($"silo 127.0.0.1:{port} (gateway {gatewayPort}) is up", StringComparison.Ordinal), Patience);
        return silo;
    }

    /// <param name="environment">Variables to set, or (null values) to remove.</param>
    private RunningCli Start(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = CliProcess.StartInfo(args, mergeStandardError: true);
        start.Environment["AITRADER_DATA_DIR"] = Path.Combine(_root, "data");
        start.Environment["AITRADER_ARTIFACTS_DIR"] = Path.Combine(_root, "artifacts");
        if (AzuriteTestStorage.ConnectionString is { } azurite)
        {
            start.Environment[AppSettings.ClusterConnectionStringVariable] = azurite;
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
