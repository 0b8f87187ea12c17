using AiTrader.Application;
using AiTrader.Application.Sweeps;
using AiTrader.Core.Backtesting.Sweeps;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace AiTrader.Cluster;

/// <summary>A distributed sweep that cannot finish because the cluster cannot run one of its cells (silos lost again and
/// again, or none reachable); the message names the cell and what to check.</summary>
public sealed class ClusterSweepException(string message) : Exception(message);

/// <summary>A finished distributed sweep: the files, exactly as <c>aitrader sweep</c> writes them, and the accounting.</summary>
public sealed record ClusterSweepOutcome(SweepOutcome Outcome, SweepCellReport Report);

/// <summary>The client side of a distributed sweep or walk-forward: fans a prepared sweep's cells (a walk-forward's
/// in-sample cells, every window's at once) out to the cluster's stateless workers, keeps at most <see cref="MaxInFlight"/> cells open, runs a cell again when the silo running it is lost, then
/// ranks the rows with the single-machine sweep's own ranking and writes its files.</summary>
/// <remarks>A lost silo shows as a dropped gateway connection (<see cref="GatewayLossSignal"/>) before any call to it
/// fails, and which open cells were on it is not known; so every open cell is sent again, the runs on live silos carry
/// on, and the <see cref="SweepCellLedger"/> keeps each cell's first answer.</remarks>
public sealed class ClusterSweep
{
    private readonly IGrainFactory _grains;
    private readonly GatewayLossSignal? _losses;

    /// <param name="grains">The cluster client.</param>
    /// <param name="losses">The client's lost-gateway signal; without it a lost silo's cells wait for the cell timeout.</param>
    public ClusterSweep(IGrainFactory grains, GatewayLossSignal? losses = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        _grains = grains;
        _losses = losses;
    }

    /// <summary>Cells open at once across the cluster.</summary>
    public int MaxInFlight { get; init; } = 8;

    /// <summary>Runs of one cell before the sweep gives up on it (each lost silo costs one).</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The shared bar cache the sweep's bars are put in before its first cell, for the silos to read; null: each
    /// silo loads them itself (through its bar cache folder).</summary>
    public SharedBarCache? SharedBars { get; init; }

    /// <summary>Receives one line per cell sent again.</summary>
    public Action<string>? Log { get; init; }

    /// <param name="progress">Cells with a result so far (reported from many tasks, not necessarily in order).</param>
    public async Task<ClusterSweepOutcome> RunAsync(PreparedSweep prepared, IProgress<int>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        if (MaxInFlight < 1)
        {
            throw new RequestException($"--parallelism must be at least 1 (got {MaxInFlight}).", "parallelism");
        }

        var grid = prepared.Request.Grid;
        var windows = prepared.WalkForwardWindows();
        var job = SweepCellJob.From(prepared.Request, Guid.NewGuid(), windows);
        if (SharedBars is { } shared)
        {
            job = job with { SharedBars = await shared.PublishAsync(prepared.Series, ct) };
        }

        var cells = job.Cells(grid);
        var ledger = new SweepCellLedger(grid, windows?.Count ?? 1);
        using (var slots = new SemaphoreSlim(MaxInFlight))
        {
            await Task.WhenAll(Enumerable.Range(0, cells).Select(cell => new CellRun(this, job, cell, ledger, progress).RunAsync(slots, ct)));
        }

        var runner = prepared.CellRunner();
        if (windows is null)
        {
            return new ClusterSweepOutcome(prepared.Write(runner.Result(grid, ledger.Rows())), ledger.Report());
        }

        // A walk-forward: the in-sample sweeps ran on the cluster; each window's out-of-sample run (one backtest) runs here.
        var inSample = Enumerable.Range(0, windows.Count).Select(w => runner.Result(grid, ledger.Rows(w))).ToList();
        var windowsDone = progress is null ? null : new OffsetProgress(progress, cells);
        return new ClusterSweepOutcome(prepared.CompleteWalkForward(inSample, windowsDone, ct), ledger.Report());
    }

    /// <summary>Runs <paramref name="prepared"/> and returns its files alone: this sweep as a <see cref="SweepExecutor"/>
    /// (the service's sweep jobs); <see cref="Log"/> receives the placement line.</summary>
    public async Task<SweepOutcome> ExecuteAsync(PreparedSweep prepared, IProgress<int> progress, CancellationToken ct)
    {
        var outcome = await RunAsync(prepared, progress, ct);
        Log?.Invoke($"sweep {prepared.Request.Symbol} {prepared.Request.Strategy}: {outcome.Report.Line()}");
        return outcome.Outcome;
    }

