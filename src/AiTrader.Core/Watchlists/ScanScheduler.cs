using System.Globalization;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Scanning;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Watchlists;

/// <summary>What a scheduled day of scanning produced: each refresh, the watchlist each published, and why a
/// window or the whole day was skipped.</summary>
public sealed record ScanDay(DateOnly Date, IReadOnlyList<ScanRefresh> Refreshes, IReadOnlyList<Watchlist> Published, IReadOnlyList<string> Notes)
{
    /// <summary>The last published watchlist of the day (the one the trading loop's premarket step takes), or null.</summary>
    public Watchlist? Latest => Published.Count > 0 ? Published[^1] : null;
}

/// <summary>Runs the scan at each window of a trading day on a clock (<see cref="TimeProvider.System"/> live, a
/// <see cref="SimulatedClock"/> in replay), stores every refresh and publishes its top N as the day's watchlist.</summary>
/// <remarks>The calendar decides the day: a weekend or holiday has no windows, and an early close drops the windows
/// at or after 13:00. A live run that starts late skips the windows already past (it cannot see the past as it was)
/// and says so. A failed store write is reported in the day's notes and does not stop later windows.</remarks>
public sealed class ScanScheduler
{
    private readonly IUniverseScanner _scanner;
    private readonly ITradingCalendar _calendar;
    private readonly TimeProvider _clock;
    private readonly IWatchlistStore? _store;

    public ScanScheduler(IUniverseScanner scanner, ScanSchedule schedule, ITradingCalendar calendar, TimeProvider clock,
        IWatchlistStore? store = null, string mode = "replay")
    {
        ArgumentNullException.ThrowIfNull(scanner);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(calendar);
        ArgumentNullException.ThrowIfNull(clock);
        _scanner = scanner;
        Schedule = schedule;
        _calendar = calendar;
        _clock = clock;
        _store = store;
        Mode = mode;
    }

    public ScanSchedule Schedule { get; }

    /// <summary>replay or live: recorded in every refresh.</summary>
    public string Mode { get; }

    /// <summary>Called after each refresh is stored and its watchlist published (e.g. to print it).</summary>
    public Func<ScanRefresh, Watchlist, CancellationToken, Task>? OnRefresh { get; init; }

    /// <summary>A scheduler that replays <paramref name="session"/> over <paramref name="bars"/> on a
    /// <see cref="SimulatedClock"/> set a minute before the premarket open: each window sees only the bars closed by then.</summary>
    /// <param name="splits">See <see cref="PremarketScanner"/>.</param>
    public static ScanScheduler Replay(TradingSession session, IBarSource bars, ITradingCalendar calendar, ScanOptions? options,
        ScanSchedule schedule, IWatchlistStore? store, Func<Symbol, IReadOnlyList<SplitEvent>>? splits,
        Func<ScanRefresh, Watchlist, CancellationToken, Task>? onRefresh = null)
    {
        ArgumentNullException.ThrowIfNull(bars);
        return Replay(session, clock => new PremarketScanner(bars, calendar, options, clock: clock, splits: splits), calendar, schedule, store, onRefresh);
    }

    /// <summary>A scheduler that replays <paramref name="session"/> with the scanner <paramref name="scanner"/> makes on
    /// the replay's <see cref="SimulatedClock"/> (set a minute before the premarket open), e.g. a cluster's.</summary>
    public static ScanScheduler Replay(TradingSession session, Func<TimeProvider, IUniverseScanner> scanner, ITradingCalendar calendar,
        ScanSchedule schedule, IWatchlistStore? store, Func<ScanRefresh, Watchlist, CancellationToken, Task>? onRefresh = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(scanner);
        var clock = new SimulatedClock(session.PremarketOpenUtc.AddMinutes(-1));
        return new ScanScheduler(scanner(clock), schedule, calendar, clock, store, "replay") { OnRefresh = onRefresh };
    }

    /// <summary>Scans <paramref name="universe"/> at every window of <paramref name="date"/>, waiting on the clock
    /// for each; returns when the last window is done.</summary>
    public async Task<ScanDay> RunDayAsync(DateOnly date, IReadOnlyList<Symbol> universe, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(universe);
        var notes = new List<string>();
        var windows = Schedule.WindowsUtc(date, _calendar);
        if (windows.Count == 0)
        {
            var why = _calendar.GetSession(date) is null
                ? $"{date:yyyy-MM-dd} ({date.DayOfWeek}) is not a trading day: no scan"
                : $"no window of {Schedule} falls before the {date:yyyy-MM-dd} close";
            return new ScanDay(date, [], [], [why]);
        }

        var refreshes = new List<ScanRefresh>();
        var published = new List<Watchlist>();
        var skipped = 0;
        foreach (var window in windows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var now = _clock.GetUtcNow().UtcDateTime;
            // A window more than a minute past cannot be scanned as it was live; a replay clock is never past it.
            if (window < now - TimeSpan.FromMinutes(1))
            {
                skipped++;
                continue;
            }

            if (window > now)
            {
                await Task.Delay(window - now, _clock, cancellationToken).ConfigureAwait(false);
            }

            var refresh = await _scanner.ScanAsync(date, window, universe, Mode, cancellationToken).ConfigureAwait(false);
            var watchlist = Publish(refresh, _scanner.Options.Top);
            if (_store is not null)
            {
                try
                {
                    refresh = await _store.SaveRefreshAsync(refresh, cancellationToken).ConfigureAwait(false);
                    watchlist = await _store.SaveAsync(watchlist, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException or InvalidDataException
                    or System.Data.Common.DbException)
                {
                    notes.Add($"{Stamp(window)}: could not store the refresh ({ex.Message.ReplaceLineEndings(" ")})");
                }
            }

            refreshes.Add(refresh);
            published.Add(watchlist);
            if (OnRefresh is not null)
            {
                await OnRefresh(refresh, watchlist, cancellationToken).ConfigureAwait(false);
            }
        }

        if (skipped > 0)
        {
            notes.Add($"skipped {skipped} window(s) already past when the run started");
        }

        return new ScanDay(date, refreshes, published, notes);
    }

    /// <summary>The watchlist a refresh publishes to the <c>scan</c> bucket: its top <paramref name="top"/>, tagged
    /// <c>scan</c>, stamped at the window.</summary>
    public static Watchlist Publish(ScanRefresh refresh, int top)
    {
        ArgumentNullException.ThrowIfNull(refresh);
        var entries = refresh.Top(top).Select(r => new WatchlistEntry(r.Symbol, "scan", r.Rank, r.Score,
            string.Create(CultureInfo.InvariantCulture, $"{ScanNotes.GapAndRvol(r)}, last {r.LastPrice}, prior close {r.PriorClose}")))
            .ToList();
        var notes = new List<string> { ScanNotes.Header(refresh) };
        notes.AddRange(refresh.Errors);
        return new Watchlist(WatchlistBucket.Scan, refresh.Window, "scan", entries, notes);
    }

    private static string Stamp(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);
}
