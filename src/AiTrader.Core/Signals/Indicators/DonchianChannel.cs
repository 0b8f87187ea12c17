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
    private readonly SlidingExtreme _highs;
    private readonly SlidingExtreme _lows;

    public DonchianChannel(int period)
    {
        if (period < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "Donchian period must be at least 1.");
        }

        Period = period;
        _highs = new SlidingExtreme(period, keepMaximum: true);
        _lows = new SlidingExtreme(period, keepMaximum: false);
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
        _highs.Add(high);
        _lows.Add(low);
        Count++;
        Value = Count >= Period ? new DonchianValue(_highs.Extreme, _lows.Extreme) : null;
        return Value;
    }

    public void Reset()
    {
        _highs.Clear();
        _lows.Clear();
        Count = 0;
        Value = null;
    }
}
