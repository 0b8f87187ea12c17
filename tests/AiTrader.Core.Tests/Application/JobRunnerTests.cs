using System.Text.Json;
using AiTrader.Application.Jobs;
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

    /// <summary>A job that runs for seconds rather than milliseconds, so a test can act while it runs: 1Min bars of a
    /// synthetic symbol, many more than the bundled files hold.</summary>
    private static BacktestSpec Slow => new() { Symbol = "SLOW", Interval = "1Min" };

    /// <summary>Settings whose sample data holds SLOW's minute bars.</summary>
    private AppSettings SlowSettings() =>
        new() { DataDir = Settings.DataDir, ArtifactsDir = Settings.ArtifactsDir, SampleDataDir = SlowSample.Value, BarCacheDir = "off" };

    /// <summary>A data folder with SLOW.csv: seeded 1Min bars, 3500 sessions of 390, written once per test run (the
    /// bundled files run in well under a second, too fast to act on a job while it runs; 1500 sessions became too fast
    /// too once the CSV reader and the engine sped up, and a job finished before a test could see it running).</summary>
    private static readonly Lazy<string> SlowSample = new(() =>
    {
        var root = Directory.CreateTempSubdirectory("aitrader-jobs-slow-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(root, recursive: true);
        Directory.CreateDirectory(Path.Combine(root, "daily"));
        Directory.CreateDirectory(Path.Combine(root, "minute"));
        var bars = new AiTrader.Core.MarketData.SyntheticBarGenerator(seed: 14)
            .Generate(new DateTime(2015, 1, 2, 14, 30, 0, DateTimeKind.Utc), AiTrader.Core.Domain.Timeframe.OneMinute, 3500 * 390,
                AiTrader.Core.Sessions.NyseCalendar.Instance).Bars;
        using var w = new StreamWriter(Path.Combine(root, "minute", "SLOW.csv"));
        w.WriteLine("timestamp,open,high,low,close,volume");
        foreach (var b in bars)
        {
            w.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{b.Timestamp:yyyy-MM-dd'T'HH:mm:ss'Z'},{b.Open},{b.High},{b.Low},{b.Close},{b.Volume}"));
        }

        return root;
    });

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
    public async Task A_queued_job_cancelled_never_starts()
    {
        await using var runner = new JobRunner(_store, SlowSettings(), maxConcurrent: 1);
        await runner.StartAsync(default);
        // A slow job keeps the one worker busy while the second job waits.
        var first = await runner.SubmitBacktestAsync(Slow, default);
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
        await using var runner = new JobRunner(_store, SlowSettings());
        await runner.StartAsync(default);
        var job = await runner.SubmitBacktestAsync(Slow, default);
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
        var runner = new JobRunner(_store, SlowSettings());
        await runner.StartAsync(default);
        var running = await runner.SubmitBacktestAsync(Slow, default);
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
}
