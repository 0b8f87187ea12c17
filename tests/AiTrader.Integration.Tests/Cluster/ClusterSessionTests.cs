using AiTrader.Application.Sessions;
using AiTrader.Cluster;
using AiTrader.Cluster.Sessions;
using AiTrader.Core.Journal;
using AiTrader.Integration.Tests.Storage;
using AiTrader.Integration.Tests.TestSupport;
using AiTrader.Storage;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace AiTrader.Integration.Tests.Cluster;

/// <summary>A trading session as a grain on an in-process cluster of three real silos (Orleans' TestingHost), its journal
/// in a PostgreSQL database of its own: a paced paper replay whose silo is stopped (or killed) mid-replay is taken up by
/// another silo, which resumes the run with <c>trade</c>'s resume logic; the journal equals that of the same run driven
/// uninterrupted on one machine, entry for entry (no order lost or sent twice).</summary>
public sealed class ClusterSessionTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("aitrader-cluster-session-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <param name="kill">Kill the silo (TestingHost's ungraceful stop: no deactivation of its grains) rather than stop it.</param>
    [PostgresTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_run_whose_silo_stops_mid_replay_resumes_on_another_silo_and_journals_what_an_uninterrupted_run_does(bool kill)
    {
        await using var singleDb = await PostgresTestDatabase.CreateScratchAsync("clus_single");
        await using var clusterDb = await PostgresTestDatabase.CreateScratchAsync("clus_grain");
        var clusterSettings = Settings("cluster");
        (SessionSilos.Settings, SessionSilos.DatabaseUrl) = (clusterSettings, clusterDb.Url);
        await using var cluster = await ThreeSilos.StartAsync<SessionSilos>();

        // A run id whose activation is not on the primary silo (which holds the test cluster's membership).
        var primary = cluster.Primary!.SiloAddress.Endpoint.ToString();
        var runId = "";
        for (var i = 0; runId.Length == 0; i++)
        {
            Assert.True(i < 30, "30 run ids all placed on the primary silo");
            var candidate = $"cluster-session-{i}";
            if (await cluster.Client.GetGrain<ITradingSessionGrain>(candidate).Silo() != primary)
            {
                runId = candidate;
            }
        }

        var spec = new ReplaySessionSpec
        {
            Symbols = ["SPY", "IBM"],
            From = "2013-10-07",
            To = "2013-10-08",
            Parameters = new Dictionary<string, string> { ["lookback"] = "10" },
            RunId = runId,
        };
        // Paced at about 10 ms a bar time, so the silo can be stopped mid-replay.
        var paced = (spec with { Speed = "6000" }).ToJson();
        var grain = cluster.Client.GetGrain<ITradingSessionGrain>(runId);
        var status = await grain.Drive(paced);
        var firstSilo = status.Silo;
        while (status.State == SessionDriveStatus.Running && status.BarsProcessed < 200)
        {
            await Task.Delay(50);
            status = await grain.Drive(paced);
        }

        Assert.Equal(SessionDriveStatus.Running, status.State);
        var stoppedAt = status.BarsProcessed;
        var victim = cluster.Silos.Single(s => s.SiloAddress.Endpoint.ToString() == firstSilo);
        await (kill ? cluster.KillSiloAsync(victim) : cluster.StopSiloAsync(victim)).WaitAsync(TimeSpan.FromSeconds(60));
        var ordersBeforeTheStop = (await JournalOf(clusterDb.Url, clusterSettings.DataDir)).Count(e => e.Kind == JournalKind.Order);

        status = await FollowToTheEndAsync(grain, paced);
        output.WriteLine($"{(kill ? "killed" : "stopped")} {firstSilo} after {stoppedAt} bar times; resumed on {status.Silo}: {status.State} {status.Error}");
        Assert.True(status.State == SessionDriveStatus.Finished, status.Error);
        Assert.NotEqual(firstSilo, status.Silo);
        Assert.True(status.Resumed);

        var singleSettings = Settings("single");
        var single = await new TradingSessions(singleSettings, () => JournalFactory.Create(singleDb.Url, singleSettings.DataDir)).RunAsync(spec.ToRequest());
        Assert.Equal(single.Result.FinalEquity, status.FinalEquity);

        var expected = await JournalOf(singleDb.Url, singleSettings.DataDir);
        var actual = await JournalOf(clusterDb.Url, clusterSettings.DataDir);
        output.WriteLine($"orders before the stop: {ordersBeforeTheStop}");
        // The stop came mid-replay: orders journaled before it, and more after.
        var orderCount = expected.Count(e => e.Kind == JournalKind.Order);
        Assert.InRange(ordersBeforeTheStop, 1, orderCount - 1);
        Assert.Equal(orderCount, actual.Count(e => e.Kind == JournalKind.Order));
        Assert.Equal(expected, actual);
        // Each journaled event once: no event key twice (the key the resume's de-duplication goes by).
        var keys = actual.Select(e => e.EventKey).OfType<string>().ToList();
        Assert.NotEmpty(keys);
        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    /// <summary>Calls the run's grain until its driver finishes; calls that find a silo on its way out are tried again.</summary>
    private static async Task<SessionDriveStatus> FollowToTheEndAsync(ITradingSessionGrain grain, string spec)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (true)
        {
            Assert.True(DateTime.UtcNow < deadline, "the run did not finish within 120 s after its silo stopped");
            try
            {
                var status = await grain.Drive(spec);
                if (status.State != SessionDriveStatus.Running)
                {
                    return status;
                }
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                // The call reached the stopping silo or its directory entry; the next one finds a live silo.
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The journal's entries without their store ids: what was decided, ordered and filled, when, and why.</summary>
    internal static async Task<IReadOnlyList<JournalEntry>> JournalOf(string url, string dataDir)
    {
        await using var journal = JournalFactory.Create(url, dataDir);
        var entries = await journal.QueryAsync(JournalQuery.All);
        return [.. entries.Select(e => e with { Id = 0 })];
    }

    private AppSettings Settings(string name) => new()
    {
        DataDir = Path.Combine(_root, name),
        ArtifactsDir = Path.Combine(_root, name, "artifacts"),
        SampleDataDir = TestPaths.SampleRoot,
    };

    /// <summary>The silos, as <c>aitrader silo</c> sets them up, sharing the test's data folder and journal database.</summary>
    public sealed class SessionSilos : ISiloConfigurator
    {
        public static AppSettings Settings { get; set; } = null!;

        public static string? DatabaseUrl { get; set; }

        public void Configure(ISiloBuilder siloBuilder) =>
            siloBuilder.AddSweepCells(ClusterSweepTests.SiloSettings.Settings).AddTradingSessions(Settings, DatabaseUrl).UseInMemoryReminderService();
    }
}
