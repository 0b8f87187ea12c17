using System.Globalization;
using AiTrader.Application.Sweeps;
using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;
using AiTrader.Core.Signals;

namespace AiTrader.Application.MarketData;

/// <summary>Bars (or their signals) of one symbol, interval and New York date range, a page at a time: at most
/// <see cref="Limit"/> bars after the <see cref="After"/> cursor (exclusive), oldest first.</summary>
public sealed record BarPageRequest(Symbol Symbol, Timeframe Interval, DateOnly? Start, DateOnly? End, int Limit, DateTime? After)
{
    public const int DefaultLimit = 1_000;
    public const int MaxLimit = 10_000;

    /// <summary>Checks the request as typed (query string); errors name their field.</summary>
    public static BarPageRequest Parse(string? symbol, string? interval, string? start, string? end, int? limit, string? after)
    {
        if (string.IsNullOrWhiteSpace(symbol))
        {
            throw new RequestException("symbol is required, e.g. symbol=SPY.", "symbol");
        }

        var ticker = Symbol.TryParse(symbol, out var s, out var why) ? s : throw new RequestException($"symbol: {why}", "symbol");
        var tf = Timeframe.TryParse(string.IsNullOrWhiteSpace(interval) ? "1Day" : interval, out var t)
            ? t
            : throw new RequestException($"interval '{interval}' is not an interval; use 1Min, 5Min, 15Min, 30Min, 1Hour or 1Day.", "interval");
        var from = Date(start, "start");
        var to = Date(end, "end");
        if (from is { } a && to is { } b && a > b)
        {
            throw new RequestException($"start {a:yyyy-MM-dd} is after end {b:yyyy-MM-dd}; pick a start before the end.", "start");
        }

        var size = limit ?? DefaultLimit;
        if (size is < 1 or > MaxLimit)
        {
            throw new RequestException($"limit must be 1 to {MaxLimit} (got {size}).", "limit");
        }

        var cursor = Instant(after, "after", "pass the previous page's next_after");
        return new BarPageRequest(ticker, tf, from, to, size, cursor);
    }

    /// <summary>A UTC instant as the API writes it (yyyy-MM-ddTHH:mm:ssZ), or null when not given.</summary>
    internal static DateTime? Instant(string? text, string field, string fix) => string.IsNullOrWhiteSpace(text)
        ? null
        : DateTime.TryParseExact(text.Trim(), "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
            DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var c)
            ? c
            : throw new RequestException($"{field} '{text}' is not a UTC time; {fix} (yyyy-MM-ddTHH:mm:ssZ).", field);

    private static DateOnly? Date(string? text, string field) => string.IsNullOrWhiteSpace(text)
        ? null
        : DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)
            ? d
            : throw new RequestException($"{field} '{text}' is not a date; use YYYY-MM-DD (a New York session date).", field);
}

/// <summary>A page of bars and the cursor of the next page (null on the last).</summary>
public sealed record BarPage(BarPageRequest Request, IReadOnlyList<Bar> Bars, IReadOnlyList<SignalFrame>? Signals, DateTime? NextAfter);

/// <summary>Reads bars, or bars with their signals, a page at a time from the bundled data (and its columnar cache).</summary>
public static class BarPages
{
    /// <param name="withSignals">Also compute each bar's signal frame. The pipeline runs from the first bar of the file up
    /// to the page's last bar, so a frame is the same whichever page or range it is read in (no warm-up bias, and no bar
    /// after it is used).</param>
    public static async Task<BarPage> ReadAsync(AppSettings settings, BarPageRequest request, bool withSignals, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        // With signals the bars are loaded once from the first of the file (the pipeline needs them all) and the range is
        // found in them; without, only the range is loaded.
        var series = await SweepRun.LoadBarsAsync(settings, request.Symbol, request.Interval, withSignals ? null : request.Start, request.End, ct);
        var bars = series.Bars;
        var first = 0;
        if (withSignals && request.Start is { } start)
        {
            var startUtc = ExchangeTime.StartOfDateUtc(start);
            while (first < bars.Count && BarColumns.TimeOf(bars, first) < startUtc)
            {
                first++;
            }

            if (first == bars.Count)
            {
                throw SweepRun.NoBars(request.Symbol, request.Interval);
            }
        }

        if (request.After is { } after)
        {
            while (first < bars.Count && BarColumns.TimeOf(bars, first) <= after)
            {
                first++;
            }
        }

        var count = Math.Min(request.Limit, bars.Count - first);
        var page = new Bar[count];
        for (var i = 0; i < count; i++)
        {
            page[i] = bars[first + i];
        }

        var next = first + count < bars.Count && count > 0 ? page[^1].Timestamp : (DateTime?)null;
        IReadOnlyList<SignalFrame>? signals = null;
        if (withSignals)
        {
            // Frame i depends on bars 0..i only: run the pipeline up to the page's last bar (from the nearest checkpoint
            // an earlier page or chart left), keep the page's frames.
            signals = SignalCheckpoints.Shared.Frames(request.Symbol, request.Interval, null, bars, first, first + count, out _).ToList();
        }

        return new BarPage(request, page, signals, next);
    }
}
