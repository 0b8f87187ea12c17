using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Signals.Indicators;

/// <summary>Opening gap of the current New York session versus the previous session's last close, as a fraction (0.02 = +2%).</summary>
/// <remarks>
/// On the first bar of a session (a bar whose <see cref="ExchangeTime.SessionDate"/> differs from the previous bar's) the
/// gap is open / previous session's last close − 1; the value then persists for every bar of that session, so an
/// intraday strategy can read it at any time. Warm-up: null for the whole first session seen (no prior close). With
/// extended-hours bars the first bar is the pre-market one and the prior close the last after-hours bar; feed only
/// regular-hours bars for the classic open-versus-close gap.
/// </remarks>
public sealed class GapPercent
{
    private DateOnly? _sessionDate;
    private readonly NewYorkClock _clock = new();
    private double? _lastClose;

    /// <summary>The current session's gap, or null during the first session.</summary>
    public double? Value { get; private set; }

    /// <summary>Number of bars seen since construction or <see cref="Reset"/>.</summary>
    public int Count { get; private set; }

    public bool IsReady => Value.HasValue;

    /// <summary>Adds the next bar and returns the current session's gap (null during the first session).</summary>
    public double? Update(Bar bar) => Update(_clock.SessionDate(bar.Timestamp), bar.Open, (double)bar.Close);

    /// <summary><see cref="Update(Bar)"/> from the bar's New York session date, its open and its close as a double.</summary>
    internal double? Update(DateOnly date, decimal open, double close)
    {
        if (_sessionDate != date)
        {
            _sessionDate = date;
            Value = _lastClose is { } previousClose && previousClose != 0 ? (double)open / previousClose - 1.0 : null;
        }

        _lastClose = close;
        Count++;
        return Value;
    }

    public void Reset()
    {
        _sessionDate = null;
        _lastClose = null;
        Count = 0;
        Value = null;
    }
}
