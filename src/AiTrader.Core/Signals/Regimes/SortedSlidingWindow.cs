namespace AiTrader.Core.Signals.Regimes;

/// <summary>The last <see cref="Capacity"/> values of a stream kept both in arrival order and sorted, so a percentile
/// of the window is a lookup instead of a sort.</summary>
/// <remarks>Adding a value is two binary searches and one block move of at most <see cref="Capacity"/> doubles (about
/// 2 KB for the regime classifier's 252-value window), against copying and sorting the whole window on every bar.
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
            // Any copy of an equal value is the same value, so removing the one the search finds is exact.
            var at = _sorted.AsSpan(0, Count).BinarySearch(evicted);
            Array.Copy(_sorted, at + 1, _sorted, at, Count - at - 1);
            Count--;
        }
        else
        {
            _arrivals[(_oldest + Count) % Capacity] = value;
        }

        var position = _sorted.AsSpan(0, Count).BinarySearch(value);
        if (position < 0)
        {
            position = ~position;
        }

        Array.Copy(_sorted, position, _sorted, position + 1, Count - position);
        _sorted[position] = value;
        Count++;
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
