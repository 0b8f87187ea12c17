using System.CommandLine;
using System.Net;
using System.Text.RegularExpressions;
using AiTrader.Cluster;

namespace AiTrader.Cli.Commands;

/// <summary>How a silo or a client finds the cluster, the same flags on <c>aitrader silo</c> and <c>sweep --cluster</c>:
/// <c>--clustering localhost</c> (one machine, a primary silo holds the membership), <c>azuretable</c> (membership in
/// Azure Table storage) or <c>redis</c> (in Redis), both through AITRADER_CLUSTER_CONNECTION_STRING, and <c>--cluster-id</c>.</summary>
internal sealed partial class ClusterMembershipOptions
{
    public const string Localhost = "localhost";
    public const string AzureTable = "azuretable";
    public const string Redis = "redis";

    public Option<string> Clustering { get; } = new("--clustering")
    {
        Description = $"Where the cluster's membership lives: {Localhost} (one machine; the primary silo holds it), {AzureTable} (Azure Table storage) or {Redis} (a Redis server), both at {AppSettings.ClusterConnectionStringVariable}; silos on any machines.",
        DefaultValueFactory = _ => Localhost,
    };

    public Option<string?> ClusterId { get; } = new("--cluster-id")
    {
        Description = $"With --clustering {AzureTable} or {Redis}: the cluster's id; silos and clients with the same id form one cluster. [default: {ClusterHosting.ClusterId}]",
    };

    /// <summary>The membership asked for (Azure Table storage or Redis), or null for a localhost cluster; a bad value is one
    /// line naming the fix.</summary>
    /// <param name="address">The address a silo advertises (a client passes loopback: it advertises nothing).</param>
    public ClusterMembership? Membership(ParseResult parse, AppSettings settings, IPAddress address)
    {
        var clustering = parse.GetValue(Clustering)!.Trim().ToLowerInvariant();
        var id = parse.GetValue(ClusterId);
        switch (clustering)
        {
            case Localhost:
                return id is null ? null : throw new CliException($"--cluster-id needs --clustering {AzureTable} or {Redis}; a localhost cluster is always '{ClusterHosting.ClusterId}'.");
            case AzureTable or Redis:
                break;
            default:
                throw new CliException($"--clustering must be {Localhost}, {AzureTable} or {Redis} (got '{parse.GetValue(Clustering)}').");
        }

        id ??= ClusterHosting.ClusterId;
        if (!IdPattern().IsMatch(id))
        {
            throw new CliException($"--cluster-id '{id}' must be 1 to 63 letters, digits, '-', '_' or '.'; e.g. --cluster-id research.");
        }

        if (settings.ClusterConnectionString is not { } connection)
        {
            throw new CliException(clustering == Redis
                ? $"--clustering {Redis} needs {AppSettings.ClusterConnectionStringVariable}: set it to the Redis server's address, e.g. 127.0.0.1:6379 (bash .ci/redis.sh starts one and prints it)."
                : $"--clustering {AzureTable} needs {AppSettings.ClusterConnectionStringVariable}: set it to the storage account's connection string (Azurite's for a trial: bash .ci/azurite.sh prints one).");
        }

        try
        {
            return clustering == Redis ? new RedisMembership(connection, id, address) : new AzureTableMembership(connection, id, address);
        }
        catch (ArgumentException ex)
        {
            throw new CliException(ex.Message);
        }
    }

    /// <summary>Where a client command's <c>--cluster</c> joins: the gateways that answer among <paramref name="gatewayPorts"/>
    /// on loopback (localhost clustering), or the membership in Azure Table storage or Redis (no gateway list: it names them). Without
    /// <c>--cluster</c> both are empty, and the membership flags are refused.</summary>
    public async Task<(IReadOnlyList<int> Gateways, ClusterMembership? Table)> ClientAsync(ParseResult parse, AppSettings settings, bool onCluster,
        Option<string> gatewayPorts, CancellationToken ct)
    {
        if (!onCluster && new Option[] { Clustering, ClusterId, gatewayPorts }.Any(o => parse.GetResult(o) is { Implicit: false }))
        {
            throw new CliException("--gateway-ports, --clustering and --cluster-id need --cluster.");
        }

        var table = Membership(parse, settings, IPAddress.Loopback);

        return onCluster && table is null ? (await SweepOnCluster.GatewaysAsync(parse.GetValue(gatewayPorts)!, ct), null) : ([], table);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,63}$")]
    private static partial Regex IdPattern();
}
