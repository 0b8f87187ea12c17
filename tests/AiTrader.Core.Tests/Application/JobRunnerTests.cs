using System.Text.Json;
using AiTrader.Application;
using AiTrader.Application.Jobs;
using AiTrader.Application.Sessions;
using AiTrader.Core.Tests.TestSupport;
using AiTrader.Storage.Jobs;
using Microsoft.Data.Sqlite;

namespace AiTrader.Core.Tests.Application;

/// <summary>Backtest jobs end to end on SQLite and the bundled data: queued, running, then succeeded with the run's
/// files, refused before storing, cancelled while queued or running, and recovered after a crash.</summary>
[Trait("Category", "Database")]
public sealed class JobRunnerTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly string _dir = Directory.CreateTempSubdirectory("aitrader-jobs-").FullName;
    private SqliteJobStore _store = null!;

    private AppSettings Settings => new()
    {
        DataDir = Path.Combine(_dir, "data"),
        ArtifactsDir = Path.Combine(_dir, "artifacts"),
        SampleDataDir = TestPaths.SampleRoot,
        BarCacheDir = "off",
    };

    public Task InitializeAsync()
    {
        _store = SqliteJobStore.InDataDirectory(Settings.DataDir);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>A runner whose jobs, once running, wait at the gate until the test opens it or they are cancelled:
    /// the test acts on a running job without racing how long its work takes.</summary>
    private JobRunner GatedRunner(Gate gate, int maxConcurrent = 1) =>
        new(_store, Settings, maxConcurrent) { BeforeWork = gate.WaitAsync };

    private sealed class Gate
    {
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task WaitAsync(string jobId, CancellationToken ct) => _open.Task.WaitAsync(ct);

        public void Open() => _open.TrySetResult();
    }

    private static BacktestSpec Spy2010To2012 => new() { Symbol = "SPY", Start = "2010-01-01", End = "2012-12-31" };

    /// <summary>Polls the store until the job satisfies <paramref name="done"/>; fails after a minute.</summary>
    private async Task<JobRecord> WaitForAsync(string id, Func<JobRecord, bool> done)
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            var job = await _store.GetAsync(id, timeout.Token);
            if (job is not null && done(job))
            {
                return job;
            }

            await Task.Delay(10, timeout.Token);
        }
    }

    [Fact]
    public async Task A_backtest_job_runs_to_success_with_its_files_and_the_same_result_as_a_direct_run()
    {
        await using var runner = new JobRunner(_store, Settings);
        await runner.StartAsync(default);
        var queued = await runner.SubmitBacktestAsync(Spy2010To2012, default);
        Assert.Equal(JobState.Queued, queued.State);
        Assert.Equal(JobRunner.BacktestKind, queued.Kind);
        Assert.Matches("^job_[0-9]{17}_[0-9a-f]{8}$", queued.Id);

        var seen = new List<JobState>();
        var job = await WaitForAsync(queued.Id, j =>
        {
            if (seen.Count == 0 || seen[^1] != j.State)
            {
                seen.Add(j.State);
            }

            return j.IsFinished;
        });
        Assert.True(job.State == JobState.Succeeded, job.Error);
        Assert.Equal(1.0, job.Progress);
        Assert.Equal("files", job.Phase);
        Assert.Null(job.Error);
        Assert.NotNull(job.StartedUtc);
        Assert.True(job.FinishedUtc >= job.StartedUtc);
        Assert.DoesNotContain(JobState.Queued, seen.SkipWhile(s => s == JobState.Queued)); // never back to queued

        Assert.Equal(Path.Combine(Settings.ArtifactsDir, "jobs", job.Id), job.OutputDirectory);
        foreach (var file in new[] { "trades.csv", "orders.csv", "fills.csv", "equity.csv", "summary.json", "report.html" })
        {
            Assert.True(File.Exists(Path.Combine(job.OutputDirectory!, file)), file);
        }

        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(job.OutputDirectory!, "summary.json")), job.ResultJson);
        var direct = await BacktestRunner.RunAsync(Spy2010To2012.ToRequest(Path.Combine(_dir, "direct")), Settings, default);
        using var result = JsonDocument.Parse(job.ResultJson!);
        Assert.Equal(direct.Metrics.FinalEquity, result.RootElement.GetProperty("final_equity").GetDecimal());
    }

    [Fact]
    public async Task A_bad_spec_is_refused_naming_its_field_and_nothing_is_stored()
    {
        await using var runner = new JobRunner(_store, Settings);
        await runner.StartAsync(default);
        var error = await Assert.ThrowsAsync<RequestException>(() => runner.SubmitBacktestAsync(Spy2010To2012 with { Capital = -5 }, default));
        Assert.Equal("capital", error.Field);
        Assert.Equal("capital must be greater than 0 (got -5).", error.Message);
        Assert.Empty(await _store.ListAsync(new JobQuery()));
    }

    [Fact]
    public async Task A_job_shows_as_running_with_a_start_time_while_it_works_then_succeeds()
    {
        var gate = new Gate();
        await using var runner = GatedRunner(gate);
        await runner.StartAsync(default);
        var job = await runner.SubmitBacktestAsync(Spy2010To2012, default);

        var running = await WaitForAsync(job.Id, j => j.State != JobState.Queued);
        Assert.Equal(JobState.Running, running.State);
        Assert.NotNull(running.StartedUtc);
        Assert.Null(running.FinishedUtc);
        gate.Open();
        Assert.Equal(JobState.Succeeded, (await WaitForAsync(job.Id, j => j.IsFinished)).State);
    }

    [Fact]
    public async Task A_queued_job_cancelled_never_starts()
    {
        var gate = new Gate();
        await using var runner = GatedRunner(gate, maxConcurrent: 1);
        await runner.StartAsync(default);
        // The first job holds the one worker at the gate while the second job waits.
        var first = await runner.SubmitBacktestAsync(Spy2010To2012, default);
        var second = await runner.SubmitBacktestAsync(Spy2010To2012, default);
        Assert.True(await runner.CancelAsync(second.Id, default));
        Assert.False(await runner.CancelAsync(second.Id, default)); // already cancelled

        var cancelled = (await _store.GetAsync(second.Id))!;
        Assert.Equal(JobState.Cancelled, cancelled.State);
        Assert.Equal(JobRunner.CancelledByRequest, cancelled.Error);
        Assert.Equal(JobState.Running, (await WaitForAsync(first.Id, j => j.State != JobState.Queued)).State);
        Assert.True(await runner.CancelAsync(first.Id, default));
        Assert.Equal(JobState.Cancelled, (await WaitForAsync(first.Id, j => j.IsFinished)).State);
        await Task.Delay(300); // the worker is free: had the second job been queued still, it would start now

        cancelled = (await _store.GetAsync(second.Id))!;
        Assert.Equal(JobState.Cancelled, cancelled.State);
        Assert.Null(cancelled.StartedUtc);
        Assert.False(Directory.Exists(runner.OutputDirectory(second.Id)));
        Assert.False(await runner.CancelAsync(first.Id, default)); // finished already
    }

    [Fact]
    public async Task A_running_job_cancelled_by_request_ends_cancelled()
    {
        await using var runner = GatedRunner(new Gate());
        await runner.StartAsync(default);
        var job = await runner.SubmitBacktestAsync(Spy2010To2012, default);
        await WaitForAsync(job.Id, j => j.State != JobState.Queued);
        Assert.True(await runner.CancelAsync(job.Id, default), (await _store.GetAsync(job.Id))!.ToString());

        await Task.Delay(200); // whatever the worker does next cannot change the outcome
        var ended = (await _store.GetAsync(job.Id))!;
        Assert.Equal(JobState.Cancelled, ended.State);
        Assert.Equal(JobRunner.CancelledByRequest, ended.Error);
        Assert.NotNull(ended.StartedUtc);
    }

    [Fact]
    public async Task Stopping_leaves_a_running_job_cancelled_as_service_stopped()
    {
        var runner = GatedRunner(new Gate());
        await runner.StartAsync(default);
        var running = await runner.SubmitBacktestAsync(Spy2010To2012, default);
        var waiting = await runner.SubmitBacktestAsync(Spy2010To2012, default);
        await WaitForAsync(running.Id, j => j.State != JobState.Queued);

        using (var timeout = new CancellationTokenSource(Patience))
        {
            await runner.StopAsync(timeout.Token);
        }

        var stopped = (await _store.GetAsync(running.Id))!;
        Assert.Equal(JobState.Cancelled, stopped.State);
        Assert.Equal(JobRunner.ServiceStopped, stopped.Error);
        var neverRan = (await _store.GetAsync(waiting.Id))!;
        Assert.Equal(JobState.Cancelled, neverRan.State);
        Assert.Equal(JobRunner.ServiceStopped, neverRan.Error);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => runner.SubmitBacktestAsync(Spy2010To2012, default));
        await runner.DisposeAsync();
    }

    [Fact]
    public async Task A_job_left_running_by_a_crashed_process_is_failed_as_interrupted_when_a_runner_starts()
    {
        // A crash: the record says running, and no process is running it.
        var orphan = await _store.CreateAsync(JobRunner.BacktestKind, Spy2010To2012.ToJson());
        Assert.True(await _store.StartAsync(orphan.Id));
        var waiting = await _store.CreateAsync(JobRunner.BacktestKind, Spy2010To2012.ToJson());

        await using var runner = new JobRunner(_store, Settings);
        await runner.StartAsync(default);
        foreach (var id in new[] { orphan.Id, waiting.Id })
        {
            var job = (await _store.GetAsync(id))!;
            Assert.Equal(JobState.Failed, job.State);
            Assert.Equal(SqlJobStore.InterruptedError, job.Error);
            Assert.NotNull(job.FinishedUtc);
        }

        // The runner works on after recovering.
        var next = await runner.SubmitBacktestAsync(Spy2010To2012, default);
        Assert.Equal(JobState.Succeeded, (await WaitForAsync(next.Id, j => j.IsFinished)).State);
    }

    /// <summary>A session job taken by a worker but not yet set up (held before its work): its run is not registered yet,
    /// and the same session submitted then is refused naming it, as it would find the run locked once both started.
    /// Once the first is cancelled, the same session is accepted.</summary>
    [Fact]
    public async Task The_same_session_submitted_while_the_first_is_taken_but_not_set_up_is_refused_naming_it()
    {
        await using var runner = GatedRunner(new Gate());
        await runner.StartAsync(default);
        var spec = ReplaySessionSpec.FromJson("""{"symbols":["SPY"],"from":"2013-10-07","to":"2013-10-11"}""");
        var first = await runner.SubmitSessionAsync(spec, default);
        await WaitForAsync(first.Id, j => j.State == JobState.Running);

        var refused = await Assert.ThrowsAsync<ConflictException>(() => runner.SubmitSessionAsync(spec, default));
        Assert.Equal("run_id", refused.Field);
        Assert.Equal($"session job {first.Id} is waiting to drive a run of the same settings, and one run is driven by one session at a time; wait for it to end or cancel it, or send \"new_run\": true to run another beside it.",
            refused.Message);
        Assert.Single(await _store.ListAsync(new JobQuery(JobRunner.SessionKind, null, 10, null)));

        Assert.True(await runner.CancelAsync(first.Id, default));
        var again = await runner.SubmitSessionAsync(spec, default);
        Assert.NotEqual(first.Id, again.Id);
    }
}
