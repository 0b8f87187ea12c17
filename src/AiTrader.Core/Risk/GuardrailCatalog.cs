using AiTrader.Core.Sessions;

namespace AiTrader.Core.Risk;

/// <summary>Guardrail sets by name, as a command line gives them: <c>none</c>, <c>default</c> (what paper and live trading
/// run), or a comma-separated list of rules (<c>pdt,max_drawdown</c>).</summary>
public static class GuardrailCatalog
{
    /// <summary>The rules a list may name, in the order they are checked.</summary>
    public static IReadOnlyList<string> Names => GuardrailRules.Order;

    /// <summary>Kill switch, 20% max drawdown (manual reset, one-day cool-off), 5% daily loss, PDT under $25k, 100%
    /// per-symbol and total exposure, 60 orders a minute.</summary>
    public static GuardrailSet Default(ITradingCalendar calendar) => Build(GuardrailRules.Order, calendar);

    /// <summary>Builds the guardrails <paramref name="spec"/> names; null for <c>none</c>.</summary>
    /// <exception cref="ArgumentException">An unknown rule, with the known ones.</exception>
    public static Func<ITradingCalendar, GuardrailSet>? Parse(string? spec)
    {
        var text = spec?.Trim() ?? "";
        if (text.Length == 0 || text.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (text.Equals("default", StringComparison.OrdinalIgnoreCase) || text.Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return Default;
        }

        var rules = new List<string>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var rule = part.ToLowerInvariant().Replace('-', '_') switch
            {
                "drawdown" => GuardrailRules.MaxDrawdown,
                "daily_loss_limit" => GuardrailRules.DailyLoss,
                "rate_limit" or "order_rate" => GuardrailRules.Rate,
                "kill" => GuardrailRules.KillSwitch,
                var name => name,
            };
            if (!GuardrailRules.Order.Contains(rule))
            {
                throw new ArgumentException($"unknown guardrail '{part}'; use none, default, or a list of {string.Join(", ", GuardrailRules.Order)}.", nameof(spec));
            }

            if (!rules.Contains(rule))
            {
                rules.Add(rule);
            }
        }

        return rules.Count == 0 ? null : calendar => Build(rules, calendar);
    }

    private static GuardrailSet Build(IEnumerable<string> rules, ITradingCalendar calendar) => new(rules.Select(rule => rule switch
    {
        GuardrailRules.KillSwitch => (IGuardrail)new KillSwitch(),
        GuardrailRules.MaxDrawdown => new DrawdownGate(0.20m, TimeSpan.FromDays(1)),
        GuardrailRules.DailyLoss => new DailyLossLimit(maxLossFraction: 0.05m),
        GuardrailRules.Pdt => new PatternDayTraderRule(calendar),
        GuardrailRules.Exposure => new ExposureCap(1.0m, 1.0m),
        _ => new OrderRateLimit(60),
    }));
}
