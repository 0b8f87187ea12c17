using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Signals.Indicators;

/// <summary>Session VWAP: volume-weighted average price since the start of the current New York session date, O(1) per bar.</summary>
/// <remarks>
/// The accumulation resets whenever <see cref="ExchangeTime.SessionDate"/> of the bar differs from the previous bar's,
/// so pre-market and after-hours bars count toward the New York date they fall on (00:30Z is still the previous
/// evening in New York). Each bar contributes price × volume, where price is the bar's own VWAP when the vendor sends
/// one (it is the exact volume-weighted price inside the bar) and the typical price (H + L + C) / 3 otherwise.
/// Warm-up: none, but the value is null while the session's cumulative volume is 0. On daily bars it resets every bar.
/// </remarks>
public sealed class SessionVwap
{
    private DateOnly? _sessionDate;
    private readonly NewYorkClock _clock = new();
    private double _priceVolume;
    private double _volume;

    /// <summary>The VWAP of the current session so far, or null while its cumulative volume is 0.</summary>
    public double? Value { get; private set; }

    /// <summary>Number of bars seen since construction or <see cref="Reset"/>.</summary>
    public int Count { get; private set; }

    public bool IsReady => Value.HasValue;

    /// <summary>The New York session date of the latest bar.</summary>
    public DateOnly? SessionDate => _sessionDate;

    /// <summary>Adds the next bar and returns the session VWAP (null while the session's volume is 0).</summary>
    public double? Update(Bar bar) =>
        Update(_clock.SessionDate(bar.Timestamp), (double)bar.High, (double)bar.Low, (double)bar.Close, (double)bar.Volume, bar.Vwap);

    /// <summary><see cref="Update(Bar)"/> from the bar's New York session date and its prices already converted to double.</summary>
    internal double? Update(DateOnly date, double high, double low, double close, double volume, decimal? barVwap)
    {
        if (_sessionDate != date)
        {
            _sessionDate = date;
            _priceVolume = 0;
            _volume = 0;
        }

        var price = barVwap is { } vwap ? (double)vwap : (high + low + close) / 3.0;
        _priceVolume += price * volume;
        _volume += volume;
        Count++;
        Value = _volume > 0 ? _priceVolume / _volume : null;
        return Value;
    }

    public void Reset()
    {
        _sessionDate = null;
        _priceVolume = 0;
        _volume = 0;
        Count = 0;
        Value = null;
    }
}
