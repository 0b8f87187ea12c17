using AiTrader.Core.Risk.Sizing;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Agents;

/// <summary>Gives unsized entries a quantity from an <see cref="IPositionSizer"/>; intents that carry a quantity pass unchanged.</summary>
public sealed class SizingAgent
{
    private readonly IPositionSizer _sizer;

    /// <param name="sizer">The sizer for unsized entries; defaults to 1% fixed-fractional, the breakout strategy's default.</param>
    public SizingAgent(IPositionSizer? sizer = null) => _sizer = sizer ?? new FixedFractionalSizer(0.01m);

    /// <summary>The sizer chain the backtester builds from <paramref name="sizing"/> (fixed risk → fractional Kelly → regime
    /// scaling) at <paramref name="baseRiskFraction"/>; plain fixed-fractional when <paramref name="sizing"/> is null.</summary>
    public static SizingAgent From(SizingOptions? sizing, decimal baseRiskFraction = 0.01m) =>
        new(sizing?.Build(baseRiskFraction) ?? new FixedFractionalSizer(baseRiskFraction));

    /// <summary>The sized intent, or null when the entry sizes to zero shares (or has no stop to size against).</summary>
    public OrderIntent? Size(OrderIntent intent, decimal equity, decimal availableCash, decimal price)
    {
        ArgumentNullException.ThrowIfNull(intent);
        if (intent.Kind != IntentKind.Entry || intent.Quantity is not null)
        {
            return intent;
        }

        if (intent.StopPrice is not { } stop)
        {
            return null;
        }

        var quantity = _sizer.Size(new SizingRequest(equity, availableCash, price, stop));
        return quantity > 0 ? intent with { Quantity = quantity } : null;
    }
}
