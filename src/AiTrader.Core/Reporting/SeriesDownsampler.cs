namespace AiTrader.Core.Reporting;

/// <summary>Thins a long series for drawing while keeping its spikes: per bucket it keeps the minimum and the maximum.</summary>
/// <remarks>Averaging or taking every n-th point would hide a one-bar crash; a chart that loses the worst drawdown
/// misleads. The index range is cut into ⌈maxPoints / 2⌉ equal buckets; each keeps the index of its lowest and of its
/// highest value, in time order. The first and last points are always kept, so a line spans the whole range.
/// The result has at most <c>maxPoints + 2</c> indices.</remarks>
public static class SeriesDownsampler
{
    /// <summary>Indices (ascending, distinct) of the points to draw; every index when the series is short enough.</summary>
    public static IReadOnlyList<int> MinMaxIndices(int count, Func<int, double> value, int maxPoints)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = value(i);
        }

        return MinMaxIndices(values, maxPoints);
    }

    /// <summary>Convenience form of <see cref="MinMaxIndices(ReadOnlySpan{double}, int)"/> for a list.</summary>
    public static IReadOnlyList<int> MinMaxIndices(IReadOnlyList<double> values, int maxPoints)
    {
        ArgumentNullException.ThrowIfNull(values);
        return values is double[] array ? MinMaxIndices(array.AsSpan(), maxPoints) : MinMaxIndices(values.Count, i => values[i], maxPoints);
    }

    /// <summary>Indices (ascending, distinct) of the points to draw, read straight from the values (the one implementation:
    /// a report draws six lines of two million points each, and a delegate call per point was most of its time).</summary>
    public static IReadOnlyList<int> MinMaxIndices(ReadOnlySpan<double> values, int maxPoints)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2);
        var count = values.Length;
        if (count <= maxPoints)
        {
            return Enumerable.Range(0, count).ToArray();
        }

        var buckets = (maxPoints + 1) / 2;
        var kept = new List<int>(maxPoints + 2) { 0 };
        for (var b = 0; b < buckets; b++)
        {
            var from = BucketStart(count, buckets, b);
            var to = BucketStart(count, buckets, b + 1);
            var bucket = values[from..to];
            int minAt = 0, maxAt = 0;
            double min = bucket[0], max = min;
            for (var i = 1; i < bucket.Length; i++)
            {
                var v = bucket[i];
                if (v < min)
                {
                    min = v;
                    minAt = i;
                }

                if (v > max)
                {
                    max = v;
                    maxAt = i;
                }
            }

            AddAscending(kept, from + Math.Min(minAt, maxAt));
            AddAscending(kept, from + Math.Max(minAt, maxAt));
        }

        AddAscending(kept, count - 1);
        return kept;
    }

    /// <summary>The first index of bucket <paramref name="bucket"/> when <paramref name="count"/> points are cut into
    /// <paramref name="buckets"/> equal runs (bucket <c>buckets</c> gives <paramref name="count"/>, the end of the last).</summary>
    public static int BucketStart(int count, int buckets, int bucket) => (int)((long)count * bucket / buckets);

    private static void AddAscending(List<int> kept, int index)
    {
        if (kept[^1] < index)
        {
            kept.Add(index);
        }
    }
}
