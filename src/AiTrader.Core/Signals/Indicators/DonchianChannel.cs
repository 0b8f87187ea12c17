using AiTrader.Core.Domain;

namespace AiTrader.Core.Signals.Indicators;

/// <summary>A Donchian channel reading: the highest high and lowest low of the window.</summary>
public readonly record struct DonchianValue(double Upper, double Lower)
{
    public double Middle => (Upper + Lower) / 2;
}

/// <summary>Donchian channel over the last <see cref="Period"/> bars including the current one, O(1) per bar.</summary>
/// <remarks>Warm-up: <see cref="Value"/> is null until <see cref="Period"/> bars have been seen (first value at bar index
/// Period − 1). A breakout rule that compares today's close with the channel must use the previous bar's value,
/// because today's channel already contains today's high.</remarks>
public sealed class DonchianChannel
{
    private readonly SlidingRange _range;

    public DonchianChannel(int period)
    {
        if (period < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "Donchian period must be at least 1.");
        }

        Period = period;
        _range = new SlidingRange(period);
    }

    public int Period { get; }

    /// <summary>The channel after the latest bar, or null until <see cref="Period"/> bars have been seen.</summary>
    public DonchianValue? Value { get; private set; }

    /// <summary>Number of bars seen since construction or <see cref="Reset"/>.</summary>
    public int Count { get; private set; }

    public bool IsReady => Value.HasValue;

    /// <summary>Adds the next bar and returns the channel (null during warm-up).</summary>
    public DonchianValue? Update(Bar bar) => Update((double)bar.High, (double)bar.Low);

    /// <summary>Adds the next bar given as high and low and returns the channel (null during warm-up).</summary>
    public DonchianValue? Update(double high, double low)
    {
        _range.Add(high, low);
        Count++;
        Value = Count >= Period ? new DonchianValue(_range.Maximum, _range.Minimum) : null;
        return Value;
    }

    public void Reset()
    {
        _range.Clear();
        Count = 0;
        Value = null;
    }
}
