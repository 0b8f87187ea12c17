using AiTrader.Core.Domain;

namespace AiTrader.Core.Signals.Indicators;

/// <summary>Exponential moving average seeded with the simple average of the first <see cref="Period"/> values, O(1) per bar.</summary>
/// <remarks>
/// Warm-up: the first value appears at bar index Period − 1 as the SMA of values 0..Period − 1 (ema_20 at bar 19); after
/// that EMA = EMA + α · (value − EMA) with α = 2 / (Period + 1), the StockCharts/TA-Lib definition. Seeding with the SMA
/// rather than the first value keeps the early readings from overweighting bar 0.
/// </remarks>
public sealed class ExponentialMovingAverage
{
    private double _seedSum;

    public ExponentialMovingAverage(int period = 20)
    {
        if (period < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "EMA period must be at least 1.");
        }

        Period = period;
        Alpha = 2.0 / (period + 1);
    }

    public int Period { get; }

    /// <summary>The smoothing factor 2 / (Period + 1).</summary>
    public double Alpha { get; }

    /// <summary>The EMA after the latest value, or null until bar index Period − 1.</summary>
    public double? Value { get; private set; }

    /// <summary>Number of values seen since construction or <see cref="Reset"/>.</summary>
    public int Count { get; private set; }

    public bool IsReady => Value.HasValue;

    /// <summary>Adds the next bar's close and returns the EMA (null during warm-up).</summary>
    public double? Update(Bar bar) => Update((double)bar.Close);

    /// <summary>Adds the next value and returns the EMA (null during warm-up).</summary>
    public double? Update(double value)
    {
        Count++;
        if (Count < Period)
        {
            _seedSum += value;
        }
        else if (Count == Period)
        {
            Value = (_seedSum + value) / Period;
        }
        else
        {
            Value = Value!.Value + Alpha * (value - Value.Value);
        }

        return Value;
    }

    public void Reset()
    {
        _seedSum = 0;
        Count = 0;
        Value = null;
    }
}
