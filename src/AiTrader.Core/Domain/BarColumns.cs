using System.Collections;
using System.Runtime.CompilerServices;

namespace AiTrader.Core.Domain;

/// <summary>A bar series stored as columns: timestamps (UTC ticks) and exact prices in arrays, built once and shared
/// read-only by the engine, signals, sweeps and walk-forward cells. A <see cref="Bar"/> is put together only when one is
/// asked for.</summary>
/// <remarks>
/// <para>A list of <see cref="Bar"/> costs 128 bytes a bar and every split adjustment, range filter or slice used to copy
/// it; here a bar costs 48 bytes (8 for the time, 8 per packed decimal, see <see cref="DecimalColumn"/>), and a range is a
/// view (<see cref="Slice"/>) over the same arrays. Prices stay exact: the decimal read back is the decimal stored.</para>
/// <para>Instances are immutable once built; the builder methods are internal to the readers.</para>
/// </remarks>
public sealed class BarColumns : IReadOnlyList<Bar>
{
    private readonly long[] _ticks;
    private readonly DecimalColumn _open;
    private readonly DecimalColumn _high;
    private readonly DecimalColumn _low;
    private readonly DecimalColumn _close;
    private readonly DecimalColumn _volume;
    private readonly long[]? _tradeCount;
    private readonly DecimalColumn? _vwap;
    private readonly int _offset;

    /// <summary>Marks a missing trade count in <see cref="TradeCounts"/>.</summary>
    public const long NoTradeCount = long.MinValue;

    public BarColumns(long[] ticks, DecimalColumn open, DecimalColumn high, DecimalColumn low, DecimalColumn close,
        DecimalColumn volume, long[]? tradeCount, DecimalColumn? vwap, int offset, int count)
    {
        ArgumentNullException.ThrowIfNull(ticks);
        if (offset < 0 || count < 0 || offset + count > ticks.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Range {offset}+{count} is outside {ticks.Length} bars.");
        }

        _ticks = ticks;
        _open = open;
        _high = high;
        _low = low;
        _close = close;
        _volume = volume;
        _tradeCount = tradeCount;
        _vwap = vwap;
        _offset = offset;
        Count = count;
    }

    /// <summary>Columns holding the same values as <paramref name="bars"/> (a copy; bars that are columns already are returned as they are).</summary>
    public static BarColumns From(IReadOnlyList<Bar> bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        if (bars is BarColumns columns)
        {
            return columns;
        }

        var n = bars.Count;
        var ticks = new long[n];
        DecimalColumn open = new(n), high = new(n), low = new(n), close = new(n), volume = new(n);
        long[]? trades = null;
        DecimalColumn? vwap = null;
        for (var i = 0; i < n; i++)
        {
            var b = bars[i];
            ticks[i] = b.Timestamp.Ticks;
            open.Set(i, b.Open);
            high.Set(i, b.High);
            low.Set(i, b.Low);
            close.Set(i, b.Close);
            volume.Set(i, b.Volume);
            if (b.TradeCount is { } tc)
            {
                if (trades is null)
                {
                    trades = new long[n];
                    Array.Fill(trades, NoTradeCount);
                }

                trades[i] = tc;
            }

            if (b.Vwap is { } v)
            {
                if (vwap is null)
                {
                    vwap = new DecimalColumn(n);
                    for (var k = 0; k < n; k++)
                    {
                        vwap.SetMissing(k);
                    }
                }

                vwap.Set(i, v);
            }
        }

        return new BarColumns(ticks, open, high, low, close, volume, trades, vwap, 0, n);
    }

    public int Count { get; }

    /// <summary>Timestamps (UTC ticks) of this view's bars.</summary>
    public ReadOnlySpan<long> Ticks => _ticks.AsSpan(_offset, Count);

    public DecimalColumn OpenColumn => _open;

    public DecimalColumn HighColumn => _high;

    public DecimalColumn LowColumn => _low;

