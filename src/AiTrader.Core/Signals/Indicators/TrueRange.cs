using AiTrader.Core.Domain;

namespace AiTrader.Core.Signals.Indicators;

/// <summary>Wilder's true range, streamed one bar at a time: max(high − low, |high − previous close|, |low − previous close|).</summary>
/// <remarks>Warm-up: the first bar has no previous close, so <see cref="Value"/> is absent on bar 0 and present from bar 1 on.
/// Wilder (1978) defines TR only against a previous close; returning high − low on bar 0 would bias the first ATR.</remarks>
public sealed class TrueRange
{
    private double? _previousClose;

    /// <summary>The true range of the latest bar, or null during warm-up (bar 0).</summary>
    public double? Value { get; private set; }

    /// <summary>Number of bars seen since construction or <see cref="Reset"/>.</summary>
    public int Count { get; private set; }

    public bool IsReady => Value.HasValue;

    /// <summary>Adds the next bar and returns its true range (null on the first bar).</summary>
    public double? Update(Bar bar) => Update((double)bar.High, (double)bar.Low, (double)bar.Close);

    /// <summary>Adds the next bar given as high, low, close and returns its true range (null on the first bar).</summary>
    public double? Update(double high, double low, double close)
    {
        Value = _previousClose is { } previous ? Compute(high, low, previous) : null;
        _previousClose = close;
        Count++;
        return Value;
    }

    public void Reset()
    {
        _previousClose = null;
        Value = null;
        Count = 0;
    }

    /// <summary>The true range of one bar against the previous bar's close.</summary>
    /// <remarks>MaxNative (one vmaxsd) rather than Math.Max: the three ranges are never NaN, and none is −0 (a
    /// difference of equal values is +0, an absolute value is never negative), so the result is the same.</remarks>
    public static double Compute(double high, double low, double previousClose) =>
        double.MaxNative(high - low, double.MaxNative(Math.Abs(high - previousClose), Math.Abs(low - previousClose)));
}
