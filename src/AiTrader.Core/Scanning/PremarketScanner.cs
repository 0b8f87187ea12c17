using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using AiTrader.Core.Signals;
using AiTrader.Core.Signals.Regimes;

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
public sealed class PremarketScanner
{
    private static readonly TimeSpan OneMinute = TimeSpan.FromMinutes(1);
    private readonly IBarSource _bars;
    private readonly ITradingCalendar _calendar;
    private readonly IMarketSnapshotSource? _snapshots;
    private readonly TimeProvider _clock;
    private readonly Func<Symbol, IReadOnlyList<SplitEvent>>? _splits;
    private readonly ConcurrentDictionary<(Symbol, DateOnly), Lazy<Task<Trend?>>> _trends = new();

    /// <param name="splits">The split history of a symbol, for data that is back-adjusted to a later date than the
    /// scan's (the bundled files are adjusted to 2021): bars are then read raw and adjusted only for splits effective
    /// by the scan date, so prices stay as traded on that day. Null when the source's split adjustment already ends
    /// at the scan date (a live feed scanning today).</param>
    public PremarketScanner(IBarSource bars, ITradingCalendar calendar, ScanOptions? options = null,
        IMarketSnapshotSource? snapshots = null, TimeProvider? clock = null, Func<Symbol, IReadOnlyList<SplitEvent>>? splits = null)
    {
        _splits = splits;
        ArgumentNullException.ThrowIfNull(bars);
        ArgumentNullException.ThrowIfNull(calendar);
        _bars = bars;
        _calendar = calendar;
        Options = (options ?? new ScanOptions()).Validate();
        _snapshots = snapshots;
        _clock = clock ?? TimeProvider.System;
    }

    public ScanOptions Options { get; }

    /// <summary>At most this many symbols are measured at once (each costs a bar request in live mode).</summary>
    public int MaxParallelism { get; init; } = 4;

