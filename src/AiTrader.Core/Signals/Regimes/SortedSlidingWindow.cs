using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace AiTrader.Core.Signals.Regimes;

/// <summary>The last <see cref="Capacity"/> values of a stream kept both in arrival order and sorted, so a percentile
/// of the window is a lookup instead of a sort.</summary>
/// <remarks>Adding a value is two binary searches and one block move of the values ranked between the evicted value
/// and the new one (at most <see cref="Capacity"/> doubles), against copying and sorting the whole window on every bar.
/// The sorted order holds the same values as sorting the window, so <see cref="Percentile"/> returns exactly what
/// <see cref="RegimeClassifier.Percentile"/> returns for them. NaN is refused: it has no place in a sorted order.</remarks>
internal sealed class SortedSlidingWindow
{
    private readonly double[] _arrivals;
    private readonly double[] _sorted;
    private int _oldest;

    public SortedSlidingWindow(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _arrivals = new double[capacity];
        _sorted = new double[capacity];
    }

    public int Capacity => _arrivals.Length;

    /// <summary>Values in the window (at most <see cref="Capacity"/>).</summary>
    public int Count { get; private set; }

    /// <summary>The window's values in ascending order.</summary>
    public ReadOnlySpan<double> Sorted => _sorted.AsSpan(0, Count);

    /// <summary>Adds <paramref name="value"/>, dropping the oldest value once the window is full.</summary>
    public void Add(double value)
    {
        if (double.IsNaN(value))
        {
            throw new ArgumentException("NaN cannot be ranked.", nameof(value));
        }

        if (Count == Capacity)
        {
            var evicted = _arrivals[_oldest];
            _arrivals[_oldest] = value;
            _oldest = _oldest + 1 == Capacity ? 0 : _oldest + 1;
            // Any copy of an equal value is the same value, so replacing the one the search finds is exact. The new
            // value goes where it belongs once the evicted one is gone: only the values between the two positions
            // move, one place (a third of the window on average, against two moves of half of it).
            var sorted = _sorted.AsSpan(0, Count);
            var (at, insert) = LowerBounds(sorted, evicted, value);
            if (insert <= at)
            {
                ShiftUp(sorted, insert, at);
                sorted[insert] = value;
            }
            else
            {
                ShiftDown(sorted, at, insert - 1);
                sorted[insert - 1] = value;
            }

            return;
        }

        _arrivals[(_oldest + Count) % Capacity] = value;
        var position = LowerBound(_sorted.AsSpan(0, Count), value);

        Array.Copy(_sorted, position, _sorted, position + 1, Count - position);
        _sorted[position] = value;
        Count++;
    }

    // sorted[from..to) moves up one place, to sorted[(from + 1)..(to + 1)), from the top down so nothing is read after
    // it is overwritten. A vector loop rather than Span.CopyTo, which hands overlapping ranges to the runtime's
    // general memmove: on the classifier's window this measured about 15% less per add.
    private static void ShiftUp(Span<double> sorted, int from, int to)
    {
        ref var first = ref MemoryMarshal.GetReference(sorted);
        var i = to;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i - Vector256<double>.Count >= from; i -= Vector256<double>.Count)
            {
                var chunk = Vector256.LoadUnsafe(ref first, (nuint)(i - Vector256<double>.Count));
                chunk.StoreUnsafe(ref first, (nuint)(i - Vector256<double>.Count + 1));
            }
        }

        for (; i > from; i--)
        {
            Unsafe.Add(ref first, i) = Unsafe.Add(ref first, i - 1);
        }
    }

    // sorted[(from + 1)..(to + 1)) moves down one place, to sorted[from..to), from the bottom up.
    private static void ShiftDown(Span<double> sorted, int from, int to)
    {
        ref var first = ref MemoryMarshal.GetReference(sorted);
        var i = from;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + Vector256<double>.Count <= to; i += Vector256<double>.Count)
            {
                var chunk = Vector256.LoadUnsafe(ref first, (nuint)(i + 1));
                chunk.StoreUnsafe(ref first, (nuint)i);
            }
        }

        for (; i < to; i++)
        {
            Unsafe.Add(ref first, i) = Unsafe.Add(ref first, i + 1);
        }
    }

    /// <summary>The first index whose value is not below <paramref name="value"/> (<c>sorted.Length</c> when all are):
    /// where an equal value sits, or where <paramref name="value"/> belongs.</summary>
    /// <remarks>A binary search whose steps are masks instead of branches. Which way each step goes is
    /// as good as random, so a branching search (Array.BinarySearch) mispredicted about half of its eight steps, and
    /// the two searches per bar cost more than the rest of the classifier.</remarks>
    internal static int LowerBound(ReadOnlySpan<double> sorted, double value)
    {
        if (sorted.IsEmpty)
        {
            return 0;
        }

        ref var first = ref MemoryMarshal.GetReference(sorted);
        var start = 0;
        var length = sorted.Length;
        while (length > 1)
        {
            var half = length >> 1;
            // start + half − 1 < start + length ≤ sorted.Length. The step is a mask, not a branch (the JIT does not
            // turn a branch inside a loop into a conditional move).
            var below = Unsafe.Add(ref first, start + half - 1) < value;
            start += half & -Unsafe.BitCast<bool, byte>(below);
            length -= half;
        }

        return start + Unsafe.BitCast<bool, byte>(Unsafe.Add(ref first, start) < value);
    }

    /// <summary><see cref="LowerBound"/> of two values at once (a non-empty span): the two searches' steps interleave in
    /// one loop, so each waits on its own loads only, not on the other search's.</summary>
    internal static (int First, int Second) LowerBounds(ReadOnlySpan<double> sorted, double first, double second)
    {
        ref var start = ref MemoryMarshal.GetReference(sorted);
        var a = 0;
        var b = 0;
        var length = sorted.Length;
        while (length > 1)
        {
            var half = length >> 1;
            var aBelow = Unsafe.Add(ref start, a + half - 1) < first;
            var bBelow = Unsafe.Add(ref start, b + half - 1) < second;
            a += half & -Unsafe.BitCast<bool, byte>(aBelow);
            b += half & -Unsafe.BitCast<bool, byte>(bBelow);
            length -= half;
        }

        return (a + Unsafe.BitCast<bool, byte>(Unsafe.Add(ref start, a) < first),
            b + Unsafe.BitCast<bool, byte>(Unsafe.Add(ref start, b) < second));
    }

    /// <summary>The p-quantile of the window with linear interpolation between order statistics (Hyndman and Fan
    /// type 7), as <see cref="RegimeClassifier.Percentile"/>.</summary>
    public double Percentile(double p)
    {
        if (Count == 0)
        {
            throw new InvalidOperationException("The window is empty.");
        }

        return RegimeClassifier.PercentileOfSorted(Sorted, p);
    }
}
