using System.Collections.Concurrent;
using System.Globalization;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using AiTrader.Core.Signals;
using AiTrader.Core.Signals.Regimes;

namespace AiTrader.Core.Scanning;

/// <summary>One symbol's row at one window, from its <see cref="SymbolScanState"/>: the gap, last price, volume so far
/// and RVOL by time of day, the score, and the filters of <see cref="ScanOptions"/> (see docs/reference/scanning.md).
/// The single-machine scanner and a cluster's symbol grains both measure through it.</summary>
/// <remarks>It reads daily bars only as fallbacks the minute state cannot give: the prior session's daily close when the
/// minute data lacks its regular hours, and the daily Kalman trend as of the prior close when a filter asks for it (two
/// years of daily bars up to the prior session, never the scan date's own bar; cached per symbol and prior date).</remarks>
public sealed class SymbolScanMeasure(ScanOptions options, ScanBarReader reader)
{
    private readonly ScanBarReader _reader = reader ?? throw new ArgumentNullException(nameof(reader));
    private readonly ConcurrentDictionary<(Symbol, DateOnly), Lazy<Task<Trend?>>> _trends = new();

    public ScanOptions Options { get; } = (options ?? throw new ArgumentNullException(nameof(options))).Validate();

    /// <summary>The row of <paramref name="symbol"/> at <paramref name="window"/> from <paramref name="state"/>, which must
    /// hold every minute bar of the symbol from <see cref="ScanWindow.HistoryStartUtc"/> up to the window (later bars are
    /// not read). <paramref name="snapshot"/> is a live feed's latest trade and previous close, when there is one.</summary>
    /// <exception cref="MarketDataException">A daily bar fallback failed to load.</exception>
    public async Task<ScanRow> MeasureAsync(Symbol symbol, SymbolScanState state, ScanWindow window, MarketSnapshot? snapshot, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(window);
        var session = window.Session;
        var past = window.Past;
        var at = window.WindowUtc;
        if (past.Count == 0)
        {
            return Empty(at, symbol, ScanRowStatus.NoData, "no earlier session in the calendar");
        }

        var prior = past[0];
        var today = state.Day(session.Date);
        var todayCount = today?.ClosedBy(at) ?? 0;
        var priorTape = state.Day(prior.Date);

        // Prior close: the last regular-hours minute bar of the prior session, else the feed's previous daily close,
        // else the prior session's daily bar.
        var priorClose = priorTape?.LastRegularClose;
        if (priorClose is null && snapshot is { PreviousClose: { } pc } && snapshot.PreviousCloseDate == prior.Date)
        {
            priorClose = pc;
        }

        priorClose ??= await DailyCloseAsync(symbol, prior, session.Date, ct).ConfigureAwait(false);
        if (priorClose is not { } close || close <= 0)
        {
            return Empty(at, symbol, ScanRowStatus.NoData, $"no close for the prior session {prior.Date:yyyy-MM-dd} in the data");
        }

        // Last price: the latest closed bar of today; before the first premarket trade, the prior after-hours.
        string? note = null;
        decimal last;
        DateTime lastAt;
        if (todayCount > 0)
        {
            (last, lastAt) = today!.BarAt(todayCount - 1);
        }
        else if (priorTape is { Count: > 0 } && priorTape.BarAt(priorTape.Count - 1) is var after && after.OpenUtc >= prior.CloseUtc)
        {
            (last, lastAt) = after;
            note = $"no premarket trade yet: last price from the {prior.Date:yyyy-MM-dd} after-hours bar at {ExchangeTime.ToNewYork(after.OpenUtc):HH:mm} ET";
        }
        else if (snapshot is { LastPrice: { } sp, LastTradeUtc: { } st } && st > prior.CloseUtc && st <= at)
        {
            last = sp;
            lastAt = st;
        }
        else
        {
            return Empty(at, symbol, ScanRowStatus.NoData, $"no trade since the {prior.Date:yyyy-MM-dd} close") with
            {
                PriorClose = close,
                PriorCloseDate = prior.Date,
            };
        }

        if (snapshot is { LastPrice: { } snapPrice, LastTradeUtc: { } snapAt } && snapAt <= at && snapAt > lastAt)
        {
            // A live trade inside the still-forming minute is newer than any closed bar and already happened.
            last = snapPrice;
            lastAt = snapAt;
            note = null;
        }

        var volume = today?.VolumeOfFirst(todayCount) ?? 0m;
        var gap = (last / close) - 1m;

        // RVOL by New York time of day.
        var timeOfDay = window.TimeOfDay;
        var used = new List<DateOnly>();
        var skippedHalfDays = new List<DateOnly>();
        var sum = 0m;
        foreach (var (candidate, cutAt) in window.RvolCuts)
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

            if (state.Day(candidate.Date) is not { } day)
            {
                continue;
            }

            sum += day.VolumeOfFirst(day.ClosedBy(cut));
            used.Add(candidate.Date);
        }

        var halfDayNote = skippedHalfDays.Count > 0
            ? $"skipped early-close session(s) {string.Join(", ", skippedHalfDays.Select(d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)))} (closed by {timeOfDay:HH:mm} ET)"
            : null;
        var row = new ScanRow(at, symbol, ScanRowStatus.Ranked, null, null, gap, null, last, lastAt, close, prior.Date,
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

    /// <summary>Why <paramref name="price"/> is outside the price band, or null when it is inside.</summary>
    public string? OutsideBand(decimal price)
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

    /// <summary>A row with nothing measured: its status and why.</summary>
    public static ScanRow Empty(DateTime window, Symbol symbol, ScanRowStatus status, string note) =>
        new(window, symbol, status, null, null, null, null, null, null, null, null, 0m, null, [], null, null, null, note);

    /// <summary>The row and the error line of a symbol whose data failed.</summary>
    public static (ScanRow Row, string Error) Failed(DateTime window, Symbol symbol, MarketDataException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var line = OneLine(failure.Message);
        return (Empty(window, symbol, ScanRowStatus.Error, line), $"{symbol}: {line}");
    }

    /// <summary><paramref name="text"/> on one line.</summary>
    public static string OneLine(string text) => (text ?? "").ReplaceLineEndings(" ").Trim();

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

    private async Task<decimal?> DailyCloseAsync(Symbol symbol, TradingSession prior, DateOnly asOf, CancellationToken ct)
    {
        try
        {
            var daily = await _reader.LoadAsync(symbol, Timeframe.OneDay, ExchangeTime.StartOfDateUtc(prior.Date), ExchangeTime.EndOfDateUtc(prior.Date), asOf, ct).ConfigureAwait(false);
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
        var daily = await _reader.LoadAsync(symbol, Timeframe.OneDay, ExchangeTime.StartOfDateUtc(priorDate.AddYears(-2)), ExchangeTime.EndOfDateUtc(priorDate), asOf, ct).ConfigureAwait(false);
        var bars = daily.Where(b => b.Close > 0).ToList();
        if (bars.Count < 2)
        {
            return null;
        }

        var frame = SignalPipeline.Run(bars, Timeframe.OneDay)[^1];
        return new Trend(frame.ProbabilityUp, frame.Regime);
    }

    private static string? Join(string? a, string? b) => a is null ? b : b is null ? a : $"{a}; {b}";

    private sealed record Trend(double ProbUp, MarketRegime Regime);
}
