using AiTrader.Integration.Tests.Storage;
using AiTrader.Storage;
using AiTrader.Storage.Jobs;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AiTrader.Integration.Tests.Jobs;

/// <summary>The service's jobs on both backends: listing newest first with filters and a cursor, one-way state
/// transitions, progress that never goes down, and recovery of what a stopped process left unfinished.</summary>
public sealed class JobStoreTests
{
    private sealed class StoreUnderTest : IAsyncDisposable
    {
        private readonly TempDirectory _dir = new();
        private readonly string _schema = "jobs_test_" + Guid.NewGuid().ToString("N")[..12];

        public StoreUnderTest(string backend)
        {
            Backend = backend;
            Store = backend == "postgres"
                ? new PostgresJobStore(PostgresTestDatabase.RequireUrl(), _schema)
                : JobStoreFactory.Create(null, _dir.Path);
        }

        public string Backend { get; }

        public IJobStore Store { get; }

        public async ValueTask DisposeAsync()
        {
            await Store.DisposeAsync();
            if (Backend == "postgres")
            {
                await using var connection = new NpgsqlConnection(PostgresConnectionString.FromDatabaseUrl(PostgresTestDatabase.RequireUrl()));
                await connection.OpenAsync();
                await using var drop = connection.CreateCommand();
                drop.CommandText = $"DROP SCHEMA IF EXISTS {_schema} CASCADE";
                await drop.ExecuteNonQueryAsync();
            }

            SqliteConnection.ClearAllPools();
            _dir.Dispose();
        }
    }

