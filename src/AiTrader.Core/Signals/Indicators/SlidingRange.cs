using System.Runtime.CompilerServices;

namespace AiTrader.Core.Signals.Indicators;

/// <summary>The maximum of one stream and the minimum of another over the last <c>window</c> positions (a Donchian
/// channel's highs and lows, or one series' range), about three comparisons per value whatever the window and the data.</summary>
/// <remarks>
/// The van Herk / Gil–Werman scheme, streamed: the positions are cut into blocks of <c>window</c>. Each window is the
/// tail of the previous block plus the head of the current one, so its extreme is the larger (smaller) of the previous
/// block's suffix extreme at the window's start, worked out in one backward pass when that block completed, and the
/// running prefix extreme of the current block. No library offers this for a stream of doubles. It replaces a
/// monotonic deque, whose data-dependent pops mispredict on real prices and cost several times more per value in
/// the backtester's hot loop. <c>double.MaxNative</c>/<c>MinNative</c> are single instructions; without NaN
/// handling they differ from <c>Math.Max</c> only for NaN and −0, and prices are never NaN (a −0 and a +0 compare
/// equal, so which one wins changes no comparison). Values arrive in order, one pair per position, with no gaps.
/// </remarks>
internal sealed class SlidingRange
{
    private readonly int _window;
    private readonly double[] _highs;
    private readonly double[] _lows;
    private readonly double[] _suffixMax;
    private readonly double[] _suffixMin;
    private int _position;
    private bool _hasPrevious;
    private double _prefixMax;
    private double _prefixMin;

    public SlidingRange(int window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        _window = window;
        _highs = new double[window];
        _lows = new double[window];
        _suffixMax = new double[window];
        _suffixMin = new double[window];
    }

    /// <summary>The maximum of the last <c>window</c> highs added (of all of them while fewer were added).</summary>
    public double Maximum { get; private set; }

    /// <summary>The minimum of the last <c>window</c> lows added (of all of them while fewer were added).</summary>
    public double Minimum { get; private set; }

    /// <summary>Adds the next position's high and low.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(double high, double low)
    {
        var position = _position;
        _highs[position] = high;
        _lows[position] = low;
        var start = position == 0;
        _prefixMax = start ? high : double.MaxNative(high, _prefixMax);
        _prefixMin = start ? low : double.MinNative(low, _prefixMin);
        if (position == _window - 1)
        {
            // The block is complete: the window is exactly this block, and its suffix extremes serve the next block.
            Maximum = _prefixMax;
            Minimum = _prefixMin;
            CompleteBlock();
            return;
        }

        // The window starts at index position + 1 of the previous block (or at the stream's start in warm-up).
        Maximum = _hasPrevious ? double.MaxNative(_suffixMax[position + 1], _prefixMax) : _prefixMax;
        Minimum = _hasPrevious ? double.MinNative(_suffixMin[position + 1], _prefixMin) : _prefixMin;
        _position = position + 1;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CompleteBlock()
    {
        var runningMax = double.NegativeInfinity;
        var runningMin = double.PositiveInfinity;
        for (var j = _window - 1; j >= 0; j--)
        {
            runningMax = double.MaxNative(_highs[j], runningMax);
            runningMin = double.MinNative(_lows[j], runningMin);
            _suffixMax[j] = runningMax;
            _suffixMin[j] = runningMin;
        }

        _hasPrevious = true;
        _position = 0;
    }

    public void Clear()
    {
        _position = 0;
        _hasPrevious = false;
        _prefixMax = 0;
        _prefixMin = 0;
        Maximum = 0;
        Minimum = 0;
    }
}
