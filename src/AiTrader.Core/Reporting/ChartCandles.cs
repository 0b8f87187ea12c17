using System.Text.Json;
using AiTrader.Core.Domain;

namespace AiTrader.Core.Reporting;

/// <summary>One candle of a chart: <see cref="Bars"/> neighbouring bars merged (open of the first, high and low of all,
/// close of the last, summed volume), from the first bar's open time <see cref="First"/> to the last's <see cref="Last"/>.</summary>
public readonly record struct ChartCandle(DateTime First, DateTime Last, decimal Open, decimal High, decimal Low, decimal Close, decimal Volume, int Bars);

/// <summary>Bars merged into at most a given number of candles, as the dashboard's chart (<c>/api/chart</c>) and a
/// backtest's report.html draw them, and written in the one JSON shape the dashboard's chart code reads.</summary>
public static class ChartCandles
{
    /// <summary>Bars [<paramref name="first"/>, <paramref name="end"/>) cut into min(count, <paramref name="points"/>)
    /// equal runs (<see cref="SeriesDownsampler.BucketStart"/>), each merged into one candle; <paramref name="group"/> is
    /// the most bars a candle merges.</summary>
    public static ChartCandle[] Merge(IReadOnlyList<Bar> bars, int first, int end, int points, out int group)
    {
        ArgumentNullException.ThrowIfNull(bars);
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 1);
        var total = Math.Max(0, end - first);
        var buckets = Math.Min(total, points);
        var candles = new ChartCandle[buckets];
        group = 0;
        for (var b = 0; b < buckets; b++)
        {
            var lo = first + SeriesDownsampler.BucketStart(total, buckets, b);
            var hi = first + SeriesDownsampler.BucketStart(total, buckets, b + 1);
            candles[b] = Merge(bars, lo, hi);
            group = Math.Max(group, hi - lo);
        }

        return candles;
    }

    /// <summary>One candle as the chart code reads it: <c>{"t", "t_last", "o", "h", "l", "c", "v", "n"}</c>.</summary>
    public static void Write(Utf8JsonWriter json, ChartCandle c)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        json.WriteString("t", c.First);
        json.WriteString("t_last", c.Last);
        WriteOhlcv(json, c.Open, c.High, c.Low, c.Close, c.Volume);
        json.WriteNumber("n", c.Bars);
        json.WriteEndObject();
    }

    /// <summary>The <c>o, h, l, c, v</c> properties of a bar or a candle.</summary>
    public static void WriteOhlcv(Utf8JsonWriter json, decimal open, decimal high, decimal low, decimal close, decimal volume)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteNumber("o", open);
        json.WriteNumber("h", high);
        json.WriteNumber("l", low);
        json.WriteNumber("c", close);
        json.WriteNumber("v", volume);
    }

    private static ChartCandle Merge(IReadOnlyList<Bar> bars, int from, int to)
    {
        if (bars is BarColumns columns)
        {
            return Merge(columns, from, to);
        }

        var open = bars[from];
        decimal high = open.High, low = open.Low, volume = 0;
        var last = open;
        for (var i = from; i < to; i++)
        {
            last = bars[i];
            high = Math.Max(high, last.High);
            low = Math.Min(low, last.Low);
            volume += last.Volume;
        }

        return new ChartCandle(open.Timestamp, last.Timestamp, open.Open, high, low, last.Close, volume, to - from);
    }

    /// <summary>The same merge read straight from the columns: a bar is never put together, the highs and lows are compared
    /// as doubles (exactly where two are that close) and the volume is summed as integers where it is whole. Two million
    /// bars merge in tens of milliseconds instead of a few hundred.</summary>
    private static ChartCandle Merge(BarColumns bars, int from, int to)
    {
        var offset = bars.Offset;
        var high = bars.HighColumn.IndexOfExtreme(from + offset, to + offset, largest: true);
        var low = bars.LowColumn.IndexOfExtreme(from + offset, to + offset, largest: false);
        return new ChartCandle(bars.TimeAt(from), bars.TimeAt(to - 1), bars.OpenColumn[from + offset], bars.HighColumn[high],
            bars.LowColumn[low], bars.CloseAt(to - 1), bars.VolumeColumn.Sum(from + offset, to + offset), to - from);
    }
}
