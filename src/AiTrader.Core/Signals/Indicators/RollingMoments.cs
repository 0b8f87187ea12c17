namespace AiTrader.Core.Signals.Indicators;

/// <summary>Mean and sum of squared deviations of the last N values, O(1) amortized per value and free of long-run drift.</summary>
/// <remarks>
/// Each new value updates the mean and M2 = Σ(x − mean)² with Welford's add/replace formulas, which work on deviations
/// and so avoid the cancellation of the sum/sum-of-squares shortcut (20 prices near 100 with σ ≈ 0.01 would lose
/// half their digits). Rounding still accumulates slowly, so once every N replacements both are recomputed exactly
/// with a two-pass scan of the window: O(N) work every N values keeps the cost O(1) amortized and bounds the error to
/// at most N updates, however long the series. A sliding max/min tells when all values are equal, so a flat window
/// reports M2 = 0 exactly rather than a rounding residue.
/// </remarks>
internal sealed class RollingMoments
{
    private readonly double[] _window;
    private readonly SlidingRange _range;
    private int _next;
    private int _updatesSinceRecompute;
    private double _mean;
    private double _m2;

    public RollingMoments(int length)
    {
        _window = new double[length];
        _range = new SlidingRange(length);
    }

    public int Length => _window.Length;

    /// <summary>Values currently in the window (at most <see cref="Length"/>).</summary>
    public int Count { get; private set; }

    public bool IsFull => Count == _window.Length;

    public double Mean => _mean;

    /// <summary>Σ(x − mean)² over the window; exactly 0 when every value in the window is equal.</summary>
    public double SumOfSquaredDeviations => _m2;

    public void Add(double value)
    {
        if (Count < _window.Length)
        {
            Count++;
            var delta = value - _mean;
            _mean += delta / Count;
            _m2 += delta * (value - _mean);
        }
        else
        {
            var old = _window[_next];
            var newMean = _mean + (value - old) / Count;
            _m2 += (value - old) * (value - newMean + old - _mean);
            _mean = newMean;
        }

        _window[_next] = value;
        _next = (_next + 1) % _window.Length;
        _range.Add(value, value);

        if (++_updatesSinceRecompute >= _window.Length)
        {
            Recompute();
        }

        if (_range.Maximum == _range.Minimum)
        {
            _mean = value;
            _m2 = 0;
        }
        else if (_m2 < 0)
        {
            _m2 = 0;
        }
    }

    public void Clear()
    {
        Array.Clear(_window);
        _range.Clear();
        _next = 0;
        _updatesSinceRecompute = 0;
        Count = 0;
        _mean = 0;
        _m2 = 0;
    }

    private void Recompute()
    {
        var sum = 0.0;
        for (var i = 0; i < Count; i++)
        {
            sum += _window[i];
        }

        var mean = sum / Count;
        var m2 = 0.0;
        for (var i = 0; i < Count; i++)
        {
            var d = _window[i] - mean;
            m2 += d * d;
        }

        _mean = mean;
        _m2 = m2;
        _updatesSinceRecompute = 0;
    }
}
