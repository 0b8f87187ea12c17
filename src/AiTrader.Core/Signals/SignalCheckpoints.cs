using System.Runtime.InteropServices;
using AiTrader.Core.Domain;
using AiTrader.Core.IO;

namespace AiTrader.Core.Signals;

/// <summary>Checkpoints of the signal pipeline's state along a bar series, so that the frames of a window late in a long
/// series (a chart zoomed in, a later page of signals) are computed from the nearest checkpoint before the window
/// instead of from the first bar. The frames are the ones a full run gives: a checkpoint at bar k is the state after
/// bars 0..k-1 exactly (a copy of the pipeline that computed them), and frame i still depends on bars 0..i only.</summary>
/// <remarks>
/// Keyed by symbol, interval, pipeline options and the bars' content (a hash of every column, so a corrected or longer
/// file starts afresh). Checkpoints are taken as frames are computed, every <c>spacing</c> bars (at most
/// <c>maxPerSeries</c> per series); to keep all of them within <c>maxBytes</c>, the series least recently used are
/// dropped, and a series that fills the limit alone takes no more.
/// </remarks>
public sealed class SignalCheckpoints(long maxBytes = SignalCheckpoints.DefaultMaxBytes, int minSpacing = 16_384, int maxPerSeries = 64)
{
    public const long DefaultMaxBytes = 64L << 20;

    private readonly Dictionary<SeriesKey, Series> _series = [];
    private readonly Lock _gate = new();
    private long _bytes;
    private long _clock;

    /// <summary>The one the service's chart and signal pages share.</summary>
    public static SignalCheckpoints Shared { get; } = new();

    /// <summary>About how many bytes the checkpoints held take (never more than the limit).</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    /// <summary>The frames of <c>bars[from..end)</c>, as <see cref="SignalPipeline.Frames"/> gives them, computed from the
    /// nearest checkpoint at or before <paramref name="from"/>; <paramref name="firstFed"/> is the bar the pipeline
    /// starts from (0 without a checkpoint).</summary>
    public IEnumerable<SignalFrame> Frames(Symbol symbol, Timeframe timeframe, SignalPipelineOptions? options, IReadOnlyList<Bar> bars,
        int from, int end, out int firstFed)
    {
        ArgumentNullException.ThrowIfNull(bars);
        ArgumentOutOfRangeException.ThrowIfNegative(from);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(end, bars.Count);
        var key = new SeriesKey(symbol, timeframe, options ?? new SignalPipelineOptions(), bars.Count, VersionOf(bars));
        Series series;
        SignalPipeline? start = null;
        firstFed = 0;
        lock (_gate)
        {
            if (!_series.TryGetValue(key, out series!))
            {
                series = new Series(Math.Max(minSpacing, (bars.Count + maxPerSeries - 1) / maxPerSeries));
                _series[key] = series;
            }

            series.LastUsed = ++_clock;
            var at = series.NearestAtOrBefore(from);
            if (at > 0)
            {
                firstFed = at;
                start = series.At[at];
            }
        }

        // Stored checkpoints are never fed: each run works on its own copy.
        var pipeline = start?.Copy(out _) ?? new SignalPipeline(timeframe, key.Options);
        return Iterate(pipeline, series, bars, firstFed, from, end);
    }

    private IEnumerable<SignalFrame> Iterate(SignalPipeline pipeline, Series series, IReadOnlyList<Bar> bars, int first, int from, int end)
    {
        for (var i = first; i < end; i++)
        {
            if (i > first && i % series.Spacing == 0)
            {
                Keep(series, i, pipeline);
            }

            var frame = pipeline.Update(bars[i]);
            if (i >= from)
            {
                yield return frame;
            }
        }
    }

    private void Keep(Series series, int at, SignalPipeline pipeline)
    {
        lock (_gate)
        {
            if (series.At.ContainsKey(at))
            {
                return;
            }
        }

        var copy = pipeline.Copy(out var bytes);
        lock (_gate)
        {
            if (series.At.ContainsKey(at) || !_series.ContainsValue(series))
            {
                return; // another request stored it first, or the series was dropped meanwhile
            }

            // Room is made by dropping the series least recently used, never this one: when it alone fills the limit, it
            // keeps the checkpoints it has and takes no more.
            while (_bytes + bytes > maxBytes && _series.Where(s => s.Value != series).MinBy(s => s.Value.LastUsed) is { Value: not null } oldest)
            {
                _bytes -= oldest.Value.Bytes;
                _series.Remove(oldest.Key);
            }

            if (_bytes + bytes > maxBytes)
            {
                return;
            }

            series.At.Add(at, copy);
            series.Bytes += bytes;
            _bytes += bytes;
        }
    }

    /// <summary>A hash of every value of <paramref name="bars"/> (times, prices, volume, trade count, VWAP): the data's
    /// version in the checkpoints' key.</summary>
    public static ulong VersionOf(IReadOnlyList<Bar> bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        var hash = new ContentHash();
        if (bars is BarColumns columns)
        {
            var (offset, count) = (columns.Offset, columns.Count);
            hash.Append(MemoryMarshal.AsBytes(columns.Ticks));
            foreach (var column in new[] { columns.OpenColumn, columns.HighColumn, columns.LowColumn, columns.CloseColumn, columns.VolumeColumn, columns.VwapColumn })
            {
                if (column?.Packed is { } packed)
                {
                    hash.Append(MemoryMarshal.AsBytes(packed.AsSpan(offset, count)));
                }
                else if (column?.Wide is { } wide)
                {
                    hash.Append(MemoryMarshal.AsBytes(wide.AsSpan(offset, count)));
                    hash.Append(MemoryMarshal.AsBytes((column.MissingWide ?? []).AsSpan()));
                }

                hash.Append([column is null ? (byte)0 : (byte)1]);
            }

            if (columns.TradeCounts is { } trades)
            {
                hash.Append(MemoryMarshal.AsBytes(trades.AsSpan(offset, count)));
            }

            return hash.Finish();
        }

        Span<decimal> values = stackalloc decimal[6];
        Span<long> whole = stackalloc long[2];
        foreach (var bar in bars)
        {
            (values[0], values[1], values[2], values[3], values[4], values[5]) = (bar.Open, bar.High, bar.Low, bar.Close, bar.Volume, bar.Vwap ?? -1m);
            (whole[0], whole[1]) = (bar.Timestamp.Ticks, bar.TradeCount ?? long.MinValue);
            hash.Append(MemoryMarshal.AsBytes(values));
            hash.Append(MemoryMarshal.AsBytes(whole));
        }

        return hash.Finish();
    }

    private readonly record struct SeriesKey(Symbol Symbol, Timeframe Timeframe, SignalPipelineOptions Options, int Count, ulong Version);

    private sealed class Series(int spacing)
    {
        public int Spacing { get; } = spacing;

        public SortedList<int, SignalPipeline> At { get; } = [];

        public long Bytes { get; set; }

        public long LastUsed { get; set; }

        /// <summary>The latest checkpoint at or before bar <paramref name="index"/>, or 0 (a fresh pipeline).</summary>
        public int NearestAtOrBefore(int index)
        {
            var keys = At.Keys;
            int lo = 0, hi = keys.Count - 1, best = 0;
            while (lo <= hi)
            {
                var mid = (lo + hi) >>> 1;
                if (keys[mid] <= index)
                {
                    best = keys[mid];
                    lo = mid + 1;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            return best;
        }
    }
}
