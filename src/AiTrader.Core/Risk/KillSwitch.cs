namespace AiTrader.Core.Risk;

/// <summary>An operator's stop: while engaged, every new order is blocked except protective ones.</summary>
/// <remarks>
/// Exits are blocked too: a runaway agent churns exits as readily as entries. Taking risk off is a separate, explicit
/// flatten whose orders are marked <see cref="OrderCheck.IsProtective"/>, as are resting protective stops; those pass.
/// Engage and release may come from another thread (the API) while the trading loop checks orders.
/// </remarks>
public sealed class KillSwitch : IStatefulGuardrail
{
    private readonly Lock _lock = new();

    public string Rule => GuardrailRules.KillSwitch;

    public bool IsEngaged { get; private set; }

    public DateTime? EngagedAtUtc { get; private set; }

    public string? EngagedBy { get; private set; }

    public string? EngagedReason { get; private set; }

    /// <summary>Engages the switch. Engaging an engaged switch keeps the first engagement's time, author and reason.</summary>
    public void Engage(DateTime utcNow, string by, string reason)
    {
        if (utcNow.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException($"Expected a UTC instant, got Kind={utcNow.Kind}.", nameof(utcNow));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        lock (_lock)
        {
            if (IsEngaged)
            {
                return;
            }

            IsEngaged = true;
            EngagedAtUtc = utcNow;
            EngagedBy = by;
            EngagedReason = reason;
        }
    }

    public void Release()
    {
        lock (_lock)
        {
            IsEngaged = false;
            EngagedAtUtc = null;
            EngagedBy = null;
            EngagedReason = null;
        }
    }

    public string ExportState()
    {
        lock (_lock)
        {
            return System.Text.Json.JsonSerializer.Serialize(new State(IsEngaged, EngagedAtUtc, EngagedBy, EngagedReason));
        }
    }

    public void RestoreState(string json)
    {
        var state = System.Text.Json.JsonSerializer.Deserialize<State>(json) ?? throw new FormatException("The kill_switch state is empty.");
        lock (_lock)
        {
            (IsEngaged, EngagedAtUtc, EngagedBy, EngagedReason) = (state.Engaged, state.AtUtc, state.By, state.Reason);
        }
    }

    private sealed record State(bool Engaged, DateTime? AtUtc, string? By, string? Reason);

    public GuardrailDecision Check(OrderCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        lock (_lock)
        {
            if (!IsEngaged || (check.IsProtective && !check.IsOpening))
            {
                return GuardrailDecision.Allow(Rule);
            }

            return GuardrailDecision.Block(
                Rule,
                $"engaged at {Format.Utc(EngagedAtUtc!.Value)} by {EngagedBy} ({EngagedReason}); only protective orders pass");
        }
    }
}
