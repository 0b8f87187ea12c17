using System.Net;
using System.Text.Json;
using AiTrader.Application;
using Microsoft.Extensions.Hosting;
using Orleans.Clustering.Redis;
using Orleans.Configuration;
using StackExchange.Redis;

namespace AiTrader.Cluster;

/// <summary>Membership in Redis, the self-hosted alternative to Azure Table storage: every silo writes itself into one
/// hash per cluster (<see cref="Key"/>) and finds the others there; a client reads the silos' gateways from it. Debian's
/// <c>redis-server</c> serves it on a developer's machine and in CI.</summary>
/// <remarks>The connection string (StackExchange.Redis' form, <c>host:port[,password=...]</c>) may carry a password: it
/// is never printed, logged or put in a message; <see cref="Where"/> names the first endpoint alone.</remarks>
public sealed class RedisMembership : ClusterMembership
{
    private readonly ConfigurationOptions _options;

    /// <param name="connectionString">Redis' address in StackExchange.Redis' form, e.g. <c>127.0.0.1:6380</c>.</param>
    /// <param name="clusterId">The cluster's id: silos and clients with the same id form one cluster (one hash).</param>
    /// <param name="address">The address a silo advertises (loopback for silos on one machine).</param>
    /// <exception cref="ArgumentException">The connection string is not one (the message does not repeat it).</exception>
    public RedisMembership(string connectionString, string clusterId, IPAddress address)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        ArgumentNullException.ThrowIfNull(address);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new ArgumentException($"{AppSettings.ClusterConnectionStringVariable} is not set; set it to the Redis server's address, e.g. 127.0.0.1:6379 (bash .ci/redis.sh prints one).");
        }

        try
        {
            _options = ConfigurationOptions.Parse(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or RedisConnectionException)
        {
            throw new ArgumentException($"{AppSettings.ClusterConnectionStringVariable} is not a Redis address; give host:port, e.g. 127.0.0.1:6379.", ex);
        }

        if (_options.EndPoints.Count == 0)
        {
            throw new ArgumentException($"{AppSettings.ClusterConnectionStringVariable} names no Redis server; give host:port, e.g. 127.0.0.1:6379.");
        }

        // A server that does not answer fails a silo's start in seconds, not minutes.
        _options.ConnectTimeout = 5_000;
        _options.AbortOnConnectFail = false;
        ClusterId = clusterId;
        Address = address;
    }

    public override string ClusterId { get; }

    public override IPAddress Address { get; }

    public override string Where => $"Redis at {EndPointText(_options.EndPoints[0])}";

    public override string Clustering => "redis";

    /// <summary>The hash the cluster's silos write themselves into.</summary>
    public string Key => $"aitrader-cluster:{ClusterId}:members";

    public override async Task<int> ActiveSilosAsync(CancellationToken ct)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(Options()).WaitAsync(ct);
        if (!connection.IsConnected)
        {
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, $"{Where} does not answer");
        }

        var rows = await connection.GetDatabase().HashGetAllAsync(Key).WaitAsync(ct);
        return rows.Count(row => row.Name != "Version" && IsActive(row.Value.ToString()));
    }

    internal override void ConfigureSilo(ISiloBuilder silo, SiloEndpoints endpoints)
    {
        silo.UseRedisClustering(Configure);
        // The trading runs' keep-alive reminders in the same server, so they outlive any one silo (as with Azure Table).
        silo.UseRedisReminderService(o => o.ConfigurationOptions = Options());
        silo.Configure<ClusterOptions>(Ids);
        silo.ConfigureEndpoints(Address, endpoints.SiloPort, endpoints.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(Address));
    }

    internal override void ConfigureClient(IClientBuilder client)
    {
        client.UseRedisClustering(Configure);
        client.Configure<ClusterOptions>(Ids);
        // A silo that died stays listed until the others vote it dead; read the list often so a client drops it soon.
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
    }

    private void Configure(RedisClusteringOptions o)
    {
        o.ConfigurationOptions = Options();
        o.CreateRedisKey = _ => Key;
    }

    private ConfigurationOptions Options() => _options.Clone();

    private static string EndPointText(EndPoint endpoint) => endpoint switch
    {
        IPEndPoint ip => ip.ToString(),
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => endpoint.ToString() ?? "",
    };

    private void Ids(ClusterOptions o)
    {
        o.ClusterId = ClusterId;
        o.ServiceId = ClusterHosting.ServiceId;
    }

    /// <summary>Whether a membership row (Orleans' JSON of a silo's entry) says the silo is active.</summary>
    private static bool IsActive(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.TryGetProperty("Status", out var status)
                && (status.ValueKind == JsonValueKind.Number ? status.GetInt32() == (int)SiloStatus.Active : status.GetString() == nameof(SiloStatus.Active));
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
