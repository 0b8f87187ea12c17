using AiTrader.Core.Domain;

namespace AiTrader.Core.Signals.Indicators;

/// <summary>Wilder's average true range (ATR), streamed in O(1) per bar.</summary>
/// <remarks>
/// Warm-up: true range starts at bar 1 (it needs the previous close), so the first ATR appears at bar index
/// <see cref="Period"/> as the simple mean of TR[1..Period]; after that ATR = ((Period − 1) · ATR + TR) / Period
/// (Wilder's smoothing, the definition in "New Concepts in Technical Trading Systems" and in Skender/TA-Lib).
/// Before bar index <see cref="Period"/> <see cref="Value"/> is null, never zero.
/// </remarks>
public sealed class AverageTrueRange
{
    private readonly TrueRange _trueRange = new();
    private double _seedSum;
    private int _trueRangeCount;

    public AverageTrueRange(int period = 14)
    {
        if (period < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "ATR period must be at least 1.");
        }

        Period = period;
    }

    public int Period { get; }

    /// <summary>The ATR after the latest bar, or null until bar index <see cref="Period"/>.</summary>
    public double? Value { get; private set; }

    /// <summary>Number of bars seen since construction or <see cref="Reset"/>.</summary>
    public int Count => _trueRange.Count;

    public bool IsReady => Value.HasValue;

    /// <summary>Adds the next bar and returns the ATR (null during warm-up).</summary>
    public double? Update(Bar bar) => Update((double)bar.High, (double)bar.Low, (double)bar.Close);

    /// <summary>Adds the next bar given as high, low, close and returns the ATR (null during warm-up).</summary>
    public double? Update(double high, double low, double close)
    {
        if (_trueRange.Update(high, low, close) is not { } tr)
        {
            return Value;
        }

        _trueRangeCount++;
        if (_trueRangeCount < Period)
        {
            _seedSum += tr;
        }
        else if (_trueRangeCount == Period)
        {
            Value = (_seedSum + tr) / Period;
        }
        else
        {
            Value = ((Period - 1) * Value!.Value + tr) / Period;
        }

        return Value;
    }

    public void Reset()
    {
        _trueRange.Reset();
        _seedSum = 0;
        _trueRangeCount = 0;
        Value = null;
    }
}
