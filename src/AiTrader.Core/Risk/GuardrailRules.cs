namespace AiTrader.Core.Risk;

/// <summary>The rule names that prefix every block reason, in the order a <see cref="GuardrailSet"/> runs them.</summary>
public static class GuardrailRules
{
    public const string KillSwitch = "kill_switch";
    public const string MaxDrawdown = "max_drawdown";
    public const string DailyLoss = "daily_loss";
    public const string Pdt = "pdt";
    public const string Exposure = "exposure";
    public const string Rate = "rate";

    /// <summary>The fixed evaluation order. The kill switch comes first so an engaged switch is always the reported block;
    /// the rate limit comes last because it only spends a slot on orders that everything else let through.</summary>
    public static IReadOnlyList<string> Order { get; } = [KillSwitch, MaxDrawdown, DailyLoss, Pdt, Exposure, Rate];
}
