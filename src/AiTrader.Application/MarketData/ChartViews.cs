using AiTrader.Application.Sweeps;
using AiTrader.Core.Domain;
using AiTrader.Core.Reporting;
using AiTrader.Core.Sessions;
using AiTrader.Core.Signals;

namespace AiTrader.Application.MarketData;

/// <summary>What a chart shows of one symbol and interval: the bars of a New York date range, narrowed to the UTC window
/// [<see cref="From"/>, <see cref="To"/>] when the chart is zoomed in, merged into at most <see cref="Points"/> candles.</summary>
public sealed record ChartRequest(BarPageRequest Range, DateTime? From, DateTime? To, int Points, bool WithSignals)
{
    public const int DefaultPoints = 2_000;
    public const int MaxPoints = 10_000;

    /// <summary>Checks the request as typed (query string); errors name their field. Symbol, interval and dates read as
    /// for <c>/api/bars</c>.</summary>
    public static ChartRequest Parse(string? symbol, string? interval, string? start, string? end, string? from, string? to, int? points, bool? signals)
    {
        var range = BarPageRequest.Parse(symbol, interval, start, end, null, null);
        var a = BarPageRequest.Instant(from, "from", "pass the first bar time the chart shows");
        var b = BarPageRequest.Instant(to, "to", "pass the last bar time the chart shows");
        if (a is { } x && b is { } y && x > y)
        {
            throw new RequestException($"from {x:yyyy-MM-ddTHH:mm:ssZ} is after to {y:yyyy-MM-ddTHH:mm:ssZ}; swap them.", "from");
        }

        var size = points ?? DefaultPoints;
        if (size is < 2 or > MaxPoints)
        {
            throw new RequestException($"points must be 2 to {MaxPoints} (got {size}).", "points");
        }

        return new ChartRequest(range, a, b, size, signals ?? true);
    }
}

/// <summary>A chart's candles, with the signal frame of each candle's last bar when asked for.</summary>
/// <param name="Total">Bars in the window before merging.</param>
/// <param name="Group">The most bars any candle merges (1: every bar is its own candle).</param>
public sealed record ChartView(ChartRequest Request, int Total, int Group, IReadOnlyList<ChartCandle> Candles, IReadOnlyList<SignalFrame>? Frames);

/// <summary>Reads a chart's window and merges it server-side, so that a million bars reach the browser as a few thousand
/// candles and zooming in asks for the narrower window again.</summary>
public static class ChartViews
{
    public static async Task<ChartView> ReadAsync(AppSettings settings, ChartRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var range = request.Range;
        // Signals need every bar from the first of the file (as /api/signals: a frame does not depend on the window); the
        // pipeline's checkpoints along them spare recomputing the bars before the window.
        var series = await SweepRun.LoadBarsAsync(settings, range.Symbol, range.Interval, request.WithSignals ? null : range.Start, range.End, ct);
        var bars = series.Bars;
        var startUtc = range.Start is { } s ? ExchangeTime.StartOfDateUtc(s) : DateTime.MinValue;
        var first = FirstAtOrAfter(bars, request.From is { } f && f > startUtc ? f : startUtc);
        var end = request.To is { } t ? FirstAtOrAfter(bars, t.AddTicks(1)) : bars.Count;
        var total = Math.Max(0, end - first);
        if (total == 0)
        {
            throw new RequestException($"no {range.Interval} bars for {range.Symbol} between from and to; widen the window.", "from");
        }

        var candles = ChartCandles.Merge(bars, first, end, request.Points, out var group);
        var buckets = candles.Length;

        SignalFrame[]? frames = null;
        if (request.WithSignals)
        {
            frames = new SignalFrame[buckets];
            var i = first;
            var b = 0;
            var lastOfBucket = first + SeriesDownsampler.BucketStart(total, buckets, 1) - 1;
            // From the nearest checkpoint before the window (a zoom after the first view computes a few thousand bars, not
            // every bar from the file's first).
            foreach (var frame in SignalCheckpoints.Shared.Frames(range.Symbol, range.Interval, null, bars, first, end, out _))
            {
                if (i == lastOfBucket)
                {
                    frames[b++] = frame;
                    if (b < buckets)
                    {
                        lastOfBucket = first + SeriesDownsampler.BucketStart(total, buckets, b + 1) - 1;
                    }
                }

                i++;
            }
        }

        return new ChartView(request, total, group, candles, frames);
    }

    private static int FirstAtOrAfter(IReadOnlyList<Bar> bars, DateTime utc)
    {
        int lo = 0, hi = bars.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (BarColumns.TimeOf(bars, mid) < utc)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
