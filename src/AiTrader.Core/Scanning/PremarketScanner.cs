using System.Collections.Concurrent;
using System.Diagnostics;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Scanning;

/// <summary>Measures premarket gap, relative volume by time of day and dollar volume for a universe at one window,
/// filters and ranks them (see docs/reference/scanning.md).</summary>
/// <remarks>
/// No lookahead: at window T only minute bars that have closed by T count (the bar opening at T − 1 min is the last),
/// and the daily trend filter reads daily bars up to the prior session only. Bars are requested split-adjusted, so a
/// split on the scan date leaves the prior close and past volumes on today's basis. RVOL compares the volume from
/// 04:00 ET up to T with the mean cumulative volume up to the same New York time of day over the most recent
/// <see cref="ScanOptions.LookbackSessions"/> past sessions of the calendar that (a) were still open at that time of
/// day (a 13:00 half day is skipped for windows at or after 13:00) and (b) have minute bars in the data.
/// </remarks>
public sealed class PremarketScanner : IUniverseScanner
{
    private static readonly TimeSpan OneMinute = TimeSpan.FromMinutes(1);
    private readonly ITradingCalendar _calendar;
    private readonly IMarketSnapshotSource? _snapshots;
    private readonly TimeProvider _clock;
    private readonly ScanBarReader _reader;
    private readonly SymbolScanMeasure _measure;

    /// <param name="splits">The split history of a symbol, for data that is back-adjusted to a later date than the
    /// scan's (the bundled files are adjusted to 2021): bars are then read raw and adjusted only for splits effective
    /// by the scan date, so prices stay as traded on that day. Null when the source's split adjustment already ends
    /// at the scan date (a live feed scanning today).</param>
    public PremarketScanner(IBarSource bars, ITradingCalendar calendar, ScanOptions? options = null,
        IMarketSnapshotSource? snapshots = null, TimeProvider? clock = null, Func<Symbol, IReadOnlyList<SplitEvent>>? splits = null)
    {
        ArgumentNullException.ThrowIfNull(bars);
        ArgumentNullException.ThrowIfNull(calendar);
        _calendar = calendar;
        _reader = new ScanBarReader(bars, splits);
        _measure = new SymbolScanMeasure(options ?? new ScanOptions(), _reader);
        _snapshots = snapshots;
        _clock = clock ?? TimeProvider.System;
    }

    public ScanOptions Options => _measure.Options;

    /// <summary>At most this many symbols are measured at once (each costs a bar request in live mode).</summary>
    public int MaxParallelism { get; init; } = 4;

    /// <summary>Scans <paramref name="universe"/> as of <paramref name="windowUtc"/> on trading date <paramref name="date"/>.</summary>
    /// <exception cref="ArgumentException">The date is not a trading day, or the window is not a UTC instant on it.</exception>
    public async Task<ScanRefresh> ScanAsync(DateOnly date, DateTime windowUtc, IReadOnlyList<Symbol> universe,
        string mode = "replay", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(universe);
        var context = ScanWindow.For(_calendar, Options, date, windowUtc);
        var started = _clock.GetUtcNow().UtcDateTime;
        var watch = Stopwatch.StartNew();
        var symbols = universe.Distinct().ToList();
        var rows = new ConcurrentBag<ScanRow>();
        var errors = new ConcurrentBag<string>();

        var snapshots = _snapshots is null
            ? new Dictionary<Symbol, MarketSnapshot>()
            : await SnapshotsAsync(symbols, errors, cancellationToken).ConfigureAwait(false);
        var toMeasure = new List<Symbol>();
        foreach (var symbol in symbols)
        {
            // Stage 1 (live): the price band on the snapshot drops most of a large listing before any bar request.
            if (snapshots.TryGetValue(symbol, out var snap) && snap.LastPrice is { } price && snap.LastTradeUtc <= windowUtc
                && _measure.OutsideBand(price) is { } band)
            {
                rows.Add(SymbolScanMeasure.Empty(windowUtc, symbol, ScanRowStatus.Filtered, $"{band} (snapshot)") with { LastPrice = price, LastBarUtc = snap.LastTradeUtc });
                continue;
            }

            toMeasure.Add(symbol);
        }

        await Parallel.ForEachAsync(toMeasure,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, MaxParallelism), CancellationToken = cancellationToken },
            async (symbol, ct) =>
            {
                try
                {
                    snapshots.TryGetValue(symbol, out var snapshot);
                    rows.Add(await MeasureAsync(symbol, context, snapshot, ct).ConfigureAwait(false));
                }
                catch (MarketDataException ex)
                {
                    var (row, error) = SymbolScanMeasure.Failed(windowUtc, symbol, ex);
                    errors.Add(error);
                    rows.Add(row);
                }
            }).ConfigureAwait(false);

        return ScanRefresh.Rank(windowUtc, date, started, watch.Elapsed, symbols.Count, rows, errors, mode);
    }

    /// <summary>Measures one symbol from its minute bars since the window's history start, streamed into a fresh state.</summary>
    private async Task<ScanRow> MeasureAsync(Symbol symbol, ScanWindow context, MarketSnapshot? snapshot, CancellationToken ct)
    {
        var state = new SymbolScanState(_calendar);
        if (context.Past.Count > 0)
        {
            var minuteBars = await _reader.LoadAsync(symbol, Timeframe.OneMinute, context.HistoryStartUtc, context.WindowUtc - OneMinute,
                context.Session.Date, ct).ConfigureAwait(false);
            foreach (var bar in minuteBars)
            {
                state.Add(bar);
            }
        }

        return await _measure.MeasureAsync(symbol, state, context, snapshot, ct).ConfigureAwait(false);
    }

    private async Task<Dictionary<Symbol, MarketSnapshot>> SnapshotsAsync(List<Symbol> symbols, ConcurrentBag<string> errors, CancellationToken ct)
    {
        var result = new Dictionary<Symbol, MarketSnapshot>();
        var size = Math.Max(1, _snapshots!.MaxSymbolsPerRequest);
        for (var i = 0; i < symbols.Count; i += size)
        {
            var batch = symbols.GetRange(i, Math.Min(size, symbols.Count - i));
            try
            {
                foreach (var (symbol, snapshot) in await _snapshots.GetSnapshotsAsync(batch, ct).ConfigureAwait(false))
                {
                    result[symbol] = snapshot;
                }
            }
            catch (MarketDataException ex)
            {
                // Without snapshots the batch is still measured from bars; say so once.
                errors.Add($"snapshots for {batch.Count} symbol(s) from {batch[0]}: {SymbolScanMeasure.OneLine(ex.Message)}");
            }
        }

        return result;
    }

}
