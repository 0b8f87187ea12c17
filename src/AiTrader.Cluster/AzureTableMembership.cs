using System.Net;
using AiTrader.Application;
using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Orleans.Configuration;

namespace AiTrader.Cluster;

/// <summary>Membership in Azure Table storage, for silos on several machines (or several on one, with no primary): every
/// silo writes itself into the table (<see cref="TableName"/>, one partition per cluster id) and finds the others there;
/// a client reads the silos' gateways from it. Azurite's Table service stands in for Azure on a developer's machine and
/// in CI.</summary>
/// <remarks>The connection string is a secret (it carries the account key): it is never printed, logged or put in a
/// message; <see cref="ToString"/> names the table endpoint's host alone.</remarks>
public sealed class AzureTableMembership : ClusterMembership
{
    private const string ConnectionStringVariable = AppSettings.ClusterConnectionStringVariable;

    /// <summary>The table the silos write themselves into (Orleans' default name).</summary>
    public const string TableName = "OrleansSiloInstances";

    private readonly TableServiceClient _tables;

    /// <param name="connectionString">The storage account's connection string (Azure, or Azurite's with a TableEndpoint).</param>
    /// <param name="clusterId">The cluster's id: silos and clients with the same id form one cluster (one partition of
    /// the table).</param>
    /// <param name="address">The address a silo advertises to the others and to clients: loopback for silos on one
    /// machine, the machine's own address for silos on several.</param>
    /// <exception cref="ArgumentException">The connection string is not one (the message does not repeat it).</exception>
    public AzureTableMembership(string connectionString, string clusterId, IPAddress address)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterId);
        ArgumentNullException.ThrowIfNull(address);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new ArgumentException($"{ConnectionStringVariable} is not set; set it to the storage account's connection string (Azurite's for a trial: bash .ci/azurite.sh prints one).");
        }

        try
        {
            // Few retries with a short timeout: a wrong endpoint fails the silo's start in seconds, not minutes.
            var options = new TableClientOptions();
            options.Retry.MaxRetries = 3;
            options.Retry.Mode = RetryMode.Exponential;
            options.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
            _tables = new TableServiceClient(connectionString, options);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            throw new ArgumentException($"{ConnectionStringVariable} is not an Azure Storage connection string; copy it from the storage account's access keys (or Azurite's).", ex);
        }

        ClusterId = clusterId;
        Address = address;
    }

    public override string ClusterId { get; }

    public override IPAddress Address { get; }

    public override string Where => $"Azure Table storage at {_tables.Uri.Authority}";

    public override string Clustering => "azuretable";

    public override async Task<int> ActiveSilosAsync(CancellationToken ct)
    {
        try
        {
            var table = _tables.GetTableClient(TableName);
            var active = 0;
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ClusterId} and Status eq {"Active"}");
            await foreach (var _ in table.QueryAsync<TableEntity>(filter, select: ["Status"], cancellationToken: ct))
            {
                active++;
            }

            return active;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No silo ever started against this account: the table is not there yet.
            return 0;
        }
    }

    /// <summary>Makes <paramref name="silo"/> a member of this cluster listening on <paramref name="endpoints"/>' silo and
    /// gateway ports, its reminders (the trading runs' keep-alives) in the same storage account, so that they outlive any
    /// one silo.</summary>
    internal override void ConfigureSilo(ISiloBuilder silo, SiloEndpoints endpoints)
    {
        silo.UseAzureStorageClustering(o =>
        {
            o.TableServiceClient = _tables;
            o.TableName = TableName;
        });
        silo.UseAzureTableReminderService(o => o.TableServiceClient = _tables);
        silo.Configure<ClusterOptions>(Ids);
        silo.ConfigureEndpoints(Address, endpoints.SiloPort, endpoints.GatewayPort, listenOnAnyHostAddress: !IPAddress.IsLoopback(Address));
    }

    internal override void ConfigureClient(IClientBuilder client)
    {
        client.UseAzureStorageClustering(o =>
        {
            o.TableServiceClient = _tables;
            o.TableName = TableName;
        });
        client.Configure<ClusterOptions>(Ids);
        // A silo that died stays in the table until the others vote it dead; read the table often so a client drops it soon.
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
    }

    private void Ids(ClusterOptions o)
    {
        o.ClusterId = ClusterId;
        // The reminders are kept per service id: two clusters on one storage account must not tick each other's runs.
        o.ServiceId = ClusterId;
    }
}
