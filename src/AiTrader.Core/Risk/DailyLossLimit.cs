using AiTrader.Core.Sessions;

namespace AiTrader.Core.Risk;

/// <summary>Halts new entries for the rest of the New York session once equity has fallen the limit below the session's start.</summary>
/// <remarks>
/// The session's start equity is the first equity observed on its New York date (<see cref="ExchangeTime.SessionDate"/>),
/// from <see cref="OnEquity"/> or an order check, so the driver should mark the account at or before the open. Once
/// tripped the halt holds for the rest of that date even if equity recovers: a loss limit that re-opens on a bounce
/// invites revenge trading. The first observation on the next date starts a fresh session. Exits are never blocked.
/// With both a fraction and an amount the tighter limit applies.
/// </remarks>
public sealed class DailyLossLimit : IStatefulGuardrail
{
    private readonly Lock _lock = new();
    private DateOnly? _sessionDate;
    private decimal _startEquity;
    private Trip? _trip;

    /// <param name="maxLossFraction">Largest loss as a fraction of the session's start equity, in (0, 1]; null for none.</param>
    /// <param name="maxLossAmount">Largest loss in account currency, positive; null for none.</param>
    public DailyLossLimit(decimal? maxLossFraction = null, decimal? maxLossAmount = null)
    {
        if (maxLossFraction is null && maxLossAmount is null)
        {
            throw new ArgumentException("Give a maximum loss as a fraction of equity, an amount, or both.", nameof(maxLossFraction));
        }

        if (maxLossFraction is { } f && (f <= 0 || f > 1))
        {
            throw new ArgumentOutOfRangeException(nameof(maxLossFraction), f, "The daily loss fraction must be in (0, 1].");
        }

        if (maxLossAmount is { } a && a <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLossAmount), a, "The daily loss amount must be positive.");
        }

        MaxLossFraction = maxLossFraction;
        MaxLossAmount = maxLossAmount;
    }

    public decimal? MaxLossFraction { get; }

    public decimal? MaxLossAmount { get; }

    public string Rule => GuardrailRules.DailyLoss;

    /// <summary>The New York date of the current session, or null before any equity was seen.</summary>
    public DateOnly? SessionDate
    {
        get
        {
            lock (_lock)
            {
                return _sessionDate;
            }
        }
    }

    /// <summary>The equity the current session's loss is measured from.</summary>
    public decimal SessionStartEquity
    {
        get
        {
            lock (_lock)
            {
                return _startEquity;
            }
        }
    }

    /// <summary>True while new entries are halted for the current session.</summary>
    public bool IsTripped
    {
        get
        {
            lock (_lock)
            {
                return _trip is not null;
            }
        }
    }

    /// <summary>The loss limit in account currency for a session that started at <paramref name="startEquity"/>.</summary>
    public decimal LimitFor(decimal startEquity)
    {
        var byFraction = MaxLossFraction is { } f ? Math.Max(0, startEquity) * f : decimal.MaxValue;
        var byAmount = MaxLossAmount ?? decimal.MaxValue;
        return Math.Min(byFraction, byAmount);
    }

    public void OnEquity(DateTime utc, decimal equity)
    {
        lock (_lock)
        {
            Observe(utc, equity);
        }
    }

    public GuardrailDecision Check(OrderCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        lock (_lock)
        {
            Observe(check.UtcNow, check.Account.Equity);
            if (_trip is not { } trip || !check.IsOpening)
            {
                return GuardrailDecision.Allow(Rule);
            }

            var loss = _startEquity - trip.Equity;
            var lossFraction = _startEquity > 0 ? loss / _startEquity : 0;
            return GuardrailDecision.Block(
                Rule,
                $"equity {Format.Money(trip.Equity)} at {Format.Utc(trip.AtUtc)} was {Format.Money(loss)} ({Format.Percent(lossFraction)}) " +
                $"below the session start {Format.Money(_startEquity)} on {Format.Date(_sessionDate!.Value)}, reaching the limit " +
                $"{Format.Money(LimitFor(_startEquity))}; new entries halted until the next session (equity now {Format.Money(check.Account.Equity)})");
        }
    }

    private void Observe(DateTime utc, decimal equity)
    {
        var date = ExchangeTime.SessionDate(utc);
        if (_sessionDate != date)
        {
            if (_sessionDate is { } current && date < current)
            {
                // A late mark from an earlier session must not restart the day's baseline.
                return;
            }

            _sessionDate = date;
            _startEquity = equity;
            _trip = null;
        }

        if (_trip is null && _startEquity - equity >= LimitFor(_startEquity))
        {
            _trip = new Trip(utc, equity);
        }
    }

    public string ExportState()
    {
        lock (_lock)
        {
            return System.Text.Json.JsonSerializer.Serialize(new State(_sessionDate, _startEquity, _trip));
        }
    }

    public void RestoreState(string json)
    {
        var state = System.Text.Json.JsonSerializer.Deserialize<State>(json) ?? throw new FormatException("The daily_loss state is empty.");
        lock (_lock)
        {
            (_sessionDate, _startEquity, _trip) = (state.SessionDate, state.StartEquity, state.Trip);
        }
    }

    private sealed record Trip(DateTime AtUtc, decimal Equity);

    private sealed record State(DateOnly? SessionDate, decimal StartEquity, Trip? Trip);
}