    /// <summary>Scans <paramref name="universe"/> as of <paramref name="windowUtc"/> on trading date <paramref name="date"/>.</summary>
    /// <exception cref="ArgumentException">The date is not a trading day, or the window is not a UTC instant on it.</exception>
    public async Task<ScanRefresh> ScanAsync(DateOnly date, DateTime windowUtc, IReadOnlyList<Symbol> universe,
        string mode = "replay", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(universe);
        if (windowUtc.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException($"The scan window {windowUtc:O} must be a UTC instant.", nameof(windowUtc));
        }

        var session = _calendar.GetSession(date)
            ?? throw new ArgumentException($"{date:yyyy-MM-dd} is not a trading day ({date.DayOfWeek}); pick a trading session.", nameof(date));
        if (ExchangeTime.SessionDate(windowUtc) != date)
        {
            throw new ArgumentException($"The window {windowUtc:O} is not on {date:yyyy-MM-dd} (New York).", nameof(windowUtc));
        }

        var started = _clock.GetUtcNow().UtcDateTime;
        var watch = Stopwatch.StartNew();
        var symbols = universe.Distinct().ToList();
        var past = PastSessions(date);
        var rvol = RvolWindows.For(windowUtc, past);
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
                && OutsideBand(price) is { } band)
            {
                rows.Add(Empty(windowUtc, symbol, ScanRowStatus.Filtered, $"{band} (snapshot)") with { LastPrice = price, LastBarUtc = snap.LastTradeUtc });
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
                    rows.Add(await MeasureAsync(symbol, session, windowUtc, past, rvol, snapshot, ct).ConfigureAwait(false));
                }
                catch (MarketDataException ex)
                {
                    var line = OneLine(ex.Message);
                    errors.Add($"{symbol}: {line}");
                    rows.Add(Empty(windowUtc, symbol, ScanRowStatus.Error, line));
                }
            }).ConfigureAwait(false);

        var ranked = rows.Where(r => r.Status == ScanRowStatus.Ranked)
            .OrderByDescending(r => r.Score)
            .ThenBy(r => r.Symbol.Value, StringComparer.Ordinal)
            .Select((r, i) => r with { Rank = i + 1 });
        var others = rows.Where(r => r.Status != ScanRowStatus.Ranked).OrderBy(r => r.Symbol.Value, StringComparer.Ordinal);
        return new ScanRefresh(windowUtc, date, started, watch.Elapsed, symbols.Count, [.. ranked, .. others],
            errors.Order(StringComparer.Ordinal).ToList(), mode);
    }

    /// <summary>The calendar's sessions before <paramref name="date"/>, most recent first, at most
    /// <see cref="ScanOptions.MaxSessionsSearched"/>.</summary>
    private IReadOnlyList<TradingSession> PastSessions(DateOnly date)
    {
        // Two calendar weeks per five sessions, plus slack for holidays, always covers MaxSessionsSearched sessions.
        var from = date.AddDays(-(Options.MaxSessionsSearched * 7 / 5 + 14));
        if (_calendar is NyseCalendar && from < NyseCalendar.FirstSupportedDate)
        {
            from = NyseCalendar.FirstSupportedDate;
        }

        if (from > date.AddDays(-1))
        {
            return [];
        }

        return _calendar.GetSessions(from, date.AddDays(-1)).Reverse().Take(Options.MaxSessionsSearched).ToList();
    }

    private async Task<ScanRow> MeasureAsync(Symbol symbol, TradingSession session, DateTime window,
        IReadOnlyList<TradingSession> past, RvolWindows rvolWindows, MarketSnapshot? snapshot, CancellationToken ct)
    {
        if (past.Count == 0)
        {
            return Empty(window, symbol, ScanRowStatus.NoData, "no earlier session in the calendar");
        }

        var prior = past[0];
        var lastClosedOpen = window - OneMinute;
        var minuteBars = await LoadAsync(symbol, Timeframe.OneMinute, past[^1].PremarketOpenUtc, lastClosedOpen, session.Date, ct).ConfigureAwait(false);
        var clock = new NewYorkClock();
        var byDate = new Dictionary<DateOnly, List<Bar>>();
        foreach (var bar in minuteBars)
        {
            // The request's end already stops at T − 1 min; checking again keeps any source that ignores the end honest.
            if (bar.Timestamp + OneMinute > window)
            {
                continue;
            }

            var day = clock.SessionDate(bar.Timestamp);
            if (!byDate.TryGetValue(day, out var list))
            {
                byDate[day] = list = [];
            }

            list.Add(bar);
        }

        var today = byDate.TryGetValue(session.Date, out var t) ? t.Where(b => b.Timestamp >= session.PremarketOpenUtc).ToList() : [];
        var priorBars = byDate.TryGetValue(prior.Date, out var p) ? p : [];

        // Prior close: the last regular-hours minute bar of the prior session, else the feed's previous daily close,
        // else the prior session's daily bar.
        decimal? priorClose = null;
        for (var i = priorBars.Count - 1; i >= 0; i--)
        {
            if (priorBars[i].Timestamp >= prior.OpenUtc && priorBars[i].Timestamp < prior.CloseUtc)
            {
                priorClose = priorBars[i].Close;
                break;
            }
        }

        if (priorClose is null && snapshot is { PreviousClose: { } pc } && snapshot.PreviousCloseDate == prior.Date)
        {
            priorClose = pc;
        }

        priorClose ??= await DailyCloseAsync(symbol, prior, session.Date, ct).ConfigureAwait(false);
        if (priorClose is not { } close || close <= 0)
        {
            return Empty(window, symbol, ScanRowStatus.NoData, $"no close for the prior session {prior.Date:yyyy-MM-dd} in the data");
        }

        // Last price: the latest closed bar of today; before the first premarket trade, the prior after-hours.
        string? note = null;
        decimal last;
        DateTime lastAt;
        if (today.Count > 0)
        {
            last = today[^1].Close;
            lastAt = today[^1].Timestamp;
        }
        else if (priorBars.Count > 0 && priorBars[^1].Timestamp >= prior.CloseUtc)
        {
            var after = priorBars[^1];
            last = after.Close;
            lastAt = after.Timestamp;
            note = $"no premarket trade yet: last price from the {prior.Date:yyyy-MM-dd} after-hours bar at {ExchangeTime.ToNewYork(after.Timestamp):HH:mm} ET";
        }
        else if (snapshot is { LastPrice: { } sp, LastTradeUtc: { } st } && st > prior.CloseUtc && st <= window)
        {
            last = sp;
            lastAt = st;
        }
        else
        {
            return Empty(window, symbol, ScanRowStatus.NoData, $"no trade since the {prior.Date:yyyy-MM-dd} close") with
            {
                PriorClose = close,
                PriorCloseDate = prior.Date,
            };
        }

        if (snapshot is { LastPrice: { } snapPrice, LastTradeUtc: { } snapAt } && snapAt <= window && snapAt > lastAt)
        {
            // A live trade inside the still-forming minute is newer than any closed bar and already happened.
            last = snapPrice;
            lastAt = snapAt;
            note = null;
        }

        var volume = 0m;
        foreach (var bar in today)
        {
            volume += bar.Volume;
        }

        var gap = (last / close) - 1m;

        // RVOL by New York time of day.
        var timeOfDay = rvolWindows.TimeOfDay;
        var used = new List<DateOnly>();
        var skippedHalfDays = new List<DateOnly>();
        var sum = 0m;
        foreach (var (candidate, cutAt) in rvolWindows.Sessions)
        {
            if (used.Count == Options.LookbackSessions)
            {
                break;
            }

            if (cutAt is not { } cut)
            {
                skippedHalfDays.Add(candidate.Date);
                continue;
            }

            if (!byDate.TryGetValue(candidate.Date, out var bars) || bars.Count == 0)
            {
                continue;
            }

            var cumulative = 0m;
            foreach (var bar in bars)
            {
                if (bar.Timestamp >= candidate.PremarketOpenUtc && bar.Timestamp + OneMinute <= cut)
                {
                    cumulative += bar.Volume;
                }
            }

            sum += cumulative;
            used.Add(candidate.Date);
        }

        var halfDayNote = skippedHalfDays.Count > 0
            ? $"skipped early-close session(s) {string.Join(", ", skippedHalfDays.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))} (closed by {timeOfDay:HH:mm} ET)"
            : null;
        var row = new ScanRow(window, symbol, ScanRowStatus.Ranked, null, null, gap, null, last, lastAt, close, prior.Date,
            volume, null, used, last * volume, null, null, Join(note, halfDayNote));
        if (used.Count < Options.MinSessions)
        {
            return row with
            {
                Status = ScanRowStatus.InsufficientHistory,
                // The status says "too little history"; the note says why, so a reader sees the phrase once.
                Note = Join($"{used.Count} past session(s) with minute bars in the last {past.Count} (need {Options.MinSessions})", row.Note),
            };
        }

        var average = sum / used.Count;
        decimal? rvol = average > 0 ? volume / average : null;
        if (rvol is null)
        {
            row = row with { Note = Join(row.Note, $"no volume by {timeOfDay:HH:mm} ET in the past sessions: RVOL undefined") };
        }

        row = row with { AverageVolume = average, Rvol = rvol, Score = Options.Scoring.Compute(gap, rvol, Options.Direction) };
        if (Options.NeedsTrend)
        {
            var trend = await TrendAsync(symbol, prior.Date, session.Date, ct).ConfigureAwait(false);
            row = row with { ProbUp = trend?.ProbUp, Regime = trend?.Regime };
        }

        return Filter(row) is { } reason ? row with { Status = ScanRowStatus.Filtered, Note = Join(reason, row.Note) } : row;
    }

    private string? Filter(ScanRow row)
    {
        var o = Options;
        var inv = CultureInfo.InvariantCulture;
        var gap = row.Gap!.Value;
        if (o.Direction == GapDirection.Up && gap <= 0)
        {
            return "gap is not up";
        }

        if (o.Direction == GapDirection.Down && gap >= 0)
        {
            return "gap is not down";
        }

        if (OutsideBand(row.LastPrice!.Value) is { } band)
        {
            return band;
        }

        if (o.MinDollarVolume is { } dv && row.DollarVolume < dv)
        {
            return string.Create(inv, $"dollar volume {row.DollarVolume:0} below {dv}");
        }

        if (o.MinAbsGap is { } g && Math.Abs(gap) < g)
        {
            return string.Create(inv, $"|gap| {Math.Abs(gap):0.######} below {g}");
        }

        if (o.MinRvol is { } mr && (row.Rvol is not { } rv || rv < mr))
        {
            return row.Rvol is null ? $"no RVOL to compare with {mr.ToString(inv)}" : string.Create(inv, $"rvol {row.Rvol:0.####} below {mr}");
        }

        if (o.MinProbUp is { } pu && (row.ProbUp is not { } up || up < pu))
        {
            return row.ProbUp is null ? "no daily prob_up (too few daily bars)" : string.Create(inv, $"prob_up {row.ProbUp:0.###} below {pu}");
        }

        if (o.Regimes is { } regimes && (row.Regime is not { } regime || !regimes.Contains(regime)))
        {
            return $"regime {(row.Regime is { } r ? Strategies.RegimeSet.NameOf(r) : "unknown")} not in {regimes}";
        }

        return null;
    }

    private string? OutsideBand(decimal price)
    {
        var inv = CultureInfo.InvariantCulture;
        if (Options.MinPrice is { } lo && price < lo)
        {
            return string.Create(inv, $"price {price} below {lo}");
        }

        if (Options.MaxPrice is { } hi && price > hi)
        {
            return string.Create(inv, $"price {price} above {hi}");
        }

        return null;
    }

    /// <summary>Bars on the scan date's basis: split-adjusted for splits effective by <paramref name="asOf"/> only.</summary>
    private async Task<IReadOnlyList<Bar>> LoadAsync(Symbol symbol, Timeframe timeframe, DateTime startUtc, DateTime endUtc, DateOnly asOf, CancellationToken ct)
    {
        if (_splits is null)
        {
            return (await _bars.GetBarsAsync(new BarRequest(symbol, timeframe, startUtc, endUtc, PriceAdjustment.Split), ct).ConfigureAwait(false)).Bars;
        }

        var raw = await _bars.GetBarsAsync(new BarRequest(symbol, timeframe, startUtc, endUtc, PriceAdjustment.Raw), ct).ConfigureAwait(false);
        return SplitAdjuster.Adjust(raw.Bars, _splits(symbol).Where(s => s.ExDate <= asOf));
    }

    private async Task<decimal?> DailyCloseAsync(Symbol symbol, TradingSession prior, DateOnly asOf, CancellationToken ct)
    {
        try
        {
            var daily = await LoadAsync(symbol, Timeframe.OneDay, ExchangeTime.StartOfDateUtc(prior.Date), ExchangeTime.EndOfDateUtc(prior.Date), asOf, ct).ConfigureAwait(false);
            return daily.LastOrDefault(b => ExchangeTime.SessionDate(b.Timestamp) == prior.Date) is { Close: > 0 } bar ? bar.Close : null;
        }
        catch (MarketDataException)
        {
            // No daily data for the symbol: the row says there is no prior close.
            return null;
        }
    }

    private Task<Trend?> TrendAsync(Symbol symbol, DateOnly priorDate, DateOnly asOf, CancellationToken ct) =>
        _trends.GetOrAdd((symbol, priorDate), key => new Lazy<Task<Trend?>>(() => LoadTrendAsync(key.Item1, key.Item2, asOf, ct))).Value;

    private async Task<Trend?> LoadTrendAsync(Symbol symbol, DateOnly priorDate, DateOnly asOf, CancellationToken ct)
    {
        // Two years of daily bars warm the filter and the regime's volatility percentiles; the scan date's own daily
        // bar (not final until the close) is never read.
        var daily = await LoadAsync(symbol, Timeframe.OneDay, ExchangeTime.StartOfDateUtc(priorDate.AddYears(-2)), ExchangeTime.EndOfDateUtc(priorDate), asOf, ct).ConfigureAwait(false);
        var bars = daily.Where(b => b.Close > 0).ToList();
        if (bars.Count < 2)
        {
            return null;
        }

        var frame = SignalPipeline.Run(bars, Timeframe.OneDay)[^1];
        return new Trend(frame.ProbabilityUp, frame.Regime);
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
                errors.Add($"snapshots for {batch.Count} symbol(s) from {batch[0]}: {OneLine(ex.Message)}");
            }
        }

        return result;
    }

    private static ScanRow Empty(DateTime window, Symbol symbol, ScanRowStatus status, string note) =>
        new(window, symbol, status, null, null, null, null, null, null, null, null, 0m, null, [], null, null, null, note);

    private static string? Join(string? a, string? b) => a is null ? b : b is null ? a : $"{a}; {b}";

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    private sealed record Trend(double ProbUp, MarketRegime Regime);

    /// <summary>What RVOL compares at a window, alike for every symbol of a scan: the window's New York time of day and,
    /// for each past session (most recent first), the UTC instant of that time of day on it, or null when the session
    /// had closed by then (a half day).</summary>
    private sealed record RvolWindows(TimeOnly TimeOfDay, IReadOnlyList<(TradingSession Session, DateTime? Cut)> Sessions)
    {
        public static RvolWindows For(DateTime window, IReadOnlyList<TradingSession> past)
        {
            var timeOfDay = TimeOnly.FromDateTime(ExchangeTime.ToNewYork(window));
            return new RvolWindows(timeOfDay, past.Select(s =>
                (s, timeOfDay >= TimeOnly.FromDateTime(ExchangeTime.ToNewYork(s.CloseUtc)) ? (DateTime?)null : ExchangeTime.ToUtc(s.Date, timeOfDay)))
                .ToList());
        }
    }
}
