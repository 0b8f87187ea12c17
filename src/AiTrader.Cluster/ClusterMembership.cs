using System.Net;

namespace AiTrader.Cluster;

/// <summary>Where a cluster's silos write themselves and find each other when they may run on several machines (no
/// silo is special): Azure Table storage (<see cref="AzureTableMembership"/>) or Redis (<see cref="RedisMembership"/>).
/// The connection string behind it is a secret: <see cref="Where"/> names the endpoint alone.</summary>
public abstract class ClusterMembership
{
    /// <summary>The cluster's id: silos and clients with the same id form one cluster.</summary>
    public abstract string ClusterId { get; }

    /// <summary>The address a silo advertises to the others and to clients.</summary>
    public abstract IPAddress Address { get; }

    /// <summary>Where the membership lives, without the secret: "Azure Table storage at 127.0.0.1:10002".</summary>
    public abstract string Where { get; }

    /// <summary>The <c>--clustering</c> value that asks for this membership (for messages that say how to start a silo).</summary>
    public abstract string Clustering { get; }

    public override string ToString() => $"{Where}, cluster '{ClusterId}'";

    /// <summary>The silos listed as active in this cluster (a silo killed moments ago may still be among them, until the
    /// others vote it dead); read before a client starts, which otherwise waits minutes for a gateway no silo offers.</summary>
    public abstract Task<int> ActiveSilosAsync(CancellationToken ct);

    /// <summary>Makes <paramref name="silo"/> a member of this cluster listening on <paramref name="endpoints"/>' silo and
    /// gateway ports.</summary>
    internal abstract void ConfigureSilo(ISiloBuilder silo, SiloEndpoints endpoints);

    /// <summary>Makes <paramref name="client"/> a client of this cluster: the gateways are the active silos listed.</summary>
    internal abstract void ConfigureClient(IClientBuilder client);
}
