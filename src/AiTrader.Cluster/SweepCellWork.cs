using AiTrader.Application;
using AiTrader.Application.Sweeps;
using AiTrader.Core.Backtesting.Sweeps;
using AiTrader.Core.MarketData;

namespace AiTrader.Cluster;

/// <summary>A silo's side of distributed sweeps: each sweep (job) prepared once for all of its cells that land here (the
/// request checked, the bars loaded through the same loader and columnar cache as <c>aitrader sweep</c>), and the count
/// of cells run, which the silo logs as its load.</summary>
public sealed class SweepCellWork(AppSettings settings)
{
    private readonly SharedBarCache? _shared = SharedBarCache.From(settings);
    /// <summary>Sweeps kept prepared at once; an older one is prepared again if a late cell of it arrives.</summary>
    private const int KeptJobs = 4;

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, Task<PreparedJob>> _jobs = [];
    private readonly Queue<Guid> _order = new();
    private long _finished;
    private int _running;
    private int _fromCache;
    private int _parsed;
    private int _downloaded;
    private long _cancelled;

    /// <summary>Cells finished on this silo since it started.</summary>
    public long Finished => Interlocked.Read(ref _finished);

    /// <summary>Cells stopped part-way since the silo started, because their sweep was cancelled.</summary>
    public long Cancelled => Interlocked.Read(ref _cancelled);

    /// <summary>Cells running now.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Sweeps whose bars this silo read whole from the columnar bar cache (the folder every silo is given:
    /// AITRADER_BAR_CACHE), where the client that sent the sweep wrote them before its first cell.</summary>
    public int BarsFromCache => Volatile.Read(ref _fromCache);

    /// <summary>Sweeps whose bars this silo downloaded from the shared bar cache in Azure Blob storage (counted among
    /// <see cref="BarsFromCache"/> too); a later sweep on the same bars reads this silo's copy.</summary>
    public int BarsDownloaded => Volatile.Read(ref _downloaded);

    /// <summary>Sweeps whose bars this silo had to parse from CSV (the cache off, or its entry missing or stale).</summary>
    public int BarsParsed => Volatile.Read(ref _parsed);

    /// <summary>Backtests cell <paramref name="cell"/> of <paramref name="job"/>: a combination on the job's bars, or on
    /// one walk-forward window's in-sample bars (<see cref="SweepCellJob.InSampleWindows"/>).</summary>
    public async Task<SweepRow> RunAsync(SweepCellJob job, int cell, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        var prepared = await Prepared(job);
        var (window, index) = Math.DivRem(cell, prepared.Grid.Count);
        var combination = prepared.Grid.Combination(index);
        Interlocked.Increment(ref _running);
        try
        {
            // Off the grain's turn: a backtest is CPU work, and the silo's scheduler keeps serving messages meanwhile.
            // A cancelled call (the sweep was cancelled) stops the backtest at its next look at the token.
            var row = await Task.Run(() => prepared.Runner.RunCombination(prepared.Bars(job, window), combination, ct), ct);
            Interlocked.Increment(ref _finished);
            return row;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Interlocked.Increment(ref _cancelled);
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    private Task<PreparedJob> Prepared(SweepCellJob job)
    {
        lock (_gate)
        {
            if (_jobs.TryGetValue(job.Id, out var existing) && !existing.IsFaulted && !existing.IsCanceled)
            {
                return existing;
            }

            if (!_jobs.ContainsKey(job.Id))
            {
                _order.Enqueue(job.Id);
            }

            var task = PrepareAsync(job);
            _jobs[job.Id] = task;
            while (_order.Count > KeptJobs)
            {
                _jobs.Remove(_order.Dequeue());
            }

            return task;
        }
    }

    private async Task<PreparedJob> PrepareAsync(SweepCellJob job)
    {
        var request = job.ToRequest();
        var options = SweepRun.Check(request);
        if (job.SharedBars is { } name && _shared is { } shared && await FromSharedAsync(shared, name, request) is { } snapshot)
        {
            return new PreparedJob(new SweepRunner(options), request.Grid, snapshot);
        }

        // A cache of this job's own, so what its load did (every file from the cache, or some parsed) is this job's alone.
        var cache = settings.BarCache();
        var series = await SweepRun.LoadBarsAsync(settings, request.Symbol, request.Interval, request.Start, request.End, CancellationToken.None, cache);
        var outcomes = cache?.Outcomes().Values.ToList();
        if (outcomes is { Count: > 0 } && outcomes.All(o => o == BarCacheOutcome.Hit))
        {
            Interlocked.Increment(ref _fromCache);
        }
        else
        {
            Interlocked.Increment(ref _parsed);
        }

        return new PreparedJob(new SweepRunner(options), request.Grid, series);
    }

    /// <summary>The job's bars from the shared cache; null when it does not hold them whole or does not answer (the silo
    /// then loads them as the client did, with the same bars).</summary>
    private async Task<BarSeries?> FromSharedAsync(SharedBarCache shared, string name, SweepRequest request)
    {
        try
        {
            var (series, downloaded) = await shared.LoadAsync(name, request.Symbol, request.Interval, CancellationToken.None);
            if (series is not null)
            {
                Interlocked.Increment(ref _fromCache);
                if (downloaded)
                {
                    Interlocked.Increment(ref _downloaded);
                }
            }

            return series;
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or IOException or UnauthorizedAccessException or AggregateException)
        {
            return null;
        }
    }

    private sealed record PreparedJob(SweepRunner Runner, ParameterGrid Grid, BarSeries Series)
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<int, Lazy<BarSeries>> _windows = new();

        /// <summary>The bars cell block <paramref name="window"/> runs on: the whole series for a sweep, a walk-forward
        /// window's in-sample bars (sliced once per window) otherwise.</summary>
        public BarSeries Bars(SweepCellJob job, int window)
        {
            if (job.InSampleWindows is not { } windows)
            {
                return window == 0 ? Series : throw new ArgumentOutOfRangeException(nameof(window), window, "a sweep has one block of cells.");
            }

            var bounds = windows[window];
            return _windows.GetOrAdd(window, _ => new Lazy<BarSeries>(() => Series.Slice(bounds[0], bounds[1]))).Value;
        }
    }
}
