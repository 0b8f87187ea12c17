using AiTrader.Core.Reporting;

namespace AiTrader.Core.Tests.Reporting;

public sealed class SeriesDownsamplerTests
{
    [Fact]
    public void Short_series_is_kept_whole()
    {
        Assert.Equal([0, 1, 2, 3, 4], SeriesDownsampler.MinMaxIndices([5.0, 1, 4, 2, 3], 10));
        Assert.Empty(SeriesDownsampler.MinMaxIndices([], 10));
    }

    [Fact]
    public void Each_bucket_keeps_its_minimum_and_maximum_so_spikes_survive()
    {
        var rng = new Random(42);
        var values = new double[10_007];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Math.Sin(i / 300.0) * 10 + rng.NextDouble();
        }

        values[4_321] = 1_000; // one-bar spike up
        values[8_765] = -1_000; // one-bar crash
        const int maxPoints = 200;

        var kept = SeriesDownsampler.MinMaxIndices(values, maxPoints);

        Assert.InRange(kept.Count, 3, maxPoints + 2);
        Assert.Equal(0, kept[0]);
        Assert.Equal(values.Length - 1, kept[^1]);
        Assert.True(kept.Zip(kept.Skip(1)).All(p => p.First < p.Second), "indices ascending and distinct");
        Assert.Contains(4_321, kept);
        Assert.Contains(8_765, kept);

        const int buckets = maxPoints / 2;
        var keptSet = kept.ToHashSet();
        for (var b = 0; b < buckets; b++)
        {
            var from = (int)((long)values.Length * b / buckets);
            var to = (int)((long)values.Length * (b + 1) / buckets);
            var bucket = Enumerable.Range(from, to - from).ToArray();
            var min = bucket.Min(i => values[i]);
            var max = bucket.Max(i => values[i]);
            Assert.Contains(bucket, i => keptSet.Contains(i) && values[i] == min);
            Assert.Contains(bucket, i => keptSet.Contains(i) && values[i] == max);
        }
    }

    [Theory]
    [InlineData(1, 5_000, 200)]
    [InlineData(2, 100_003, 1_000)]
    [InlineData(3, 999, 3)]
    public void Every_form_keeps_each_buckets_first_lowest_and_first_highest_point(int seed, int count, int maxPoints)
    {
        // Rounded values repeat often (flat equity, ties in a bucket) and a few are NaN. Worked out independently of the
        // scan: a bucket's extremes are its first lowest and first highest non-NaN values (a NaN never wins; a bucket
        // that opens with NaN keeps its first point for both); the result is those, the first and the last index,
        // in order, each once.
        var rng = new Random(seed);
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = rng.Next(20) == 0 ? double.NaN : Math.Round(rng.NextDouble() * 10);
        }

        var buckets = (maxPoints + 1) / 2;
        var expected = new SortedSet<int> { 0, count - 1 };
        for (var b = 0; b < buckets; b++)
        {
            var from = (int)((long)count * b / buckets);
            var to = (int)((long)count * (b + 1) / buckets);
            var indices = Enumerable.Range(from, to - from).ToArray();
            var finite = indices.Where(j => !double.IsNaN(values[j])).ToArray();
            var opensWithNaN = double.IsNaN(values[from]) || finite.Length == 0;
            expected.Add(opensWithNaN ? from : finite.OrderBy(j => values[j]).ThenBy(j => j).First());
            expected.Add(opensWithNaN ? from : finite.OrderByDescending(j => values[j]).ThenBy(j => j).First());
        }

        Assert.Equal(expected, SeriesDownsampler.MinMaxIndices(values.AsSpan(), maxPoints));
        Assert.Equal(expected, SeriesDownsampler.MinMaxIndices((IReadOnlyList<double>)values, maxPoints));
        Assert.Equal(expected, SeriesDownsampler.MinMaxIndices(values.ToList(), maxPoints));
        Assert.Equal(expected, SeriesDownsampler.MinMaxIndices(count, i => values[i], maxPoints));
    }
}
