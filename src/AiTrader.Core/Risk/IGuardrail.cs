using AiTrader.Core.Domain;

namespace AiTrader.Core.Risk;

/// <summary>A pre-trade rule that allows or blocks an order, blind to whether it runs in a backtest, paper or live.</summary>
public interface IGuardrail
{
    /// <summary>The rule name that prefixes this guardrail's block reasons (see <see cref="GuardrailRules"/>).</summary>
    string Rule { get; }

    /// <summary>Allows or blocks <paramref name="check"/>. May record what it observes (equity), never the order itself.</summary>
    GuardrailDecision Check(OrderCheck check);

    /// <summary>Called once the order passed every guardrail and is being submitted.</summary>
    void OnAllowed(OrderCheck check)
    {
    }

    /// <summary>Called for every execution, in time order.</summary>
    void OnFill(Fill fill)
    {
    }

    /// <summary>Called whenever the driver marks the account (each bar close, each account update).</summary>
    void OnEquity(DateTime utc, decimal equity)
    {
    }
}
