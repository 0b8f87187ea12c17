namespace AiTrader.Core.Risk;

/// <summary>At most N orders in any sliding 60-second window, counted at check time, so a loop cannot flood the broker.</summary>
/// <remarks>
/// The window before an instant t is (t − 60 s, t]: an order sent at 15:00:00 frees its slot at 15:01:00. An order is
/// counted when it is allowed (<see cref="OnAllowed"/>), so blocked orders do not use up slots. Exits count too (a runaway
/// loop sends those as well); protective orders always pass, and are still counted because the broker counts them.
/// </remarks>
public sealed class OrderRateLimit : IStatefulGuardrail
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(60);
    private readonly Queue<DateTime> _sent = new();
    private readonly Lock _lock = new();

    public OrderRateLimit(int maxOrdersPerMinute)
    {
        if (maxOrdersPerMinute <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxOrdersPerMinute), maxOrdersPerMinute, "The rate limit must be at least one order per minute.");
        }

        MaxOrdersPerMinute = maxOrdersPerMinute;
    }

    public int MaxOrdersPerMinute { get; }

    public string Rule => GuardrailRules.Rate;

    public GuardrailDecision Check(OrderCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        lock (_lock)
        {
            Expire(check.UtcNow);
            if (check.IsProtective || _sent.Count < MaxOrdersPerMinute)
            {
                return GuardrailDecision.Allow(Rule);
            }

            var oldest = _sent.Peek();
            return GuardrailDecision.Block(
                Rule,
                $"{_sent.Count} orders in the 60 s up to {Format.Utc(check.UtcNow)} (limit {MaxOrdersPerMinute} per minute); " +
                $"the next slot opens at {Format.Utc(oldest + Window)}");
        }
    }

    public void OnAllowed(OrderCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        lock (_lock)
        {
            _sent.Enqueue(check.UtcNow);
        }
    }

    public string ExportState()
    {
        lock (_lock)
        {
            return System.Text.Json.JsonSerializer.Serialize(_sent.ToArray());
        }
    }

    public void RestoreState(string json)
    {
        var sent = System.Text.Json.JsonSerializer.Deserialize<DateTime[]>(json) ?? throw new FormatException("The rate state is empty.");
        lock (_lock)
        {
            _sent.Clear();
            foreach (var t in sent)
            {
                _sent.Enqueue(t);
            }
        }
    }

    private void Expire(DateTime utcNow)
    {
        while (_sent.Count > 0 && _sent.Peek() <= utcNow - Window)
        {
            _sent.Dequeue();
        }
    }
}
