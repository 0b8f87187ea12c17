using System.CommandLine;
using System.Globalization;
using System.Net;
using AiTrader.Cluster;
using AiTrader.Cluster.Sessions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AiTrader.Cli.Commands;

/// <summary><c>aitrader silo</c>: one silo of an Orleans cluster that runs sweep cells, until Ctrl+C or SIGTERM. On one
/// machine (localhost clustering) the first silo is the primary on the default ports and the next ones join it.</summary>
public static class SiloCommand
{
    public static Command Create(AppSettings settings, TextWriter stdout)
    {
        var port = new Option<int?>("--port") { Description = $"Silo-to-silo port on 127.0.0.1. [default: the first free of {ClusterHosting.DefaultSiloPort}-{ClusterHosting.DefaultSiloPort + ClusterHosting.LocalSilos - 1}]" };
        var gatewayPort = new Option<int?>("--gateway-port") { Description = $"Port clients (sweep --cluster) connect to. [default: {ClusterHosting.DefaultGatewayPort} + the silo's offset from {ClusterHosting.DefaultSiloPort}]" };
        var primaryPort = new Option<int>("--primary-port") { Description = "Silo port of the primary silo, which holds the cluster's membership; the silo on it is the primary.", DefaultValueFactory = _ => ClusterHosting.DefaultSiloPort };
        var membership = new ClusterMembershipOptions();
        var address = new Option<string>("--address") { Description = $"With --clustering {ClusterMembershipOptions.AzureTable} or {ClusterMembershipOptions.Redis}: the IP address the silo advertises to the others and to clients (this machine's address when silos run on several machines).", DefaultValueFactory = _ => "127.0.0.1" };
        var keepAlive = new Option<int>("--session-keep-alive")
        {
            Description = "Seconds between a trading run's keep-alive reminders (trade --cluster): a run whose silo died is resumed on another silo within about this long after the silo is voted dead, with or without its client.",
            DefaultValueFactory = _ => (int)TradingSessionWork.DefaultKeepAlive.TotalSeconds,
        };
        var command = new Command("silo", "Run a silo of a cluster: on one machine (localhost clustering) the first is the primary and the next ones join it; with --clustering azuretable or redis every silo finds the others in Azure Table storage or Redis. `aitrader sweep --cluster` sends its cells to them.")
        {
            port, gatewayPort, primaryPort, membership.Clustering, membership.ClusterId, address, keepAlive,
        };
        command.SetAction(async (parse, ct) =>
        {
            var table = membership.Membership(parse, settings, Address(parse.GetValue(address)!));
            if (table is null && parse.GetResult(address) is { Implicit: false })
            {
                throw new CliException($"--address needs --clustering {ClusterMembershipOptions.AzureTable} or {ClusterMembershipOptions.Redis}; a localhost cluster's silos are on 127.0.0.1.");
            }

            if (table is not null && parse.GetResult(primaryPort) is { Implicit: false })
            {
                throw new CliException($"--primary-port is for a localhost cluster; with --clustering {table.Clustering} no silo is primary (drop it).");
            }

            var keepAliveSeconds = parse.GetValue(keepAlive) is var k and >= 1 and <= 86_400
                ? k
                : throw new CliException($"--session-keep-alive must be 1 to 86400 seconds (got {parse.GetValue(keepAlive)}).");

            // The shared bar cache's settings are checked before the silo starts (its cells read it).
            _ = SweepOnCluster.Shared(settings);
            using var claim = Claim(parse.GetValue(port), parse.GetValue(gatewayPort), parse.GetValue(primaryPort));
            var endpoints = claim.Endpoints;
            if (table is null && endpoints.SiloPort != endpoints.PrimarySiloPort
                && (await ClusterHosting.ListeningPortsAsync([endpoints.PrimarySiloPort], ct)).Count == 0)
            {
                throw new CliException($"no primary silo answers on 127.0.0.1:{endpoints.PrimarySiloPort}; start the first 'aitrader silo' (the primary) before the others, or name its port with --primary-port.");
            }

            // The silo's own lines (membership, load) and nothing of Orleans below critical: a peer's death is reported
            // as a membership change, not as pages of connection errors.
            using var host = ClusterHosting.BuildLocalSilo(endpoints, settings, logging => logging
                .AddFilter((category, level) => category?.StartsWith("AiTrader", StringComparison.Ordinal) == true
                    ? level >= LogLevel.Information
                    : level >= LogLevel.Critical)
                .AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.TimestampFormat = "HH:mm:ss ";
                    o.UseUtcTimestamp = true;
                }), table, TimeSpan.FromSeconds(keepAliveSeconds));
            try
            {
                await host.StartAsync(ct);
            }
            catch (Exception ex) when (table is not null && (ex is not OperationCanceledException || !ct.IsCancellationRequested))
            {
                throw new CliException($"silo {table.Address}:{endpoints.SiloPort} could not join cluster '{table.ClusterId}' through {table.Where} ({ex.GetType().Name}); check {AppSettings.ClusterConnectionStringVariable}, that the {(table is RedisMembership ? "Redis server" : "storage")} answers and that the ports are free.");
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                throw new CliException($"silo 127.0.0.1:{endpoints.SiloPort} could not join the cluster of the primary at 127.0.0.1:{endpoints.PrimarySiloPort} ({ex.GetType().Name}); check that the primary is up and that the ports are free.");
            }

            var role = table is not null ? $"membership in {table.Where}"
                : endpoints.SiloPort == endpoints.PrimarySiloPort ? "primary" : $"joined the primary at 127.0.0.1:{endpoints.PrimarySiloPort}";
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"silo {table?.Address ?? IPAddress.Loopback}:{endpoints.SiloPort} (gateway {endpoints.GatewayPort}) is up in cluster '{table?.ClusterId ?? ClusterHosting.ClusterId}', {role}; Ctrl+C stops it"));
            await stdout.FlushAsync(ct);
            try
            {
                await host.WaitForShutdownAsync(ct);
            }
            finally
            {
                await host.StopAsync(CancellationToken.None);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static LocalSiloClaim Claim(int? port, int? gatewayPort, int primaryPort)
    {
        CheckPort(primaryPort, "--primary-port");
        if (port is null && gatewayPort is null)
        {
            return ClusterHosting.ClaimFreeLocalEndpoints(primaryPort)
                ?? throw new CliException($"ports {ClusterHosting.DefaultSiloPort}-{ClusterHosting.DefaultSiloPort + ClusterHosting.LocalSilos - 1} (or their gateway ports) are all taken; pick free ones with --port and --gateway-port.");
        }

        var silo = CheckPort(port ?? ClusterHosting.DefaultSiloPort, "--port");
        var gateway = CheckPort(gatewayPort ?? ClusterHosting.DefaultGatewayPort + (silo - ClusterHosting.DefaultSiloPort), "--gateway-port");
        if (silo == gateway)
        {
            throw new CliException($"--port and --gateway-port are both {silo}; give the gateway its own port.");
        }

        return LocalSiloClaim.TryClaim(new SiloEndpoints(silo, gateway, primaryPort))
            ?? throw new CliException($"another silo on this machine holds ports {silo} and {gateway}; pick others with --port and --gateway-port.");
    }

    private static IPAddress Address(string text) =>
        IPAddress.TryParse(text.Trim(), out var ip) && !ip.Equals(IPAddress.Any) && !ip.Equals(IPAddress.IPv6Any)
            ? ip
            : throw new CliException($"--address must be an IP address other computers reach this silo at, e.g. 10.0.0.5 (got '{text}').");

    internal static int CheckPort(int port, string flag) =>
        port is >= 1 and <= 65535 ? port : throw new CliException($"{flag} must be a TCP port, 1 to 65535 (got {port}).");
}
