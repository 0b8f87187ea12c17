using System.Net;
using System.Net.Sockets;
using AiTrader.Application;
using AiTrader.Cluster.Scans;
using AiTrader.Cluster.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Serialization;

namespace AiTrader.Cluster;

/// <summary>Where one silo listens on loopback: <paramref name="SiloPort"/> for the other silos,
/// <paramref name="GatewayPort"/> for clients, and the primary silo's port, where membership lives in a localhost cluster.</summary>
public sealed record SiloEndpoints(int SiloPort, int GatewayPort, int PrimarySiloPort);

/// <summary>The cluster's configuration, in one place for the silos, the clients and the tests: cluster and service ids,
/// the default ports of a one-machine (localhost) cluster, the grains' services and the serializer.</summary>
public static class ClusterHosting
{
    public const string ClusterId = "aitrader";
    public const string ServiceId = "aitrader";

    /// <summary>The first silo's silo port; the next silos take the ports after it.</summary>
    public const int DefaultSiloPort = 11111;

    /// <summary>The first silo's gateway port; the next silos take the ports after it.</summary>
    public const int DefaultGatewayPort = 30000;

    /// <summary>How many ports after the defaults a silo tries, and a client looks at, on one machine.</summary>
    public const int LocalSilos = 10;

    /// <summary>How long a client waits for one cell before it takes the silo for hung and runs the cell elsewhere.</summary>
    public static readonly TimeSpan CellTimeout = TimeSpan.FromMinutes(15);

    /// <summary>Adds what the sweep cells need to a silo: the cell service (over <paramref name="settings"/>' bars and
    /// cache) and the serializer.</summary>
    public static ISiloBuilder AddSweepCells(this ISiloBuilder silo, AppSettings settings)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddSingleton(new SweepCellWork(settings));
        silo.Services.AddSerializer(ClusterSerialization.Add);
        return silo;
    }

    /// <summary>Adds what a sweep needs to a client: the serializer, the <see cref="GatewayLossSignal"/> and the cell timeout.</summary>
    public static IClientBuilder AddSweepClient(this IClientBuilder client)
    {
        ArgumentNullException.ThrowIfNull(client);
        client.Services.AddSerializer(ClusterSerialization.Add);
        var losses = new GatewayLossSignal();
        client.Services.AddSingleton(losses);
        client.AddGatewayCountChangedHandler(losses.OnGatewayCountChanged);
        // A cell may run for minutes on a long series; a lost silo is noticed through its dropped connection instead.
        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = CellTimeout);
        return client;
    }

    /// <summary>A silo of a localhost cluster at <paramref name="endpoints"/> (or, with <paramref name="table"/>, of the
    /// cluster whose membership is in Azure Table storage or Redis), logging membership and load through <paramref name="logging"/>;
    /// <paramref name="sessionKeepAlive"/> is the trading runs' keep-alive period (<see cref="TradingSessionWork.KeepAlive"/>).</summary>
    public static IHost BuildLocalSilo(SiloEndpoints endpoints, AppSettings settings, Action<ILoggingBuilder> logging,
        ClusterMembership? table = null, TimeSpan? sessionKeepAlive = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        logging(builder.Logging);
        builder.UseOrleans(silo =>
        {
            if (table is not null)
            {
                table.ConfigureSilo(silo, endpoints);
            }
            else
            {
                silo.UseLocalhostClustering(endpoints.SiloPort, endpoints.GatewayPort, new IPEndPoint(IPAddress.Loopback, endpoints.PrimarySiloPort),
                    ServiceId, ClusterId);
                silo.Configure<EndpointOptions>(o => o.AdvertisedIPAddress = IPAddress.Loopback);
                // The primary holds the membership; the reminders live as long as the cluster does, in memory.
                silo.UseInMemoryReminderService();
            }

            silo.AddSweepCells(settings);
            silo.AddUniverseScans(settings);
            silo.AddTradingSessions(settings, Environment.GetEnvironmentVariable("DATABASE_URL"), sessionKeepAlive);
        });
        builder.Services.AddHostedService<SiloActivityLog>();
        return builder.Build();
    }

    /// <summary>A client of a localhost cluster through the gateways at <paramref name="gatewayPorts"/> (or, with
    /// <paramref name="table"/>, through the gateways its membership lists).</summary>
    public static IHost BuildLocalClient(IReadOnlyList<int> gatewayPorts, Action<ILoggingBuilder> logging, ClusterMembership? table = null)
    {
        ArgumentNullException.ThrowIfNull(gatewayPorts);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        logging(builder.Logging);
        builder.UseOrleansClient(client =>
        {
            if (table is not null)
            {
                table.ConfigureClient(client);
            }
            else
            {
                client.UseLocalhostClustering([.. gatewayPorts], ServiceId, ClusterId);
            }

            client.AddSweepClient();
        });
        return builder.Build();
    }

    /// <summary>Claims the first free pair of ports from the defaults on: the first silo on a machine becomes the primary
    /// on the default ports, the next ones join it on the ports after. Null when all <see cref="LocalSilos"/> are taken.
    /// The claim is an exclusive lock file per pair, held until disposed (or the process ends, however it ends), so silos
    /// started at the same moment do not pick the same ports.</summary>
    public static LocalSiloClaim? ClaimFreeLocalEndpoints(int primarySiloPort = DefaultSiloPort)
    {
        for (var i = 0; i < LocalSilos; i++)
        {
            var endpoints = new SiloEndpoints(DefaultSiloPort + i, DefaultGatewayPort + i, primarySiloPort);
            if (LocalSiloClaim.TryClaim(endpoints) is { } claim)
            {
                if (IsFree(endpoints.SiloPort) && IsFree(endpoints.GatewayPort))
                {
                    return claim;
                }

                claim.Dispose();
            }
        }

        return null;
    }

    /// <summary>The ports among <paramref name="candidates"/> where something accepts a connection on loopback (a silo's
    /// gateway, if the user started one there).</summary>
    public static async Task<IReadOnlyList<int>> ListeningPortsAsync(IEnumerable<int> candidates, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var probes = candidates.Select(async port =>
        {
            using var tcp = new TcpClient();
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(2));
                await tcp.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
                return port;
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                return -1;
            }
        }).ToArray();
        var open = await Task.WhenAll(probes);
        return [.. open.Where(p => p > 0)];
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>A silo's hold on its local ports (see <see cref="ClusterHosting.ClaimFreeLocalEndpoints"/>).</summary>
public sealed class LocalSiloClaim : IDisposable
{
    private readonly FileStream _lock;

    private LocalSiloClaim(SiloEndpoints endpoints, FileStream lockFile)
    {
        Endpoints = endpoints;
        _lock = lockFile;
    }

    public SiloEndpoints Endpoints { get; }

    /// <summary>Claims exactly <paramref name="endpoints"/>; null when another silo on this machine holds them.</summary>
    public static LocalSiloClaim? TryClaim(SiloEndpoints endpoints)
    {
        var path = Path.Combine(Path.GetTempPath(), $"aitrader-silo-{endpoints.SiloPort}-{endpoints.GatewayPort}.lock");
        try
        {
            return new LocalSiloClaim(endpoints, new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose));
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Dispose() => _lock.Dispose();
}
