using System.CommandLine;
using System.Globalization;
using AiTrader.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace AiTrader.Cli.Commands;

/// <summary><c>aitrader sweep --cluster</c>: the sweep's cells run on the silos of a local cluster (<c>aitrader silo</c>);
/// the ranking and the files are the single-machine sweep's.</summary>
internal static class SweepOnCluster
{
    public static Option<bool> ClusterOption() =>
        new("--cluster") { Description = "Run the cells on the silos of a local cluster (start them with `aitrader silo`); same ranking and files as on one machine." };

    public static Option<string> GatewayPortsOption() =>
        new("--gateway-ports")
        {
            Description = "With --cluster: the silos' gateway ports on 127.0.0.1, a range or a list (30000-30009 or 30000,30001).",
            DefaultValueFactory = _ => $"{ClusterHosting.DefaultGatewayPort}-{ClusterHosting.DefaultGatewayPort + ClusterHosting.LocalSilos - 1}",
        };

    /// <summary>The gateways that answer among <paramref name="portsText"/>; none is a one-line error naming the fix.</summary>
    public static async Task<IReadOnlyList<int>> GatewaysAsync(string portsText, CancellationToken ct)
    {
        var ports = ParsePorts(portsText);
        var open = await ClusterHosting.ListeningPortsAsync(ports, ct);
        return open.Count > 0
            ? open
            : throw new CliException($"no silo is reachable on 127.0.0.1 gateway ports {portsText}; start one with 'aitrader silo' (or name its gateway port with --gateway-ports).");
    }

    /// <summary>Runs <paramref name="prepared"/> on the cluster behind <paramref name="gateways"/> (or, with
    /// <paramref name="table"/>, the silos its membership table lists), with the same progress display as on one
    /// machine; one line on <paramref name="stderr"/> says where the cells ran.</summary>
    public static async Task<SweepOutcome> RunAsync(PreparedSweep prepared, IReadOnlyList<int> gateways, ClusterMembership? table,
        SharedBarCache? shared, int? parallelism, IAnsiConsole console, TextWriter stderr, string label, CancellationToken ct)
    {
        // The bars this command loaded go into the bar cache before the first cell: silos given the same folder
        // (AITRADER_BAR_CACHE) read them as columns instead of each parsing the CSV.
        AiTrader.Core.MarketData.BarFileCache.WaitForPendingWrites();
        var (host, silos) = await ConnectAsync(gateways, table, ct);
        try
        {
            var sweep = Sweep(host, parallelism, silos, line => stderr.WriteLine(line), shared);
            ClusterSweepOutcome outcome;
            try
            {
                outcome = SweepCommand.WithProgress(console, stderr, label, prepared.Total,
                    p => sweep.RunAsync(prepared, p, ct).GetAwaiter().GetResult());
            }
            catch (ClusterSweepException ex)
            {
                throw new CliException(ex.Message);
            }


            await stderr.WriteLineAsync(outcome.Report.Line());
            return outcome.Outcome;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
        }
    }

    /// <summary>A started client of the cluster behind <paramref name="gateways"/> (or <paramref name="table"/>'s) and the
    /// number of silos it found; failing to join is a one-line error.</summary>
    public static async Task<(IHost Host, int Silos)> ConnectAsync(IReadOnlyList<int> gateways, ClusterMembership? table, CancellationToken ct)
    {
        var silos = table is null ? gateways.Count : await ActiveSilosAsync(table, ct);
        var host = ClusterHosting.BuildLocalClient(gateways, logging => logging.ClearProviders(), table);
        var where = table is null ? $"127.0.0.1 gateway ports {string.Join(",", gateways)}" : $"{table}";
        try
        {
            await host.StartAsync(ct);
            return (host, silos);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            host.Dispose();
            throw new CliException($"could not join the cluster through {where} ({ex.Message.TrimEnd('.')}); check that the silos are up ('aitrader silo').");
        }
    }

    /// <summary>A sweep over <paramref name="host"/>'s client: <paramref name="parallelism"/> cells open at once, or the
    /// cores of this machine times the silos.</summary>
    public static ClusterSweep Sweep(IHost host, int? parallelism, int silos, Action<string> log, SharedBarCache? shared) =>
        new(host.Services.GetRequiredService<IClusterClient>(), host.Services.GetService<GatewayLossSignal>())
        {
            MaxInFlight = parallelism ?? Environment.ProcessorCount * Math.Max(1, silos),
            Log = log,
            SharedBars = shared,
        };

    /// <summary>The shared bar cache in Azure Blob storage <paramref name="settings"/> ask for (AITRADER_BAR_CACHE_BLOB),
    /// or null; set without a usable connection string is a one-line error.</summary>
    public static SharedBarCache? Shared(AppSettings settings)
    {
        try
        {
            return SharedBarCache.From(settings);
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ex.Message);
        }
    }

    /// <summary>The active silos <paramref name="table"/> lists; none, or storage that does not answer, is a one-line error.</summary>
    private static async Task<int> ActiveSilosAsync(ClusterMembership table, CancellationToken ct)
    {
        int silos;
        try
        {
            silos = await table.ActiveSilosAsync(ct);
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or AggregateException or StackExchange.Redis.RedisException)
        {
            throw new CliException($"could not read the cluster's membership from {table.Where} ({ex.GetType().Name}); check {AppSettings.ClusterConnectionStringVariable} and that the storage answers.");
        }

        return silos > 0
            ? silos
            : throw new CliException($"no silo of cluster '{table.ClusterId}' is active in {table.Where}; start one with 'aitrader silo --clustering {table.Clustering}' (and the same --cluster-id).");
    }

    private static List<int> ParsePorts(string text)
    {
        var ports = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var dash = part.IndexOf('-', 1);
            var (from, to) = dash > 0 ? (Port(part[..dash]), Port(part[(dash + 1)..])) : (Port(part), Port(part));
            if (to < from || to - from >= 1000)
            {
                throw new CliException($"--gateway-ports '{part}' is not a range of at most 1000 ports low-high; e.g. --gateway-ports 30000-30009.");
            }

            for (var p = from; p <= to; p++)
            {
                ports.Add(p);
            }
        }

        return ports.Count > 0 ? ports : throw new CliException("--gateway-ports is empty; e.g. --gateway-ports 30000-30009.");

        int Port(string value) => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            ? SiloCommand.CheckPort(port, "--gateway-ports")
            : throw new CliException($"--gateway-ports '{text}' is not a port list; e.g. --gateway-ports 30000-30009 or 30000,30001.");
    }
}
