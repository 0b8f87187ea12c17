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
    /// <summary>Sweeps kept prepared at once; an older one is prepared again if a late cell of it arrives.</summary>
    private const int KeptJobs = 4;

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, Task<PreparedJob>> _jobs = [];
    private readonly Queue<Guid> _order = new();
    private long _finished;
    private int _running;

    /// <summary>Cells finished on this silo since it started.</summary>
    public long Finished => Interlocked.Read(ref _finished);

    /// <summary>Cells running now.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Backtests cell <paramref name="cell"/> of <paramref name="job"/>.</summary>
    public async Task<SweepRow> RunAsync(SweepCellJob job, int cell, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        var prepared = await Prepared(job);
        var combination = prepared.Grid.Combination(cell);
        Interlocked.Increment(ref _running);
        try
        {
            // Off the grain's turn: a backtest is CPU work, and the silo's scheduler keeps serving messages meanwhile.
            var row = await Task.Run(() => prepared.Runner.RunCombination(prepared.Series, combination), ct);
            Interlocked.Increment(ref _finished);
            return row;
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
        var series = await SweepRun.LoadBarsAsync(settings, request.Symbol, request.Interval, request.Start, request.End, CancellationToken.None);
        return new PreparedJob(new SweepRunner(options), request.Grid, series);
    }

    private sealed record PreparedJob(SweepRunner Runner, ParameterGrid Grid, BarSeries Series);
}
