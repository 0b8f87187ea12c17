using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Scanning;

namespace AiTrader.Cluster.Scans;

/// <summary>One symbol's scan state on a silo: a <see cref="SymbolScanState"/> for one scan date, fed by the stream and
/// measured with the single-machine scanner's <see cref="SymbolScanMeasure"/>. Idle for <see cref="IdleMinutes"/>
/// minutes, it is deactivated and its state dropped; the next call rebuilds it from the bar cache (everything from the
/// window's history start up to where the stream goes on), so a rebuilt grain measures what a live one would.</summary>
[CollectionAgeLimit(Minutes = IdleMinutes)]
internal sealed class ScanSymbolGrain(UniverseScanWork work, ILocalSiloDetails silo) : Grain, IScanSymbolGrain
{
    /// <summary>Minutes without a call before the grain is deactivated (a premarket refreshes every 5).</summary>
    public const double IdleMinutes = 10;

    private readonly Guid _activation = Guid.NewGuid();
    private Symbol _symbol;
    private (DateOnly Date, int Lookback)? _day;
    private SymbolScanState? _state;
    private SymbolScanMeasure? _measure;

    /// <summary>Every bar that opened before this instant (and at or after the history start) is in the state.</summary>
    private DateTime _through;
    private int _fromCache;
    private int _streamed;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _symbol = new Symbol(this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }

    public async Task Feed(UniverseScanJob job, ScanBarBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var state = Day(job);
        try
        {
            await FillFromCacheAsync(job.Date, batch.FromUtc);
        }
        catch (MarketDataException)
        {
            // The gap before the stretch cannot be read: keep the state where it is; the next measurement reads the
            // same data and reports the failure in the symbol's row.
            return;
        }

        foreach (var bar in batch.Bars)
        {
            if (bar.Timestamp >= _through)
            {
                state.Add(bar);
                _streamed++;
            }
        }

        if (batch.ToUtc > _through)
        {
            _through = batch.ToUtc;
        }
    }

    public async Task<ScanSymbolReply> Measure(UniverseScanJob job, DateTime windowUtc)
    {
        var state = Day(job);
        var options = job.ToOptions();
        if (_measure is null || _measure.Options != options)
        {
            _measure = new SymbolScanMeasure(options, work.Reader);
        }

        var window = ScanWindow.For(work.Calendar, options, job.Date, windowUtc);
        ScanRow row;
        string? error = null;
        try
        {
            await FillFromCacheAsync(job.Date, windowUtc);
            row = await _measure.MeasureAsync(_symbol, state, window, snapshot: null, CancellationToken.None);
        }
        catch (MarketDataException ex)
        {
            (row, error) = SymbolScanMeasure.Failed(windowUtc, _symbol, ex);
        }

        return new ScanSymbolReply(row, error, silo.SiloAddress.Endpoint.ToString(), _activation, _fromCache, _streamed, state.ApproximateBytes, state.Points);
    }

    /// <summary>The state for <paramref name="job"/>'s date and lookback; a new date (a new split basis, a new history)
    /// starts a new one.</summary>
    private SymbolScanState Day(UniverseScanJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var key = (job.Date, job.LookbackSessions);
        if (_state is null || _day != key)
        {
            var options = job.ToOptions();
            var session = work.Calendar.GetSession(job.Date)
                ?? throw new ArgumentException($"{job.Date:yyyy-MM-dd} is not a trading day; pick a trading session.", nameof(job));
            _state = new SymbolScanState(work.Calendar);
            _through = ScanWindow.For(work.Calendar, options, job.Date, session.PremarketOpenUtc).HistoryStartUtc;
            _day = key;
        }

        return _state;
    }

    /// <summary>Reads the bars from <see cref="_through"/> up to (not including) <paramref name="untilUtc"/> from the cache.</summary>
    private async Task FillFromCacheAsync(DateOnly date, DateTime untilUtc)
    {
        if (untilUtc <= _through)
        {
            return;
        }

        var bars = await work.Reader.LoadAsync(_symbol, Timeframe.OneMinute, _through, untilUtc.AddTicks(-1), date, CancellationToken.None);
        foreach (var bar in bars)
        {
            _state!.Add(bar);
        }

        _fromCache += bars.Count;
        _through = untilUtc;
    }
}
