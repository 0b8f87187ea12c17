namespace AiTrader.Core.Signals.Indicators;

/// <summary>Sliding-window maximum (or minimum) with a monotonic deque in a ring buffer: O(1) amortized per value.</summary>
internal sealed class MonotonicWindow
{
    private readonly int _window;
    private readonly bool _keepMaximum;
    private readonly long[] _indices;
    private readonly double[] _values;
    private int _head;
    private int _count;

    public MonotonicWindow(int window, bool keepMaximum)
    {
        _window = window;
        _keepMaximum = keepMaximum;
        // The deque never holds more than one entry per index in the window.
        _indices = new long[window];
        _values = new double[window];
    }

    /// <summary>The maximum (or minimum) of the values in the window; only meaningful after at least one Add.</summary>
    public double Extreme => _values[_head];

    public void Add(long index, double value)
    {
        // Drop from the back every value the new one dominates: it can never be the extreme while the new one is in the window.
        // (Ring positions wrap with a compare instead of '%': this runs for every bar of every backtest.)
        while (_count > 0)
        {
            var back = Wrap(_head + _count - 1);
            var dominated = _keepMaximum ? _values[back] <= value : _values[back] >= value;
            if (!dominated)
            {
                break;
            }

            _count--;
        }

        // Drop from the front the value that slid out of the window.
        if (_count > 0 && _indices[_head] <= index - _window)
        {
            _head = Wrap(_head + 1);
            _count--;
        }

        var slot = Wrap(_head + _count);
        _indices[slot] = index;
        _values[slot] = value;
        _count++;
    }

    /// <summary>A ring position in [0, 2·window) brought back into [0, window).</summary>
    private int Wrap(int position) => position >= _window ? position - _window : position;

    public void Clear()
    {
        _head = 0;
        _count = 0;
    }
}
