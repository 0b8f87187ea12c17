using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using AiTrader.Application.Backtests;
using AiTrader.Application.Scans;
using AiTrader.Application.Sessions;
using AiTrader.Application.Sweeps;
using AiTrader.Core.Agents;
using AiTrader.Core.Journal;
using AiTrader.Core.MarketData;
using AiTrader.Core.Risk;
using AiTrader.Core.Sessions;
using AiTrader.Core.Watchlists;
using AiTrader.MarketData.Streaming;
using AiTrader.Storage;
using AiTrader.Storage.Jobs;
using Microsoft.Extensions.Logging;

namespace AiTrader.Application.Jobs;

/// <summary>The queue full: too many jobs are waiting for a worker; the caller may try again later.</summary>
public sealed class JobQueueFullException(int capacity)
    : Exception($"{capacity} jobs are already waiting; try again when some have finished.")
{
    public int Capacity { get; } = capacity;
}

/// <summary>Runs submitted jobs (backtests) in the background, a few at a time, and records their life in an
/// <see cref="IJobStore"/>: queued, running with progress, then succeeded with the run's files, failed with a one-line
/// reason, or cancelled. Jobs a stopped process left unfinished are failed as interrupted when the runner starts.</summary>
public sealed partial class JobRunner : IAsyncDisposable
{
    /// <summary>The kind of a backtest job.</summary>
    public const string BacktestKind = "backtest";

    /// <summary>The file in a session job's folder that names its run.</summary>
    public const string RunFileName = "run.json";

    /// <summary>The kind of a sweep or walk-forward job.</summary>
    public const string SweepKind = "sweep";

    /// <summary>The kind of a paper replay session job.</summary>
    public const string SessionKind = "session";

    /// <summary>The kind of a premarket scan replay job.</summary>
    public const string ScanKind = "scan";

    /// <summary>The error of a job cancelled through <see cref="CancelAsync"/>.</summary>
    public const string CancelledByRequest = "cancelled by request";

    /// <summary>The error of a job cancelled because the runner stopped.</summary>
    public const string ServiceStopped = "service stopped";

    /// <summary>How many submitted jobs may wait for a worker.</summary>
    public const int QueueCapacity = 1000;

    private static readonly TimeSpan DisposeTimeout = TimeSpan.FromSeconds(30);

    private readonly AppSettings _settings;
    private readonly Func<IJournal> _journal;
    private readonly Func<IWatchlistStore> _watchlists;
    private readonly TradingSessions _sessions;
    private readonly ILogger _logger;
    private readonly Func<string, string?> _env;
    private readonly List<Task> _liveSessions = [];

    /// <summary>Paper sessions on the live stream that may run at once.</summary>
    public const int MaxLiveSessions = 8;
    private readonly ConcurrentDictionary<string, GuardrailSet> _liveGuardrails = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _liveRuns = new(StringComparer.Ordinal);

    /// <summary>The session jobs submitted and not yet started, with the run each would drive as planned at its submit.</summary>
    private readonly ConcurrentDictionary<string, SessionPlan> _plannedRuns = new(StringComparer.Ordinal);