    [Theory]
    [InlineData("sqlite")]
    [PostgresData]
    public async Task Jobs_are_listed_newest_first_by_kind_and_state_a_page_at_a_time(string backend)
    {
        await using var t = new StoreUnderTest(backend);
        Assert.Empty(await t.Store.ListAsync(new JobQuery()));
        Assert.Null(await t.Store.GetAsync("job_20200101000000000_00000000"));

        var created = new List<JobRecord>();
        for (var i = 0; i < 7; i++)
        {
            created.Add(await t.Store.CreateAsync(i % 3 == 2 ? "sweep" : "backtest", $$"""{"n": {{i}}}"""));
        }

        var first = created[0];
        Assert.Matches("^job_[0-9]{17}_[0-9a-f]{8}$", first.Id);
        Assert.True(JobIds.IsWellFormed(first.Id));
        Assert.Equal(JobState.Queued, first.State);
        Assert.Equal(first, await t.Store.GetAsync(first.Id));
        Assert.Equal(created.Select(j => j.Id).Order(StringComparer.Ordinal), created.Select(j => j.Id)); // id order is creation order
        Assert.Equal(DateTimeKind.Utc, (await t.Store.GetAsync(first.Id))!.CreatedUtc.Kind);

        var all = await t.Store.ListAsync(new JobQuery());
        Assert.Equal(created.Select(j => j.Id).Reverse(), all.Select(j => j.Id));

        // Pages of 3 with the last id as the cursor: every job once, newest first.
        var paged = new List<string>();
        string? before = null;
        while (true)
        {
            var page = await t.Store.ListAsync(new JobQuery(Limit: 3, Before: before));
            if (page.Count == 0)
            {
                break;
            }

            Assert.True(page.Count <= 3);
            paged.AddRange(page.Select(j => j.Id));
            before = page[^1].Id;
        }

        Assert.Equal(all.Select(j => j.Id), paged);

        Assert.Equal([created[5].Id, created[2].Id], (await t.Store.ListAsync(new JobQuery(Kind: "sweep"))).Select(j => j.Id));
        Assert.True(await t.Store.StartAsync(created[1].Id));
        Assert.Equal([created[1].Id], (await t.Store.ListAsync(new JobQuery(State: JobState.Running))).Select(j => j.Id));
        Assert.Equal([created[1].Id], (await t.Store.ListAsync(new JobQuery(Kind: "backtest", State: JobState.Running))).Select(j => j.Id));
        Assert.Empty(await t.Store.ListAsync(new JobQuery(Kind: "sweep", State: JobState.Running)));
        Assert.Equal([created[3].Id], (await t.Store.ListAsync(new JobQuery(Kind: "backtest", Limit: 1, Before: created[4].Id))).Select(j => j.Id));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => t.Store.ListAsync(new JobQuery(Limit: 0)));
        // A store serves one job more than the largest page (the API asks for it to learn whether another page follows).
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => t.Store.ListAsync(new JobQuery(Limit: JobQuery.MaxLimit + 2)));
        Assert.Equal(7, (await t.Store.ListAsync(new JobQuery(Limit: JobQuery.MaxLimit + 1))).Count);
    }

    [Theory]
    [InlineData("sqlite")]
    [PostgresData]
    public async Task A_job_moves_one_way_and_only_once(string backend)
    {
        await using var t = new StoreUnderTest(backend);
        var job = await t.Store.CreateAsync("backtest", "{}");

        Assert.False(await t.Store.CompleteAsync(job.Id, "/out", "{}")); // not running yet
        Assert.True(await t.Store.StartAsync(job.Id));
        Assert.False(await t.Store.StartAsync(job.Id)); // cannot start twice
        var running = (await t.Store.GetAsync(job.Id))!;
        Assert.Equal(JobState.Running, running.State);
        Assert.NotNull(running.StartedUtc);
        Assert.False(running.IsFinished);

        // Progress clamps to 0..1 and never goes down; the phase follows the latest report.
        await t.Store.ReportAsync(job.Id, 0.6, "engine");
        await t.Store.ReportAsync(job.Id, 0.2, "late");
        var reported = (await t.Store.GetAsync(job.Id))!;
        Assert.Equal(0.6, reported.Progress);
        Assert.Equal("late", reported.Phase);
        await t.Store.ReportAsync(job.Id, 7, null);
        Assert.Equal(1.0, (await t.Store.GetAsync(job.Id))!.Progress);

        Assert.True(await t.Store.CompleteAsync(job.Id, "/artifacts/jobs/x", """{"final_equity": 101}"""));
        var done = (await t.Store.GetAsync(job.Id))!;
        Assert.Equal(JobState.Succeeded, done.State);
        Assert.True(done.IsFinished);
        Assert.Equal("/artifacts/jobs/x", done.OutputDirectory);
        Assert.Equal("""{"final_equity": 101}""", done.ResultJson);
        Assert.True(done.FinishedUtc >= done.StartedUtc);

        // Finished is final: no second finish, no cancel, no fail, no progress.
        Assert.False(await t.Store.CompleteAsync(job.Id, "/elsewhere", "{}"));
        Assert.False(await t.Store.CancelAsync(job.Id, "too late"));
        Assert.False(await t.Store.FailAsync(job.Id, "too late"));
        await t.Store.ReportAsync(job.Id, 0.1, "after");
        Assert.Equal(done, await t.Store.GetAsync(job.Id));

        // A cancelled job cannot be completed or started.
        var cancelled = await t.Store.CreateAsync("backtest", "{}");
        Assert.True(await t.Store.CancelAsync(cancelled.Id, "cancelled by request"));
        Assert.False(await t.Store.StartAsync(cancelled.Id));
        Assert.False(await t.Store.CompleteAsync(cancelled.Id, "/out", "{}"));
        var c = (await t.Store.GetAsync(cancelled.Id))!;
        Assert.Equal(JobState.Cancelled, c.State);
        Assert.Equal("cancelled by request", c.Error);
        Assert.Null(c.StartedUtc);

        var failed = await t.Store.CreateAsync("backtest", "{}");
        Assert.True(await t.Store.StartAsync(failed.Id));
        Assert.True(await t.Store.FailAsync(failed.Id, "no 1Day bars for XYZ"));
        Assert.False(await t.Store.CancelAsync(failed.Id, "late"));
        Assert.Equal("no 1Day bars for XYZ", (await t.Store.GetAsync(failed.Id))!.Error);

        Assert.False(await t.Store.StartAsync("job_20200101000000000_00000000"));
        Assert.False(await t.Store.CancelAsync("job_20200101000000000_00000000", "x"));
    }

    [Theory]
    [InlineData("sqlite")]
    [PostgresData]
    public async Task Recovery_fails_every_queued_or_running_job_as_interrupted(string backend)
    {
        await using var t = new StoreUnderTest(backend);
        Assert.Equal(0, await t.Store.RecoverAsync());
        var queued = await t.Store.CreateAsync("backtest", "{}");
        var running = await t.Store.CreateAsync("backtest", "{}");
        await t.Store.StartAsync(running.Id);
        var succeeded = await t.Store.CreateAsync("backtest", "{}");
        await t.Store.StartAsync(succeeded.Id);
        await t.Store.CompleteAsync(succeeded.Id, "/out", "{}");

        Assert.Equal(2, await t.Store.RecoverAsync());
        foreach (var id in new[] { queued.Id, running.Id })
        {
            var job = (await t.Store.GetAsync(id))!;
            Assert.Equal(JobState.Failed, job.State);
            Assert.Equal("interrupted: the service stopped before the job finished; submit it again", job.Error);
            Assert.NotNull(job.FinishedUtc);
        }

        Assert.Equal(JobState.Succeeded, (await t.Store.GetAsync(succeeded.Id))!.State);
        Assert.Equal(0, await t.Store.RecoverAsync());
    }
}
