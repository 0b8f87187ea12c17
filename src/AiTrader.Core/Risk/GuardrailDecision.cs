namespace AiTrader.Core.Risk;

/// <summary>One guardrail's answer to one order: allowed, or blocked with the rule and a reason carrying the numbers.</summary>
public sealed record GuardrailDecision
{
    private GuardrailDecision(string rule, bool isAllowed, string? reason, decimal? allowedQuantity)
    {
        Rule = rule;
        IsAllowed = isAllowed;
        Reason = reason;
        AllowedQuantity = allowedQuantity;
    }

    /// <summary>The rule that decided, one of <see cref="GuardrailRules"/>.</summary>
    public string Rule { get; }

    public bool IsAllowed { get; }

    public bool IsBlocked => !IsAllowed;

    /// <summary>For a block, <c>"{rule}: {numbers}"</c>; null when allowed.</summary>
    public string? Reason { get; }

    /// <summary>For a block a smaller order would pass (exposure), the largest whole quantity that fits; otherwise null.</summary>
    public decimal? AllowedQuantity { get; }

    public static GuardrailDecision Allow(string rule) => new(rule, true, null, null);

    /// <summary>A block whose reason is <paramref name="rule"/>, ": " and <paramref name="details"/>.</summary>
    public static GuardrailDecision Block(string rule, string details, decimal? allowedQuantity = null) =>
        new(rule, false, $"{rule}: {details}", allowedQuantity);

    public override string ToString() => IsAllowed ? $"{Rule}: allowed" : Reason!;
}