    /// <summary>One session submit at a time between its run check and its job being recorded.</summary>
    private readonly SemaphoreSlim _sessionSubmit = new(1, 1);
    private readonly int _maxConcurrent;
    private readonly Channel<string> _queue = Channel.CreateBounded<string>(
        new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = false, SingleWriter = false });
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private Task[] _workers = [];
    private bool _started;
    private bool _stopped;

    /// <param name="store">Where jobs are recorded.</param>
    /// <param name="settings">Data and artifacts folders: a job writes to <c>&lt;ArtifactsDir&gt;/jobs/&lt;job id&gt;</c>.</param>
    /// <param name="maxConcurrent">How many jobs run at once (each backtest uses up to two cores while it writes files).</param>
    /// <param name="time">The clock (the store keeps its own).</param>
    /// <param name="journal">Opens the journal a session job writes to; SQLite in the data folder, or PostgreSQL when
    /// the process has a DATABASE_URL, by default.</param>
    /// <param name="watchlists">Opens the watchlist store a scan job writes to (<c>WATCHLIST_STORE</c> of the process by default).</param>
    /// <param name="environment">Variable lookup for the live stream's settings (ALPACA_STREAM_URL, the keys); the
    /// process environment by default.</param>
    /// <param name="logger">Where each job's end is logged (kind, state, time; inside the job's span, so with its trace id).</param>
    /// <param name="streams">Where a live session's market-data socket reports its state (the service's readiness).</param>
    public JobRunner(IJobStore store, AppSettings settings, int maxConcurrent = 1, TimeProvider? time = null, Func<IJournal>? journal = null,
        Func<IWatchlistStore>? watchlists = null, ILogger? logger = null, Func<string, string?>? environment = null,
        AiTrader.MarketData.Streaming.StreamConnections? streams = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrent, 1);
        Store = store;
        _settings = settings;
        _maxConcurrent = maxConcurrent;
        Time = time ?? TimeProvider.System;
        _journal = journal ?? (() => JournalFactory.Create(Environment.GetEnvironmentVariable("DATABASE_URL"), settings.DataDir));
        _watchlists = watchlists ?? (() => Storage.Watchlists.WatchlistStoreFactory.Create(null, Environment.GetEnvironmentVariable, settings.DataDir));
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _env = environment ?? Environment.GetEnvironmentVariable;
        _sessions = new TradingSessions(settings, _journal, _watchlists, _env, streams);
    }

    public IJobStore Store { get; }

    /// <summary>Awaited by the worker once a job is recorded as running and before its work starts, with the job's
    /// cancellation: tests hold a job in the running state with it for as long as they need, instead of relying on a
    /// job slow enough to still be running when they look.</summary>
    internal Func<string, CancellationToken, Task>? BeforeWork { get; init; }

    /// <summary>The clock the runner was given.</summary>
    public TimeProvider Time { get; }

    /// <summary>The folder a job writes its files to.</summary>
    public string OutputDirectory(string jobId) => Path.Combine(_settings.ArtifactsDir, "jobs", jobId);

    /// <summary>Fails the jobs a previous process left unfinished (see <see cref="IJobStore.RecoverAsync"/>), then starts
    /// the workers.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            if (_started)
            {
                throw new InvalidOperationException("The job runner is already started.");
            }

            _started = true;
        }

        await Store.RecoverAsync(ct).ConfigureAwait(false);
        _workers = Enumerable.Range(0, _maxConcurrent).Select(_ => Task.Run(WorkAsync, CancellationToken.None)).ToArray();
    }

    /// <summary>Checks <paramref name="spec"/> (a bad field throws <see cref="RequestException"/> and nothing is stored),
    /// stores it as a queued backtest job and queues it.</summary>
    /// <exception cref="JobQueueFullException">Too many jobs are waiting; the job is stored as failed.</exception>
    public async Task<JobRecord> SubmitBacktestAsync(BacktestSpec spec, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ObjectDisposedException.ThrowIf(_stopped, this);
        spec.ToRequest(null);
        return await EnqueueAsync(BacktestKind, spec.ToJson(), ct).ConfigureAwait(false);
    }

    /// <param name="created">Called with the stored job before a worker can take it.</param>
    private async Task<JobRecord> EnqueueAsync(string kind, string specJson, CancellationToken ct, Action<JobRecord>? created = null)
    {
        var job = await Store.CreateAsync(kind, specJson, ct).ConfigureAwait(false);
        created?.Invoke(job);
        if (!_queue.Writer.TryWrite(job.Id))
        {
            // Full, or stopping: the job must not sit queued with no worker to take it.
            var stopping = _stopped;
            await Store.FailAsync(job.Id, stopping ? ServiceStopped : $"not run: {QueueCapacity} jobs were already waiting", CancellationToken.None)
                .ConfigureAwait(false);
            if (stopping)
            {
                throw new ObjectDisposedException(nameof(JobRunner), "The job runner is stopping.");
            }

            throw new JobQueueFullException(QueueCapacity);
        }

        return job;
    }

    /// <summary>Checks <paramref name="spec"/> (every field and every combination against the strategy; a bad one
    /// throws <see cref="RequestException"/> and nothing is stored), stores it as a queued sweep job and queues it.</summary>
    /// <exception cref="JobQueueFullException">Too many jobs are waiting; the job is stored as failed.</exception>
    public async Task<JobRecord> SubmitSweepAsync(SweepSpec spec, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ObjectDisposedException.ThrowIf(_stopped, this);
        SweepRun.Check(spec.ToRequest(null));
        return await EnqueueAsync(SweepKind, spec.ToJson(), ct).ConfigureAwait(false);
    }

    /// <summary>How long a submit waits for a stopped session's worker to let go of its run (journal and snapshot written).</summary>
    private static readonly TimeSpan StoppedRunRelease = TimeSpan.FromSeconds(10);

    /// <summary>The session job driving <paramref name="run"/> now, or null. A job already recorded as finished (cancelled
    /// a moment ago) still holds the run while its worker completes the journal; that is waited for, briefly, so that
    /// stopping a session and asking for it again resumes it instead of being refused.</summary>
    private async Task<string?> DriverOfAsync(string run, CancellationToken ct)
    {
        string? Driver() => _liveRuns.FirstOrDefault(r => r.Value == run).Key;
        if (Driver() is not { } driver)
        {
            return null;
        }

        if (await Store.GetAsync(driver, ct).ConfigureAwait(false) is not { IsFinished: true })
        {
            return driver;
        }

        // A finished job stays finished: only its worker's hold on the run is waited for.
        var started = Stopwatch.GetTimestamp();
        while (Driver() is { } holder)
        {
            if (Stopwatch.GetElapsedTime(started) > StoppedRunRelease || holder != driver)
            {
                return holder;
            }

            await Task.Delay(50, ct).ConfigureAwait(false);
        }

        return null;
    }

    /// <summary>Checks <paramref name="spec"/> as <c>trade</c> checks its flags before it trades, watchlist source and run
    /// included (a bad field throws <see cref="RequestException"/> and nothing is stored), stores it as a queued paper
    /// session and queues it (a session on the live stream starts at once). A session asking for a run that another
    /// session job drives, or is waiting to drive, is refused with <see cref="ConflictException"/> naming that job.</summary>
    /// <exception cref="JobQueueFullException">Too many jobs are waiting; the job is stored as failed.</exception>
    public async Task<JobRecord> SubmitSessionAsync(ReplaySessionSpec spec, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ObjectDisposedException.ThrowIf(_stopped, this);
        var request = spec.ToRequest();
        // The watchlist and the run too, as trade picks and resolves them before any work: an unknown or empty watchlist
        // source, a run of another kind or with other settings are refused here.
        var plan = await _sessions.PlanRunAsync(request, ct).ConfigureAwait(false);
        if (request.Mode.IsStream())
        {
            _sessions.CheckStream(request);
        }

        await _sessionSubmit.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // A run a session job of this service drives now (trade would find it locked), or will drive once it starts.
            if (!plan.IsNew && await DriverOfAsync(plan.RunId, ct).ConfigureAwait(false) is { } driver)
            {
                throw new ConflictException(
                    $"run {plan.RunId} is being driven by session job {driver}, and one run is driven by one session at a time; wait for it to end or cancel it, or send \"new_run\": true to run another beside it.", "run_id");
            }

            if (_plannedRuns.FirstOrDefault(p => SameRun(p.Value, plan)).Key is { } queued)
            {
                throw new ConflictException(
                    $"session job {queued} is waiting to drive {(plan.IsNew ? "a run of the same settings" : $"run {plan.RunId}")}, and one run is driven by one session at a time; wait for it to end or cancel it, or send \"new_run\": true to run another beside it.", "run_id");
            }

            if (!request.Mode.IsStream())
            {
                return await EnqueueAsync(SessionKind, spec.ToJson(), ct, job => _plannedRuns[job.Id] = plan).ConfigureAwait(false);
            }

            // A live session runs until it is stopped: it takes no worker from the backtests and sweeps behind it.
            lock (_gate)
            {
                _liveSessions.RemoveAll(t => t.IsCompleted);
                if (_liveSessions.Count >= MaxLiveSessions)
                {
                    throw new RequestException($"{MaxLiveSessions} paper sessions on the live stream are running; stop one first.", "mode");
                }
            }

            var job = await Store.CreateAsync(SessionKind, spec.ToJson(), ct).ConfigureAwait(false);
            lock (_gate)
            {
                if (_stopped)
                {
                    throw new ObjectDisposedException(nameof(JobRunner), "The job runner is stopping.");
                }

                _plannedRuns[job.Id] = plan;
                _liveSessions.Add(Task.Run(() => RunAsync(job.Id), CancellationToken.None));
            }

            return job;
        }
        finally
        {
            _sessionSubmit.Release();
        }
    }

    /// <summary>True when a session planned as <paramref name="asked"/> would drive the run <paramref name="claimed"/>
    /// plans to: the same run by id, or, for a session that would start a new run, the same settings (once the first has
    /// started its run, the second would resume it, as <c>trade</c> resumes the unfinished run of its settings).</summary>
    private static bool SameRun(SessionPlan claimed, SessionPlan asked) =>
        !asked.NewRun && (asked.IsNew
            ? claimed.Mode == asked.Mode && RunRegistry.Difference(claimed.Settings, asked.Settings) is null
            : !claimed.IsNew && string.Equals(claimed.RunId, asked.RunId, StringComparison.Ordinal));

    /// <summary>Checks <paramref name="spec"/> (a bad field throws <see cref="RequestException"/> and nothing is
    /// stored), stores it as a queued scan replay and queues it.</summary>
    public async Task<JobRecord> SubmitScanAsync(ScanReplaySpec spec, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ObjectDisposedException.ThrowIf(_stopped, this);
        spec.Check(new CsvBarSource(_settings.SampleDataDir ?? SampleData.LocateRoot(), NyseCalendar.Instance));
        return await EnqueueAsync(ScanKind, spec.ToJson(), ct).ConfigureAwait(false);
    }

    /// <summary>Cancels a queued or running job: a queued one never starts; a running one is stopped at its next check.
    /// The store records the cancellation at once, so the job cannot succeed afterwards. False when the job is
    /// finished or unknown.</summary>
    public async Task<bool> CancelAsync(string id, CancellationToken ct)
    {
        var cancelled = await Store.CancelAsync(id, CancelledByRequest, ct).ConfigureAwait(false);
        _plannedRuns.TryRemove(id, out _);
        if (_running.TryGetValue(id, out var running))
        {
            Cancel(running);
        }

        // Recorded as cancelled, a session takes no more control actions (kill switch, webhooks) while it winds down.
        _liveGuardrails.TryRemove(id, out _);
        return cancelled;
    }

    /// <summary>Graceful shutdown: takes no more jobs, cancels the running ones (recorded as cancelled, "service
    /// stopped") and waits for their workers, bounded by <paramref name="ct"/>; jobs still waiting are cancelled too.</summary>
    public async Task StopAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            _stopped = true;
        }

        _queue.Writer.TryComplete();
        foreach (var id in _running.Keys)
        {
            await Store.CancelAsync(id, ServiceStopped, ct).ConfigureAwait(false);
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _liveGuardrails.Clear(); // stopping sessions take no more control actions
        _plannedRuns.Clear();
        Task[] live;
        lock (_gate)
        {
            live = [.. _liveSessions];
        }

        await Task.WhenAll(_workers.Concat(live)).WaitAsync(ct).ConfigureAwait(false);
        while (_queue.Reader.TryRead(out var waiting))
        {
            await Store.CancelAsync(waiting, ServiceStopped, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Stops (waiting up to 30 s for running jobs); does not dispose the store, which the caller owns.</summary>
    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(DisposeTimeout))
        {
            try
            {
                await StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                // A job that ignores cancellation for 30 s is left to the process exit; RecoverAsync fails it next start.
            }
        }

        _stopping.Dispose();
        _sessionSubmit.Dispose();
    }

    private static void Cancel(CancellationTokenSource running)
    {
        try
        {
            running.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The job ended meanwhile.
        }
    }

    private async Task WorkAsync()
    {
        try
        {
            await foreach (var id in _queue.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
            {
                await RunAsync(id).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping: StopAsync cancels what is still queued.
        }
    }

    /// <summary>Runs one job to its end; never throws (every outcome is recorded in the store).</summary>
    private async Task RunAsync(string id)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        _running[id] = cts;
        Activity? activity = null;
        string? kind = null;
        string? error = null;
        var outcome = "failed";
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (_stopping.IsCancellationRequested)
            {
                await Store.CancelAsync(id, ServiceStopped, CancellationToken.None).ConfigureAwait(false);
                return;
            }

            if (!await Store.StartAsync(id, cts.Token).ConfigureAwait(false))
            {
                return; // cancelled while it waited
            }

            var job = await Store.GetAsync(id, cts.Token).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"job {id} vanished from the store");
            kind = job.Kind;
            activity = Telemetry.Source.StartActivity($"job {job.Kind}");
            activity?.SetTag("aitrader.job.id", id);
            activity?.SetTag("aitrader.job.kind", job.Kind);
            started = Stopwatch.GetTimestamp();
            if (BeforeWork is { } beforeWork)
            {
                await beforeWork(id, cts.Token).ConfigureAwait(false);
            }

            var (outputDirectory, resultJson) = job.Kind switch
            {
                BacktestKind => await RunBacktestAsync(job, cts.Token).ConfigureAwait(false),
                SweepKind => await RunSweepAsync(job, cts.Token).ConfigureAwait(false),
                SessionKind => await RunSessionAsync(job, cts.Token).ConfigureAwait(false),
                ScanKind => await RunScanAsync(job, cts.Token).ConfigureAwait(false),
                _ => throw new RequestException($"job kind '{job.Kind}' is not one this service runs.", "kind"),
            };
            outcome = await Store.CompleteAsync(id, outputDirectory, resultJson, CancellationToken.None).ConfigureAwait(false) ? "succeeded" : "cancelled";
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            // CancelAsync and StopAsync record the cancellation first; this covers a cancel that raced the start.
            outcome = "cancelled";
            await RecordAsync(() => Store.CancelAsync(id, _stopping.IsCancellationRequested ? ServiceStopped : CancelledByRequest, CancellationToken.None))
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RequestException or MarketDataException)
        {
            error = OneLine(ex.Message);
            activity?.SetStatus(ActivityStatusCode.Error, OneLine(ex.Message));
            await RecordAsync(() => Store.FailAsync(id, OneLine(ex.Message), CancellationToken.None)).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = $"internal error: {ex.GetType().Name}";
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            await RecordAsync(() => Store.FailAsync(id, $"internal error: {ex.GetType().Name}: {OneLine(ex.Message)}", CancellationToken.None))
                .ConfigureAwait(false);
        }
        finally
        {
            _running.TryRemove(id, out _);
            _plannedRuns.TryRemove(id, out _);
            if (kind is not null)
            {
                var tags = new TagList { { "kind", kind }, { "state", outcome } };
                Telemetry.JobsFinished.Add(1, tags);
                var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                Telemetry.JobDuration.Record(seconds, tags);
                activity?.SetTag("aitrader.job.state", outcome);
                if (error is null)
                {
                    JobEnded(_logger, id, kind, outcome, seconds);
                }
                else
                {
                    JobFailed(_logger, id, kind, seconds, error);
                }
            }

            activity?.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "job {JobId} ({Kind}) {State} in {Seconds:0.000} s")]
    private static partial void JobEnded(ILogger logger, string jobId, string kind, string state, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "job {JobId} ({Kind}) failed in {Seconds:0.000} s: {Error}")]
    private static partial void JobFailed(ILogger logger, string jobId, string kind, double seconds, string error);

    private async Task<(string OutputDirectory, string ResultJson)> RunBacktestAsync(JobRecord job, CancellationToken ct)
    {
        var outDir = OutputDirectory(job.Id);
        Directory.CreateDirectory(outDir);
        var request = BacktestSpec.FromJson(job.RequestJson).ToRequest(outDir);
        var progress = new StoreProgress(Store, job.Id);
        try
        {
            var outcome = await BacktestRunner.RunAsync(request, _settings, ct, progress).ConfigureAwait(false);
            var summary = await File.ReadAllTextAsync(Path.Combine(outcome.OutputDirectory, "summary.json"), ct).ConfigureAwait(false);
            return (outcome.OutputDirectory, summary);
        }
        finally
        {
            await progress.FlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Where sweep jobs run their backtests: null (the default) on this process's workers; set (by
    /// <c>aitrader serve --cluster</c>) on a cluster's silos, with the same progress, cancellation and files.</summary>
    public SweepExecutor? Sweeps { get; init; }

    private async Task<(string OutputDirectory, string ResultJson)> RunSweepAsync(JobRecord job, CancellationToken ct)
    {
        var outDir = OutputDirectory(job.Id);
        Directory.CreateDirectory(outDir);
        // One backtest at a time per job: the service's parallelism is its number of job workers.
        var request = SweepSpec.FromJson(job.RequestJson).ToRequest(outDir, parallelism: 1);
        var progress = new StoreProgress(Store, job.Id);
        try
        {
            var prepared = await SweepRun.PrepareAsync(request, _settings, ct).ConfigureAwait(false);
            progress.Report((0.05, "load"));
            var counted = new CountProgress(prepared.Total, progress);
            var outcome = Sweeps is { } elsewhere
                ? await elsewhere(prepared, counted, ct).ConfigureAwait(false)
                : await Task.Run(() => prepared.Run(counted, ct), ct).ConfigureAwait(false);
            progress.Report((1.0, "files"));
            return (outcome.OutputDirectory, SweepResultJson.Write(outcome));
        }
        finally
        {
            await progress.FlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A paper session, replayed or on the live stream, through the one trading-session use case as
    /// <c>aitrader trade --paper</c> runs it, journaled under the run it resolves to (a new one, the unfinished one it
    /// resumes, or the one it names); the result is the session's end state.
    /// A session on the stream ends after the bar in hand when the job is cancelled or the service stops (journal and
    /// snapshot complete), and the job is recorded as cancelled.</summary>
    private async Task<(string OutputDirectory, string ResultJson)> RunSessionAsync(JobRecord job, CancellationToken ct)
    {
        var outDir = OutputDirectory(job.Id);
        Directory.CreateDirectory(outDir);
        var request = ReplaySessionSpec.FromJson(job.RequestJson).ToRequest();
        var progress = new StoreProgress(Store, job.Id);
        try
        {
            if (PremarketWatchlistProvider.IsScan(request.WatchlistSource))
            {
                // The scan is the job's first step (not the submit's): the job says so while it runs.
                progress.Report((0, "scan"));
            }

            var outcome = await _sessions.RunAsync(request, new SessionJobObserver(this, job.Id, outDir, progress, ct), ct: ct).ConfigureAwait(false);
            if (request.Mode.IsStream())
            {
                ct.ThrowIfCancellationRequested();
            }

            var json = SessionResultJson.Write(outcome, request.Mode.IsStream());
            await File.WriteAllTextAsync(Path.Combine(outDir, "session.json"), json, CancellationToken.None).ConfigureAwait(false);
            return (outDir, json);
        }
        finally
        {
            _liveGuardrails.TryRemove(job.Id, out _);
            _liveRuns.TryRemove(job.Id, out _);
            await progress.FlushAsync().ConfigureAwait(false);
        }
    }

    /// <summary>What a session job keeps of its session as it runs: the run it trades under (for the API, and in the job's
    /// <c>run.json</c>, kept however it ends), its guardrails (the kill switch and a halt's reset act on them from the API's
    /// threads; both guardrails are made for that) and its progress as the share of its dates done.</summary>
    private sealed class SessionJobObserver(JobRunner runner, string jobId, string outDir, IProgress<(double Fraction, string Phase)> progress,
        CancellationToken ct) : ITradingSessionObserver
    {
        private DateTime _from;
        private double _span = 1;
        private int _lastPercent = -1;
        private string _lastPhase = "";

        public async Task StartedAsync(SessionStart start, CancellationToken cancellationToken)
        {
            runner._liveRuns[jobId] = start.RunId;
            runner._plannedRuns.TryRemove(jobId, out _);
            _from = ExchangeTime.StartOfDateUtc(start.From);
            _span = (ExchangeTime.EndOfDateUtc(start.To) - _from).TotalSeconds;
            var runFile = Path.Combine(outDir, RunFileName);
            await File.WriteAllTextAsync(runFile + ".tmp", JsonText.Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("run_id", start.RunId);
                w.WriteEndObject();
            }), CancellationToken.None).ConfigureAwait(false);
            File.Move(runFile + ".tmp", runFile, overwrite: true);
        }

        public void GuardrailsBuilt(GuardrailSet guardrails)
        {
            if (!ct.IsCancellationRequested)
            {
                runner._liveGuardrails[jobId] = guardrails;
            }
        }

        public void Progress(SessionProgress p)
        {
            // Every bar reports; the store hears of whole percents and phase changes only.
            var percent = (int)Math.Clamp(99 * (p.Timestamp - _from).TotalSeconds / _span, 0, 99);
            if (percent > _lastPercent || p.Phase != _lastPhase)
            {
                _lastPercent = Math.Max(_lastPercent, percent);
                _lastPhase = p.Phase;
                progress.Report((_lastPercent / 100.0, p.Phase));
            }
        }
    }

    /// <summary>The guardrails of the session job <paramref name="jobId"/> while it runs (kill switch, drawdown gate,
    /// ...); null when it is not running.</summary>
    public GuardrailSet? LiveGuardrails(string jobId) => _liveGuardrails.TryGetValue(jobId, out var set) ? set : null;

    /// <summary>The session jobs running now.</summary>
    public IReadOnlyList<string> LiveSessions => _liveGuardrails.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>The run id of the session job <paramref name="jobId"/> while it runs; null otherwise (a finished
    /// session's run id is in its result).</summary>
    public string? LiveRunId(string jobId) => _liveRuns.TryGetValue(jobId, out var run) ? run : null;

    /// <summary>The run a session job trades under: while it runs, from the runner; after, from the file the session
    /// wrote as it started (whether it succeeded, failed or was stopped). Null when it never started.</summary>
    public string? RunIdOf(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (LiveRunId(job.Id) is { } live)
        {
            return live;
        }

        // Sessions finished by builds before the file existed name their run in their result only.
        var file = Path.Combine(OutputDirectory(job.Id), RunFileName);
        var text = File.Exists(file) ? File.ReadAllText(file) : job.ResultJson;
        if (text is null)
        {
            return null;
        }

        using var doc = System.Text.Json.JsonDocument.Parse(text);
        return doc.RootElement.TryGetProperty("run_id", out var run) ? run.GetString() : null;
    }

    /// <summary>The settings the runner was built with (the state folder of session runs).</summary>
    public AppSettings Settings => _settings;

    private async Task<(string OutputDirectory, string ResultJson)> RunScanAsync(JobRecord job, CancellationToken ct)
    {
        var outDir = OutputDirectory(job.Id);
        Directory.CreateDirectory(outDir);
        await using var store = _watchlists();
        var day = await ScanReplaySpec.FromJson(job.RequestJson).RunAsync(_settings, store, ct).ConfigureAwait(false);
        var result = JsonText.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("date", day.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteNumber("refreshes", day.Refreshes.Count);
            json.WriteNumber("published", day.Published.Count);
            json.WriteString("store", store.Location);
            json.WriteStartArray("watchlist");
            foreach (var symbol in day.Latest?.Symbols ?? [])
            {
                json.WriteStringValue(symbol.Value);
            }

            json.WriteEndArray();
            json.WriteStartArray("notes");
            foreach (var note in day.Notes)
            {
                json.WriteStringValue(note);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });
        await File.WriteAllTextAsync(Path.Combine(outDir, "scan.json"), result, CancellationToken.None).ConfigureAwait(false);
        return (outDir, result);
    }

    /// <summary>Backtests done out of a known total, passed on as a fraction whenever it moves by a whole percent (a
    /// large grid would otherwise write the store once per backtest). Workers report out of order; the count only rises.</summary>
    private sealed class CountProgress(int total, IProgress<(double Fraction, string Phase)> inner) : IProgress<int>
    {
        // The percent rises with the count, so passing on only rising percents also drops counts reported late.
        private readonly MonotonicProgress _percents = new(percent => inner.Report((0.05 + 0.9 * percent / 100.0, "backtests")), start: -1);

        public void Report(int value) => _percents.Report(total <= 0 ? 100 : (int)(100L * value / total));
    }

    /// <summary>Records an outcome; a store that fails here (the database went away) leaves the job to RecoverAsync.</summary>
    private static async Task RecordAsync(Func<Task<bool>> record)
    {
        try
        {
            await record().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The worker must survive a store error; the job is failed as interrupted at the next start.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    /// <summary>Passes a run's phases to the store in order, one write at a time, without blocking the run.</summary>
    private sealed class StoreProgress(IJobStore store, string id) : IProgress<(double Fraction, string Phase)>
    {
        private readonly Lock _gate = new();
        private Task _pending = Task.CompletedTask;

        public void Report((double Fraction, string Phase) value)
        {
            lock (_gate)
            {
                _pending = Chain(_pending, value);
            }
        }

        /// <summary>Waits for the writes reported so far; a failed write is dropped (progress is advisory).</summary>
        public async Task FlushAsync()
        {
            Task pending;
            lock (_gate)
            {
                pending = _pending;
            }

            try
            {
                await pending.ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Progress is advisory: a failed write must not fail the job.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }

        private async Task Chain(Task previous, (double Fraction, string Phase) value)
        {
            try
            {
                await previous.ConfigureAwait(false);
            }
#pragma warning disable CA1031 // Progress is advisory: an earlier failed write does not stop the next.
            catch (Exception)
#pragma warning restore CA1031
            {
            }

            await store.ReportAsync(id, value.Fraction, value.Phase, CancellationToken.None).ConfigureAwait(false);
        }
    }
}
