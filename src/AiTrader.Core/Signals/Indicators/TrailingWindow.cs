using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AiTrader.Core.Signals.Indicators;

/// <summary>The last <c>capacity</c> values of a stream in a ring buffer, read oldest first, with the window's sum
/// kept ready in the exact order a fresh scan adds it.</summary>
/// <remarks>
/// <para>Replaces a <see cref="Queue{T}"/> where a window is rescanned every bar. Each value is stored twice, at its
/// slot and one capacity later, so the window is always one contiguous span, oldest first.</para>
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
        _values = new double[2 * capacity]; // each value twice (at slot and slot + capacity): the window is one span
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
        var capacity = _sums.Length;
        if (Count < capacity)
        {
            var slot = _oldest + Count;
            slot = slot >= capacity ? slot - capacity : slot;
            _values[slot] = value;
            _values[slot + capacity] = value;
            Count++;
            // Windows starting at values 0..Count-1 are open; their slots are 0..Count-1 (the newest one holds 0.0).
            AddToAll(_sums.AsSpan(0, Count), value);
            return;
        }

        // The slot of the window that ended with the previous value starts over as the window starting at this one.
        _sums[_oldest] = 0.0;
        _values[_oldest] = value;
        _values[_oldest + capacity] = value;
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
    /// The first pass is the running <see cref="Sum"/>: the same additions in the same order. The second pass adds the
    /// squared deviations in four lanes, lane k taking the values at window positions k, k + 4, k + 8, … oldest first,
    /// and returns ((lane 0 + lane 1) + (lane 2 + lane 3)) / (n − 1).</summary>
    /// <remarks>One chain of N dependent additions per bar was the longest part of a signal frame (the Kalman filter's
    /// 60-value noise window); four chains run side by side in one vector register. The order is fixed by the window
    /// position alone, not by the hardware's vector width or the ring's offset, so every machine and every replay gets
    /// the same double, and the result is as accurate as the one-lane sum (pairwise partial sums, if anything, less
    /// rounding).</remarks>
    public double SampleVariance()
    {
        if (Count < 2)
        {
            throw new InvalidOperationException("A sample variance needs at least two values.");
        }

        var mean = _sums[_oldest] / Count;
        return SumOfSquaredDeviationsInFourLanes(_values.AsSpan(_oldest, Count), mean) / (Count - 1);
    }

    /// <summary>Σ(x − mean)² over <paramref name="values"/> in the four-lane order of <see cref="SampleVariance"/>.</summary>
    internal static double SumOfSquaredDeviationsInFourLanes(ReadOnlySpan<double> values, double mean)
    {
        double l0 = 0, l1 = 0, l2 = 0, l3 = 0;
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var m = Vector256.Create(mean);
            var lanes = Vector256<double>.Zero;
            ref var first = ref MemoryMarshal.GetReference(values);
            for (; i + 4 <= values.Length; i += 4)
            {
                var d = Vector256.LoadUnsafe(ref first, (nuint)i) - m;
                lanes += d * d;
            }

            (l0, l1, l2, l3) = (lanes[0], lanes[1], lanes[2], lanes[3]);
        }

        for (; i + 4 <= values.Length; i += 4)
        {
            var (d0, d1, d2, d3) = (values[i] - mean, values[i + 1] - mean, values[i + 2] - mean, values[i + 3] - mean);
            l0 += d0 * d0;
            l1 += d1 * d1;
            l2 += d2 * d2;
            l3 += d3 * d3;
        }

        var rest = values.Length - i;
        if (rest > 0)
        {
            var d = values[i] - mean;
            l0 += d * d;
        }

        if (rest > 1)
        {
            var d = values[i + 1] - mean;
            l1 += d * d;
        }

        if (rest > 2)
        {
            var d = values[i + 2] - mean;
            l2 += d * d;
        }

        return (l0 + l1) + (l2 + l3);
    }
}