    /// <summary>The failures that mean the silo running the cell went away (or hung), not that the cell itself is wrong.</summary>
    public static bool IsSiloLoss(Exception ex) => ex is SiloUnavailableException or ClientNotAvailableException or TimeoutException;

    /// <summary>The failures that mean the call never reached a silo: the client tried a gateway that is gone (its
    /// static list still names a killed silo for a while) or busy. The cell did not run; it is sent again after a pause.</summary>
    public static bool IsNotDelivered(Exception ex) =>
        ex is OrleansMessageRejectionException or ConnectionFailedException or GatewayTooBusyException;

    /// <summary>Tries to deliver one run of a cell before the sweep gives up on the cluster.</summary>
    public int MaxDeliveries { get; init; } = 40;

    /// <summary>One cell until the ledger has its row: its runs (attempts), each under a key of its own so the client
    /// routes it afresh, and the wait for either an answer or a lost gateway.</summary>
    private sealed class CellRun(ClusterSweep sweep, SweepCellJob job, int cell, SweepCellLedger ledger, IProgress<int>? progress)
    {
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _attempts;
        private int _undelivered;

        public async Task RunAsync(SemaphoreSlim slots, CancellationToken ct)
        {
            await slots.WaitAsync(ct);
            try
            {
                // A waiter can be handed a slot in the moment after a cancel (the semaphore removes cancelled waiters
                // later): it sends nothing then.
                ct.ThrowIfCancellationRequested();
                Launch(ct);
                while (true)
                {
                    var lost = sweep._losses?.NextLoss ?? Task.Delay(Timeout.Infinite, ct);
                    var first = await Task.WhenAny(_done.Task, lost).WaitAsync(ct);
                    if (first == _done.Task)
                    {
                        await _done.Task;
                        return;
                    }

                    Again("its gateway connection dropped", ct);
                }
            }
            finally
            {
                slots.Release();
            }
        }

        private void Launch(CancellationToken ct)
        {
            var attempt = Interlocked.Increment(ref _attempts);
            if (attempt > sweep.MaxAttempts)
            {
                _done.TrySetException(new ClusterSweepException(
                    $"cell {cell} was lost {sweep.MaxAttempts} times; check that the silos stay up and can read the bars."));
                return;
            }

            _ = AttemptAsync(attempt, ct);
        }

        private async Task AttemptAsync(int attempt, CancellationToken ct)
        {
            try
            {
                var worker = sweep._grains.GetGrain<ISweepCellGrain>($"{job.Id:N}/{cell}/{attempt}");
                // Cancelling the sweep cancels the call: the silo stops the cell's backtest part-way.
                var result = await worker.Run(job, cell, ct);
                // An answer that crossed the cancel reports no progress.
                if (ledger.Accept(result) && !ct.IsCancellationRequested)
                {
                    progress?.Report(ledger.Accepted);
                }

                _done.TrySetResult();
            }
            catch (Exception ex) when (IsSiloLoss(ex))
            {
                Again($"{ex.GetType().Name}", ct);
            }
            catch (Exception ex) when (IsNotDelivered(ex) && !ct.IsCancellationRequested)
            {
                var tries = Interlocked.Increment(ref _undelivered);
                if (tries >= sweep.MaxDeliveries)
                {
                    _done.TrySetException(new ClusterSweepException(
                        $"cell {cell} could not be delivered to any silo in {tries} tries ({ex.GetType().Name}); check that the silos are up."));
                    return;
                }

                // Not a lost run, only a call that found no live way in: the same run again, once the client has had a
                // moment to drop the dead gateway from its list.
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2_000, 100 * tries)), ct);
                await AttemptAsync(attempt, ct);
            }
            catch (Exception ex)
            {
                _done.TrySetException(ex);
            }
        }

        private void Again(string why, CancellationToken ct)
        {
            if (_done.Task.IsCompleted || ct.IsCancellationRequested)
            {
                return;
            }

            ledger.Resubmitted();
            sweep.Log?.Invoke($"cell {cell}: running it again ({why}; run {Volatile.Read(ref _attempts) + 1})");
            Launch(ct);
        }
    }
}
