namespace AiTrader.Core.Signals.Indicators;

/// <summary>The last <c>capacity</c> values of a stream in a ring buffer, read oldest first.</summary>
/// <remarks>Replaces a <see cref="Queue{T}"/> where a window is rescanned every bar: the scan runs over two spans
/// instead of an enumerator, in the same oldest-to-newest order, so sums come out bit for bit the same.</remarks>
internal sealed class TrailingWindow
{
    private readonly double[] _values;
    private int _oldest;

    public TrailingWindow(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _values = new double[capacity];
    }

    public int Count { get; private set; }

    /// <summary>The oldest value in the window (the window must not be empty).</summary>
    public double Oldest => Count > 0 ? _values[_oldest] : throw new InvalidOperationException("The window is empty.");

    /// <summary>Adds <paramref name="value"/>, dropping the oldest once the window is full.</summary>
    public void Add(double value)
    {
        if (Count < _values.Length)
        {
            var slot = _oldest + Count;
            _values[slot >= _values.Length ? slot - _values.Length : slot] = value;
            Count++;
            return;
        }

        _values[_oldest] = value;
        _oldest = _oldest + 1 == _values.Length ? 0 : _oldest + 1;
    }

    /// <summary>Sample variance Σ(x − mean)² / (n − 1) in two passes, oldest value first (needs two or more values).</summary>
    public double SampleVariance()
    {
        if (Count < 2)
        {
            throw new InvalidOperationException("A sample variance needs at least two values.");
        }

        var firstLength = Math.Min(Count, _values.Length - _oldest);
        ReadOnlySpan<double> older = _values.AsSpan(_oldest, firstLength);
        ReadOnlySpan<double> newer = _values.AsSpan(0, Count - firstLength);
        var mean = 0.0;
        foreach (var x in older)
        {
            mean += x;
        }

        foreach (var x in newer)
        {
            mean += x;
        }

        mean /= Count;
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
