using AiTrader.Core.Domain;

namespace AiTrader.Core.Risk;

/// <summary>Runs every guardrail on each order in the fixed <see cref="GuardrailRules.Order"/> and journals all decisions.</summary>
/// <remarks>
/// Every guardrail sees every order (no short-circuit) so the journal records each rule an order broke. Guardrails whose
/// rule is not in <see cref="GuardrailRules.Order"/> run after the known ones, in the order given.
/// </remarks>
public sealed class GuardrailSet
{
    private readonly IGuardrail[] _guardrails;
    private readonly Action<GuardrailEvaluation>? _journal;

    /// <param name="guardrails">The rules; at most one per rule name.</param>
    /// <param name="journal">Receives every evaluation (allowed or blocked); the agent's journal hooks in here.</param>
    public GuardrailSet(IEnumerable<IGuardrail> guardrails, Action<GuardrailEvaluation>? journal = null)
    {
        ArgumentNullException.ThrowIfNull(guardrails);
        var list = guardrails.ToList();
        var duplicate = list.GroupBy(g => g.Rule).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Two guardrails share the rule '{duplicate.Key}'; block reasons would be ambiguous.", nameof(guardrails));
        }

        _guardrails = list
            .Select((g, i) => (Guardrail: g, Rank: Rank(g.Rule), Index: i))
            .OrderBy(x => x.Rank)
            .ThenBy(x => x.Index)
            .Select(x => x.Guardrail)
            .ToArray();
        _journal = journal;
    }

    /// <summary>The guardrails in evaluation order.</summary>
    public IReadOnlyList<IGuardrail> Guardrails => _guardrails;

    /// <summary>The set's kill switch, or null when its rules leave it out.</summary>
    public KillSwitch? KillSwitch => _guardrails.OfType<KillSwitch>().FirstOrDefault();

    /// <summary>Checks <paramref name="check"/> against every guardrail; when all allow, tells each the order goes out.</summary>
    public GuardrailEvaluation Evaluate(OrderCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        var decisions = new GuardrailDecision[_guardrails.Length];
        for (var i = 0; i < _guardrails.Length; i++)
        {
            decisions[i] = _guardrails[i].Check(check);
        }

        var evaluation = new GuardrailEvaluation(check, decisions);
        if (evaluation.IsAllowed)
        {
            foreach (var g in _guardrails)
            {
                g.OnAllowed(check);
            }
        }

        _journal?.Invoke(evaluation);
        return evaluation;
    }

    /// <summary>The state of every <see cref="IStatefulGuardrail"/>, keyed by rule name, as one JSON object.</summary>
    public string ExportState()
    {
        var state = new System.Text.Json.Nodes.JsonObject();
        foreach (var rule in _guardrails.OfType<IStatefulGuardrail>())
        {
            state[rule.Rule] = System.Text.Json.Nodes.JsonNode.Parse(rule.ExportState());
        }

        return state.ToJsonString();
    }

    /// <summary>Restores the rules named in <paramref name="json"/> (from <see cref="ExportState"/>); rules it does not name keep their state.</summary>
    public void RestoreState(string json)
    {
        var state = System.Text.Json.Nodes.JsonNode.Parse(json)?.AsObject() ?? throw new FormatException("The guardrail state is empty.");
        foreach (var rule in _guardrails.OfType<IStatefulGuardrail>())
        {
            if (state[rule.Rule] is { } node)
            {
                rule.RestoreState(node.ToJsonString());
            }
        }
    }

    public void OnFill(Fill fill)
    {
        foreach (var g in _guardrails)
        {
            g.OnFill(fill);
        }
    }

    public void OnEquity(DateTime utc, decimal equity)
    {
        foreach (var g in _guardrails)
        {
            g.OnEquity(utc, equity);
        }
    }

    private static int Rank(string rule)
    {
        for (var i = 0; i < GuardrailRules.Order.Count; i++)
        {
            if (GuardrailRules.Order[i] == rule)
            {
                return i;
            }
        }

        return GuardrailRules.Order.Count;
    }
}
