namespace AiTrader.Core.Risk;

/// <summary>Every guardrail's decision on one order, in evaluation order, for the journal.</summary>
/// <param name="Check">The order that was checked.</param>
/// <param name="Decisions">One decision per guardrail, in <see cref="GuardrailRules.Order"/>.</param>
public sealed record GuardrailEvaluation(OrderCheck Check, IReadOnlyList<GuardrailDecision> Decisions)
{
    /// <summary>True when no guardrail blocked.</summary>
    public bool IsAllowed => FirstBlock is null;

    /// <summary>The block to act on and report: the first in evaluation order, or null.</summary>
    public GuardrailDecision? FirstBlock => Decisions.FirstOrDefault(d => d.IsBlocked);

    /// <summary>Every block, so a journal can show all the rules an order broke, not just the first.</summary>
    public IEnumerable<GuardrailDecision> Blocks => Decisions.Where(d => d.IsBlocked);
}