    public DecimalColumn CloseColumn => _close;

    public DecimalColumn VolumeColumn => _volume;

    /// <summary>Trade counts (<see cref="NoTradeCount"/> where missing), or null when the source had none.</summary>
    public long[]? TradeCounts => _tradeCount;

    public DecimalColumn? VwapColumn => _vwap;

    /// <summary>Index of this view's first bar in the underlying columns.</summary>
    public int Offset => _offset;

    /// <summary>The underlying timestamp array (all bars, not only this view's).</summary>
    public long[] AllTicks => _ticks;

    public Bar this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(index), index, $"The series has {Count} bars.");
            }

            return At(index + _offset);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Bar At(int i)
    {
        long? tradeCount = _tradeCount is { } tc && tc[i] != NoTradeCount ? tc[i] : null;
        decimal? vwap = _vwap is { } v && !v.IsMissing(i) ? v[i] : null;
        // The initializer, not the checking constructor: the time is UTC by construction, and the check kept the
        // constructor from being inlined into the engine's loop (a call and a 100-byte copy per bar).
        return new Bar
        {
            Timestamp = new DateTime(_ticks[i], DateTimeKind.Utc),
            Open = _open[i],
            High = _high[i],
            Low = _low[i],
            Close = _close[i],
            Volume = _volume[i],
            TradeCount = tradeCount,
            Vwap = vwap,
        };
    }

    /// <summary>The bar at <paramref name="index"/> written into <paramref name="bar"/> (no bounds message, for loops).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Read(int index, out Bar bar) => bar = At(index + _offset);

    /// <summary>Bar <paramref name="index"/>'s open time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public DateTime TimeAt(int index) => new(_ticks[index + _offset], DateTimeKind.Utc);

    /// <summary>Bar <paramref name="index"/>'s close, exact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public decimal CloseAt(int index) => _close[index + _offset];

    /// <summary>Bar <paramref name="i"/>'s open time, read from the columns without putting the bar together when
    /// <paramref name="bars"/> are columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static DateTime TimeOf(IReadOnlyList<Bar> bars, int i) => bars is BarColumns c ? c.TimeAt(i) : bars[i].Timestamp;

    /// <summary>Bar <paramref name="i"/>'s close, exact, read as <see cref="TimeOf"/> reads its time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static decimal CloseOf(IReadOnlyList<Bar> bars, int i) => bars is BarColumns c ? c.CloseAt(i) : bars[i].Close;

    /// <summary>A view of <paramref name="count"/> bars from <paramref name="start"/>: no copy.</summary>
    public BarColumns Slice(int start, int count)
    {
        if (start < 0 || count < 0 || start + count > Count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Slice {start}+{count} is outside {Count} bars.");
        }

        return start == 0 && count == Count
            ? this
            : new BarColumns(_ticks, _open, _high, _low, _close, _volume, _tradeCount, _vwap, _offset + start, count);
    }

    /// <summary>The bars with open times in [<paramref name="startUtc"/>, <paramref name="endUtc"/>] as a view (binary search, no copy).</summary>
    public BarColumns Between(DateTime startUtc, DateTime endUtc)
    {
        var ticks = Ticks;
        var from = LowerBound(ticks, startUtc.Ticks);
        var to = UpperBound(ticks, endUtc.Ticks);
        return Slice(from, Math.Max(0, to - from));
    }

    /// <summary>First index whose time is at or after <paramref name="ticks"/>.</summary>
    public static int LowerBound(ReadOnlySpan<long> times, long ticks)
    {
        int lo = 0, hi = times.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (times[mid] < ticks)
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

    /// <summary>First index whose time is after <paramref name="ticks"/>.</summary>
    public static int UpperBound(ReadOnlySpan<long> times, long ticks)
    {
        int lo = 0, hi = times.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (times[mid] <= ticks)
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

    public IEnumerator<Bar> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return At(i + _offset);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
