using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Scanning;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Watchlists;

/// <summary>Whether a trading day is replayed on a simulated clock or traded live.</summary>
public enum PremarketMode
{
    Replay,
    Live,
}

/// <summary>The watchlist the trading loop's premarket step takes for one session, with the source of each symbol.</summary>
/// <param name="Source">scan, or the bucket it was loaded from.</param>
/// <param name="AsOfUtc">The refresh window or saved time of the list (always before the session's open in replay).</param>
public sealed record PremarketWatchlist(DateOnly SessionDate, string Source, DateTime AsOfUtc, IReadOnlyList<WatchlistEntry> Entries, IReadOnlyList<string> Notes)
{
    public IReadOnlyList<Symbol> Symbols => Entries.Select(e => e.Symbol).ToList();
}

/// <summary>Gives the trading loop's premarket step its watchlist for a session: from the scan (<c>scan</c>) or from a
/// stored bucket (any other name). This is the seam <c>aitrader trade --watchlist-source scan|BUCKET</c> calls.</summary>
/// <remarks>
/// <c>scan</c> in replay runs the scheduled scan for the date on a <see cref="SimulatedClock"/> over the bars (every
/// window of the schedule, each stored when a store is given) and takes the last window's top N; nothing after that
/// window is read. <c>scan</c> live runs the scan once at the clock's now (the latest closed minute). A bucket gives its
/// latest watchlist saved at or before the session's open (replay) or now (live), so a replayed day never trades on a
/// list made after it started.
/// </remarks>
public sealed class PremarketWatchlistProvider
{
    private readonly string _source;
    private readonly bool _isScan;
    private readonly IWatchlistStore? _store;
    private readonly IBarSource? _bars;
    private readonly IReadOnlyList<Symbol> _universe;
    private readonly TimeProvider _clock;
    private readonly Func<Symbol, IReadOnlyList<SplitEvent>>? _splits;

    /// <param name="source"><c>scan</c> or a bucket name.</param>
    /// <param name="store">Where buckets are read and scan refreshes stored; required for a bucket.</param>
    /// <param name="bars">The bars a scan reads (bundled CSV in replay, the DAL live); required for <c>scan</c>.</param>
    /// <param name="universe">The symbols a scan ranks; required for <c>scan</c>.</param>
    /// <param name="clock">The live clock (<see cref="TimeProvider.System"/> by default); replays make their own.</param>
    /// <param name="splits">Split history for bars back-adjusted past the session (the bundled CSV: pass
    /// <see cref="CsvBarSource.SplitsFor"/>); see <see cref="PremarketScanner"/>.</param>
    /// <remarks>The scan runs with the default <see cref="ScanOptions"/> on the <see cref="ScanSchedule.Premarket"/>
    /// windows of the <see cref="NyseCalendar"/>.</remarks>
    public PremarketWatchlistProvider(string source, IWatchlistStore? store = null, IBarSource? bars = null,
        IReadOnlyList<Symbol>? universe = null, TimeProvider? clock = null, Func<Symbol, IReadOnlyList<SplitEvent>>? splits = null)
    {
        _splits = splits;
        _isScan = IsScan(source);
        _source = _isScan ? WatchlistBucket.Scan : WatchlistBucket.Validate(source);
        _store = store;
        _bars = bars;
        _universe = universe ?? [];
        _clock = clock ?? TimeProvider.System;
        if (_isScan && (bars is null || _universe.Count == 0))
        {
            throw new ArgumentException("A scan watchlist needs bars and a non-empty universe.");
        }

        if (!_isScan && store is null)
        {
            throw new ArgumentException($"The watchlist bucket '{_source}' needs a store to read it from.");
        }
    }

    /// <summary>True for the name that means "run the scan" rather than a bucket.</summary>
    public static bool IsScan(string? source) => string.Equals(source?.Trim(), "scan", StringComparison.OrdinalIgnoreCase);

    /// <summary>The premarket watchlist for <paramref name="sessionDate"/>.</summary>
    /// <exception cref="ArgumentException">Not a trading day, or the bucket holds no list old enough.</exception>
    public async Task<PremarketWatchlist> ForSessionAsync(DateOnly sessionDate, PremarketMode mode, CancellationToken cancellationToken = default)
    {
        var session = NyseCalendar.Instance.GetSession(sessionDate)
            ?? throw new ArgumentException($"{sessionDate:yyyy-MM-dd} ({sessionDate.DayOfWeek}) is not a trading day; no premarket watchlist.");
        if (_isScan)
        {
            return mode == PremarketMode.Replay
                ? await ReplayScanAsync(session, cancellationToken).ConfigureAwait(false)
                : await LiveScanAsync(session, cancellationToken).ConfigureAwait(false);
        }

        var at = mode == PremarketMode.Replay ? session.OpenUtc : _clock.GetUtcNow().UtcDateTime;
        var list = await _store!.LoadAsync(_source, at, cancellationToken).ConfigureAwait(false)
            ?? throw new ArgumentException(
                $"bucket '{_source}' holds no watchlist saved at or before {at:yyyy-MM-dd HH:mm}Z; build one with 'aitrader watchlist build --bucket {_source}'.");
        return new PremarketWatchlist(sessionDate, _source, list.CreatedUtc, list.Entries,
            [$"bucket {_source}: watchlist of {list.CreatedUtc:yyyy-MM-dd HH:mm:ss}Z from {list.Source}", .. list.Notes]);
    }

    private async Task<PremarketWatchlist> ReplayScanAsync(TradingSession session, CancellationToken ct)
    {
        var scheduler = ScanScheduler.Replay(session, _bars!, NyseCalendar.Instance, options: null, ScanSchedule.Premarket, _store, _splits);
        var day = await scheduler.RunDayAsync(session.Date, _universe, ct).ConfigureAwait(false);
        var latest = day.Latest ?? throw new ArgumentException($"no scan window of {ScanSchedule.Premarket} on {session.Date:yyyy-MM-dd}; {string.Join("; ", day.Notes)}");
        return new PremarketWatchlist(session.Date, "scan", latest.CreatedUtc, latest.Entries, [.. latest.Notes, .. day.Notes]);
    }

    private async Task<PremarketWatchlist> LiveScanAsync(TradingSession session, CancellationToken ct)
    {
        var now = _clock.GetUtcNow().UtcDateTime;
        var window = ScanSchedule.LiveWindow(session, now)
            ?? throw new ArgumentException($"a live scan runs between the premarket open and the close of {session.Date:yyyy-MM-dd}; it is {now:HH:mm}Z.");
        var scanner = new PremarketScanner(_bars!, NyseCalendar.Instance, clock: _clock, splits: _splits);
        var refresh = await scanner.ScanAsync(session.Date, window, _universe, "live", ct).ConfigureAwait(false);
        var watchlist = ScanScheduler.Publish(refresh, scanner.Options.Top);
        if (_store is not null)
        {
            await _store.SaveRefreshAsync(refresh, ct).ConfigureAwait(false);
            watchlist = await _store.SaveAsync(watchlist, ct).ConfigureAwait(false);
        }

        return new PremarketWatchlist(session.Date, "scan", refresh.Window, watchlist.Entries, watchlist.Notes);
    }
}
