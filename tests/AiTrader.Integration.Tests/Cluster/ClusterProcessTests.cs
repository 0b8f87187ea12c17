using System.Collections.Concurrent;
using System.Diagnostics;
using AiTrader.Integration.Tests.TestSupport;
using AiTrader.Integration.Tests.Watchlists;
using AiTrader.Reporting.Sweeps;

namespace AiTrader.Integration.Tests.Cluster;

/// <summary>The cluster as a user starts it: three <c>aitrader silo</c> processes on loopback with their membership in
/// Azure Table storage (Azurite's Table service, as CI starts it), <c>aitrader sweep --cluster</c> as a fourth, one silo
/// killed with SIGKILL mid-sweep; the ranked CSV is the single-machine sweep's, byte for byte. Ports 11161-11163 and
/// 30061-30063, away from the defaults a user's own silos take; a cluster id of the test's own, so silos left in the
/// table by an earlier run are not this cluster's.</summary>
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

    private async Task<RunningCli> StartSiloAsync(int port, int gatewayPort)
    {
        var silo = Start(["silo", "--port", $"{port}", "--gateway-port", $"{gatewayPort}", "--clustering", "azuretable", "--cluster-id", _clusterId]);
        await silo.WaitForLineAsync(l => l.StartsWith($"silo 127.0.0.1:{port} (gateway {gatewayPort}) is up", StringComparison.Ordinal), Patience);
        return silo;
    }

    private RunningCli Start(IEnumerable<string> args)
    {
        var start = CliProcess.StartInfo(args, mergeStandardError: true);
        start.Environment["AITRADER_DATA_DIR"] = Path.Combine(_root, "data");
        start.Environment["AITRADER_ARTIFACTS_DIR"] = Path.Combine(_root, "artifacts");
        start.Environment[AppSettings.ClusterConnectionStringVariable] = AzuriteTestStorage.Require();
        var running = new RunningCli(start);
        _processes.Add(running.Process);
        return running;
    }

    /// <summary>A CLI process whose merged output is collected line by line as it comes.</summary>
    private sealed class RunningCli
    {
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly SemaphoreSlim _newLine = new(0);

        public RunningCli(ProcessStartInfo start)
        {
            Process = new Process { StartInfo = start };
            Process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    _lines.Enqueue(line);
                    _newLine.Release();
                }
            };
            Process.Start();
            Process.BeginOutputReadLine();
        }

        public Process Process { get; }

        public string Text => string.Join('\n', _lines);

        public async Task WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            while (!_lines.Any(match))
            {
                try
                {
                    await _newLine.WaitAsync(TimeSpan.FromMilliseconds(500), cts.Token);
                }
                catch (OperationCanceledException)
                {
                    Assert.Fail($"no such line within {timeout.TotalSeconds} s; the process wrote:\n{Text}");
                }

                Assert.False(Process.HasExited && !_lines.Any(match), $"the process ended (exit {(Process.HasExited ? Process.ExitCode : 0)}) without the line:\n{Text}");
            }
        }

        public async Task<int> ExitAsync(TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            await Process.WaitForExitAsync(cts.Token);
            Process.WaitForExit();
            return Process.ExitCode;
        }
    }
}
