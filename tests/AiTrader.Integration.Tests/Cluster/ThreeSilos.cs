using Orleans.TestingHost;

namespace AiTrader.Integration.Tests.Cluster;

/// <summary>The in-process test cluster the grain tests share: three silos set up by <typeparamref name="TSilos"/>, and a
/// client with the sweep client's serializer.</summary>
internal static class ThreeSilos
{
    public static async Task<TestCluster> StartAsync<TSilos>(Action<TestClusterBuilder>? configure = null)
        where TSilos : ISiloConfigurator, new()
    {
        var builder = new TestClusterBuilder(3);
        configure?.Invoke(builder);
        builder.AddSiloBuilderConfigurator<TSilos>();
        builder.AddClientBuilderConfigurator<ClusterSweepTests.ClientSettings>();
        var cluster = builder.Build();
        await cluster.DeployAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return cluster;
    }
}
