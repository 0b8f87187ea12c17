namespace AiTrader.Core.Signals.Indicators;

/// <summary>Maximum (or minimum) of the last <c>window</c> values of a stream, about three comparisons per value
/// whatever the window and the data.</summary>
/// <remarks>
/// The van Herk / Gil–Werman scheme, streamed: the stream is cut into blocks of <c>window</c> values. Each window is
/// the tail of the previous block plus the head of the current one, so its extreme is the larger of the previous
/// block's suffix extreme at the window's start (worked out in one backward pass when that block completed) and the
/// running prefix extreme of the current block. No library offers this for a stream of doubles. It replaces a
/// monotonic deque, whose data-dependent pops mispredict on real prices and cost several times more per value in
/// the backtester's hot loop. Values must arrive in order, one per index, with no gaps.
/// </remarks>
internal sealed class SlidingExtreme
{
    private readonly int _window;
    private readonly bool _keepMaximum;
    private readonly double[] _block;
    private readonly double[] _suffix;
    private int _position;
    private bool _hasPrevious;
    private double _prefix;

    public SlidingExtreme(int window, bool keepMaximum)
    {
        _window = window;
        _keepMaximum = keepMaximum;
        _block = new double[window];
        _suffix = new double[window];
    }

    /// <summary>The maximum (or minimum) of the last <c>window</c> values added (of all of them while fewer were
    /// added); only meaningful after at least one <see cref="Add"/>.</summary>
    public double Extreme { get; private set; }

    /// <summary>Adds the next value of the stream.</summary>
    public void Add(double value)
    {
        // A minimum is the negated maximum of the negated values (negation is exact), so one code path serves both.
        // MaxNative is one vmaxsd: without its NaN and -0 handling Math.Max costs several times more, and prices are
        // never NaN (a -0 and a +0 compare equal, so which one wins changes no comparison).
        var v = _keepMaximum ? value : -value;
        var position = _position;
        _block[position] = v;
        _prefix = position == 0 ? v : double.MaxNative(v, _prefix);
        double extreme;
        if (position == _window - 1)
        {
            // The block is complete: the window is exactly this block, and its suffix extremes serve the next block.
            extreme = _prefix;
            var running = v;
            _suffix[position] = running;
            for (var j = position - 1; j >= 0; j--)
            {
                var x = _block[j];
                running = double.MaxNative(x, running);
                _suffix[j] = running;
            }

            _hasPrevious = true;
            _position = 0;
        }
        else
        {
            // The window starts at index position + 1 of the previous block (or at the stream's start in warm-up).
            extreme = _hasPrevious ? double.MaxNative(_suffix[position + 1], _prefix) : _prefix;
            _position = position + 1;
        }

        Extreme = _keepMaximum ? extreme : -extreme;
    }

    public void Clear()
    {
        _position = 0;
        _hasPrevious = false;
        _prefix = 0;
        Extreme = 0;
    }
}
