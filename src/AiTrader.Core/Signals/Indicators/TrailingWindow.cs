using System.Numerics;
using System.Runtime.InteropServices;

namespace AiTrader.Core.Signals.Indicators;

/// <summary>The last <c>capacity</c> values of a stream in a ring buffer, read oldest first, with the window's sum
/// kept ready in the exact order a fresh scan adds it.</summary>
/// <remarks>
/// <para>Replaces a <see cref="Queue{T}"/> where a window is rescanned every bar: the scan runs over two spans
/// instead of an enumerator, in the same oldest-to-newest order, so sums come out bit for bit the same.</para>
/// <para>The first pass of <see cref="SampleVariance"/> (the sum for the mean) is not rescanned. Every window that
/// has started and not yet ended has its own running sum, one slot per start position; each new value is added to
/// all of them at once (one vector add per four or eight slots, no chain of dependent adds), and the window that ends
/// with that value reads its slot. Each slot receives exactly the additions a fresh oldest-first scan performs, from
/// 0.0, in the same order, so the sum is the same double. A fresh scan was a chain of N dependent additions per value,
/// which made the Kalman filter's 60-value noise window the largest cost of a signal frame.</para>
/// </remarks>
internal sealed class TrailingWindow
{
    private readonly double[] _values;
    private readonly double[] _sums; // _sums[s % capacity]: running sum of the window that starts at value s
    private int _oldest;

    public TrailingWindow(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _values = new double[capacity];
        _sums = new double[capacity];
    }

    public int Count { get; private set; }

    /// <summary>The oldest value in the window (the window must not be empty).</summary>
    public double Oldest => Count > 0 ? _values[_oldest] : throw new InvalidOperationException("The window is empty.");

    /// <summary>The sum of the window's values added oldest first from 0.0, as a fresh scan adds them (0.0 when empty).</summary>
    public double Sum => Count == 0 ? 0.0 : _sums[_oldest];

    /// <summary>Adds <paramref name="value"/>, dropping the oldest once the window is full.</summary>
    public void Add(double value)
    {
        var capacity = _values.Length;
        if (Count < capacity)
        {
            var slot = _oldest + Count;
            _values[slot >= capacity ? slot - capacity : slot] = value;
            Count++;
            // Windows starting at values 0..Count-1 are open; their slots are 0..Count-1 (the newest one holds 0.0).
            AddToAll(_sums.AsSpan(0, Count), value);
            return;
        }

        // The slot of the window that ended with the previous value starts over as the window starting at this one.
        _sums[_oldest] = 0.0;
        _values[_oldest] = value;
        _oldest = _oldest + 1 == capacity ? 0 : _oldest + 1;
        AddToAll(_sums, value);
    }

    private static void AddToAll(Span<double> sums, double value)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && sums.Length >= Vector<double>.Count)
        {
            var v = new Vector<double>(value);
            var vectors = MemoryMarshal.Cast<double, Vector<double>>(sums);
            for (var j = 0; j < vectors.Length; j++)
            {
                vectors[j] += v;
            }

            i = vectors.Length * Vector<double>.Count;
        }

        for (; i < sums.Length; i++)
        {
            sums[i] += value;
        }
    }

    /// <summary>Sample variance Σ(x − mean)² / (n − 1) in two passes, oldest value first (needs two or more values).
    /// The first pass is the running <see cref="Sum"/>: the same additions in the same order.</summary>
    public double SampleVariance()
    {
        if (Count < 2)
        {
            throw new InvalidOperationException("A sample variance needs at least two values.");
        }

        var firstLength = Math.Min(Count, _values.Length - _oldest);
        ReadOnlySpan<double> older = _values.AsSpan(_oldest, firstLength);
        ReadOnlySpan<double> newer = _values.AsSpan(0, Count - firstLength);
        var mean = _sums[_oldest] / Count;
        var sum = 0.0;
        foreach (var x in older)
        {
            sum += (x - mean) * (x - mean);
        }

        foreach (var x in newer)
        {
            sum += (x - mean) * (x - mean);
        }

        return sum / (Count - 1);
    }
}
