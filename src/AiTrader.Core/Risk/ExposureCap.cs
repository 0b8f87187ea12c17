namespace AiTrader.Core.Risk;

/// <summary>Caps each symbol's and the whole book's gross exposure as fractions of equity, after the order would fill.</summary>
/// <remarks>
/// Post-trade, |position value| of the ordered symbol (at the order's estimated price) ÷ equity must stay within the
/// per-symbol cap, and Σ |position value| over all symbols (others at their marks) ÷ equity within the total cap. Shorts
/// count by absolute value: gross, not net, exposure. Only openings are checked; an exit always lowers exposure. A
/// block carries <see cref="GuardrailDecision.AllowedQuantity"/>, the most whole shares that would fit, when that is
/// at least one, so the agent may resize instead of skipping.
/// </remarks>
public sealed class ExposureCap : IGuardrail
{
    /// <param name="maxPerSymbolFraction">Largest |position value| ÷ equity for one symbol, positive (above 1 means leverage).</param>
    /// <param name="maxTotalFraction">Largest gross exposure ÷ equity for the account, positive.</param>
    public ExposureCap(decimal maxPerSymbolFraction, decimal maxTotalFraction)
    {
        if (maxPerSymbolFraction <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxPerSymbolFraction), maxPerSymbolFraction, "The per-symbol cap must be positive.");
        }

        if (maxTotalFraction <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxTotalFraction), maxTotalFraction, "The total cap must be positive.");
        }

        MaxPerSymbolFraction = maxPerSymbolFraction;
        MaxTotalFraction = maxTotalFraction;
    }

    public decimal MaxPerSymbolFraction { get; }

    public decimal MaxTotalFraction { get; }

    public string Rule => GuardrailRules.Exposure;

    /// <summary>The most whole shares of <paramref name="check"/>'s side and symbol that keep both caps; zero when none fit.</summary>
    public decimal MaxOpeningQuantity(OrderCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        var equity = check.Account.Equity;
        if (equity <= 0)
        {
            return 0;
        }

        var others = OtherGross(check);
        var allowedValue = Math.Min(MaxPerSymbolFraction * equity, MaxTotalFraction * equity - others);
        if (allowedValue <= 0)
        {
            return 0;
        }

        // |q0 + s·q| ≤ V/p  ⇒  q ≤ V/p − s·q0 for the order's direction s.
        var direction = check.SignedQuantity > 0 ? 1m : -1m;
        var max = decimal.Floor(allowedValue / check.EstimatedPrice - direction * check.CurrentPosition.Quantity);
        return Math.Max(0, max);
    }

    public GuardrailDecision Check(OrderCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        if (!check.IsOpening)
        {
            return GuardrailDecision.Allow(Rule);
        }

        var equity = check.Account.Equity;
        if (equity <= 0)
        {
            return GuardrailDecision.Block(Rule, $"equity {Format.Money(equity)} is not positive; no exposure fits");
        }

        var postQuantity = check.CurrentPosition.Quantity + check.SignedQuantity;
        var symbolValue = Math.Abs(postQuantity) * check.EstimatedPrice;
        var symbolFraction = symbolValue / equity;
        var gross = OtherGross(check) + symbolValue;
        var grossFraction = gross / equity;

        string? breach = null;
        if (symbolFraction > MaxPerSymbolFraction)
        {
            breach = $"{check.Symbol} would be {Format.Quantity(postQuantity)} shares × {Format.Money(check.EstimatedPrice)} = " +
                     $"{Format.Money(symbolValue)}, {Format.Percent(symbolFraction)} of equity {Format.Money(equity)} " +
                     $"> per-symbol cap {Format.Percent(MaxPerSymbolFraction)}";
        }
        else if (grossFraction > MaxTotalFraction)
        {
            breach = $"gross exposure would be {Format.Money(gross)}, {Format.Percent(grossFraction)} of equity {Format.Money(equity)} " +
                     $"> total cap {Format.Percent(MaxTotalFraction)}";
        }

        if (breach is null)
        {
            return GuardrailDecision.Allow(Rule);
        }

        var fits = MaxOpeningQuantity(check);
        return fits > 0
            ? GuardrailDecision.Block(Rule, $"{breach}; at most {Format.Quantity(fits)} shares fit", fits)
            : GuardrailDecision.Block(Rule, $"{breach}; no shares fit");
    }

    private static decimal OtherGross(OrderCheck check)
    {
        var gross = 0m;
        foreach (var (symbol, position) in check.Account.Positions)
        {
            if (symbol != check.Symbol)
            {
                gross += Math.Abs(position.MarketValue);
            }
        }

        return gross;
    }
}
