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

    /// <summary>Runs <paramref name="prepared"/> on the cluster behind <paramref name="gateways"/>, with the same progress
    /// display as on one machine; one line on <paramref name="stderr"/> says where the cells ran.</summary>
    public static async Task<SweepOutcome> RunAsync(PreparedSweep prepared, IReadOnlyList<int> gateways, int? parallelism,
        IAnsiConsole console, TextWriter stderr, string label, CancellationToken ct)
    {
        using var host = await ConnectAsync(gateways, ct);
        try
        {
            var sweep = new ClusterSweep(host.Services.GetRequiredService<IClusterClient>(), host.Services.GetService<GatewayLossSignal>())
            {
                MaxInFlight = parallelism ?? Environment.ProcessorCount * gateways.Count,
                Log = line => stderr.WriteLine(line),
            };
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

            var report = outcome.Report;
            await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"cluster: {report.Cells} cells on {report.CellsPerSilo.Count} silos ({string.Join(", ", report.CellsPerSilo.Select(s => $"{s.Key}: {s.Value}"))}); {report.Resubmitted} sent again after a lost silo, {report.Discarded} late duplicates discarded"));
            return outcome.Outcome;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>A started cluster client through <paramref name="gateways"/>; failing to join is a one-line error.</summary>
    public static async Task<IHost> ConnectAsync(IReadOnlyList<int> gateways, CancellationToken ct)
    {
        var host = ClusterHosting.BuildLocalClient(gateways, logging => logging.ClearProviders());
        try
        {
            await host.StartAsync(ct);
            return host;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            host.Dispose();
            throw new CliException($"could not join the cluster through 127.0.0.1 gateway ports {string.Join(",", gateways)} ({ex.Message.TrimEnd('.')}); check that the silos are up ('aitrader silo').");
        }
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
