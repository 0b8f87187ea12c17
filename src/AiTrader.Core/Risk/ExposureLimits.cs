using AiTrader.Core.Domain;

namespace AiTrader.Core.Risk;

/// <summary>Which exposure limit cut an entry.</summary>
public static class ExposureLimitNames
{
    public const string MaxSymbolWeight = "max_symbol_weight";
    public const string MaxGrossExposure = "max_gross_exposure";
}

/// <summary>An entry the exposure limits cut (<see cref="AllowedQuantity"/> &gt; 0) or dropped (0).</summary>
/// <param name="Timestamp">The decision bar's time (UTC).</param>
/// <param name="Symbol">The symbol of the entry.</param>
/// <param name="RequestedQuantity">Shares the strategy asked for.</param>
/// <param name="AllowedQuantity">Shares sent after the cut.</param>
/// <param name="Limit">The binding limit, one of <see cref="ExposureLimitNames"/>.</param>
public sealed record ExposureLimitEvent(
    DateTime Timestamp,
    Symbol Symbol,
    decimal RequestedQuantity,
    decimal AllowedQuantity,
    string Limit)
{
    public bool Dropped => AllowedQuantity == 0;
}

/// <summary>How many shares of an entry fit the limits, and which limit bound when it is fewer than asked.</summary>
public readonly record struct ExposureFit(decimal Quantity, string? BindingLimit);

/// <summary>The pure arithmetic of the exposure limits: values are absolute position values at the estimated entry price.</summary>
public static class ExposureLimits
{
    /// <summary>The whole shares of <paramref name="quantity"/> that keep the symbol within
    /// <c>maxSymbolWeight × equity</c> and the account within <c>maxGrossExposure × equity</c>.</summary>
    /// <param name="equity">Account equity at the decision.</param>
    /// <param name="symbolValue">|value| already held or pending in this symbol.</param>
    /// <param name="grossValue">Σ |value| held or pending over every symbol (this one included).</param>
    /// <param name="price">Estimated entry price per share (positive).</param>
    /// <param name="quantity">Shares the entry asks for.</param>
    public static ExposureFit Fit(decimal? maxSymbolWeight, decimal? maxGrossExposure, decimal equity,
        decimal symbolValue, decimal grossValue, decimal price, decimal quantity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(price);
        var allowed = quantity;
        string? binding = null;
        if (maxSymbolWeight is { } w)
        {
            Tighten(w * equity - symbolValue, ExposureLimitNames.MaxSymbolWeight);
        }

        if (maxGrossExposure is { } g)
        {
            Tighten(g * equity - grossValue, ExposureLimitNames.MaxGrossExposure);
        }

        return new ExposureFit(allowed, binding);

        void Tighten(decimal room, string name)
        {
            var fits = room <= 0 ? 0m : decimal.Floor(room / price);
            if (fits < allowed)
            {
                allowed = fits;
                binding = name;
            }
        }
    }
}
