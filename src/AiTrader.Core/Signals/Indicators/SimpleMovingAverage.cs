using AiTrader.Core.Domain;

namespace AiTrader.Core.Signals.Indicators;

/// <summary>Simple moving average of the last <see cref="Period"/> values (closes by default), O(1) amortized per bar.</summary>
/// <remarks>
/// Warm-up: the first value appears at bar index Period − 1 (sma_20 at bar 19); before that <see cref="Value"/> is null.
/// The running sum adds the new value and subtracts the one leaving the window; so that rounding cannot drift over
/// millions of bars, the sum is recomputed exactly from the window once every Period updates (O(1) amortized, and the
/// error never covers more than Period additions).
/// </remarks>
public sealed class SimpleMovingAverage
{
    private readonly double[] _window;
    private int _next;
    private int _filled;
    private int _updatesSinceRecompute;
    private double _sum;

    public SimpleMovingAverage(int period = 20)
    {
        if (period < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "SMA period must be at least 1.");
        }

        Period = period;
        _window = new double[period];
    }

    public int Period { get; }

    /// <summary>The average after the latest value, or null until <see cref="Period"/> values have been seen.</summary>
    public double? Value { get; private set; }

    /// <summary>Number of values seen since construction or <see cref="Reset"/>.</summary>
    public int Count { get; private set; }

    public bool IsReady => Value.HasValue;

    /// <summary>Adds the next bar's close and returns the SMA (null during warm-up).</summary>
    public double? Update(Bar bar) => Update((double)bar.Close);

    /// <summary>Adds the next value and returns the SMA (null during warm-up).</summary>
    public double? Update(double value)
    {
        if (_filled == Period)
        {
            _sum -= _window[_next];
        }
        else
        {
            _filled++;
        }

        _sum += value;
        _window[_next] = value;
        _next = (_next + 1) % Period;
        Count++;

        if (++_updatesSinceRecompute >= Period)
        {
            _sum = 0;
            for (var i = 0; i < _filled; i++)
            {
                _sum += _window[i];
            }

            _updatesSinceRecompute = 0;
        }

        Value = _filled == Period ? _sum / Period : null;
        return Value;
    }

    public void Reset()
    {
        Array.Clear(_window);
        _next = 0;
        _filled = 0;
        _updatesSinceRecompute = 0;
        _sum = 0;
        Count = 0;
        Value = null;
    }
}
