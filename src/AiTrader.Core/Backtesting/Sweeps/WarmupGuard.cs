using AiTrader.Core.Strategies;

namespace AiTrader.Core.Backtesting.Sweeps;

/// <summary>Lets a strategy see (and warm its indicators on) bars before <see cref="TradingStartsAt"/> without acting on them.</summary>
/// <remarks>The engine has no warm-up setting, so this wraps the strategy instead: every intent decided at a bar that
/// opens before <see cref="TradingStartsAt"/> is dropped. No entry can happen, so the account is flat when trading starts
/// and exits or stop moves during warm-up would have nothing to act on. The first order can be decided at the close of
/// the first tradable bar and fills at the next bar's open.</remarks>
public sealed class WarmupGuard : IStrategy
{
    private readonly IStrategy _inner;

    public WarmupGuard(IStrategy inner, DateTime tradingStartsAt)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        TradingStartsAt = tradingStartsAt;
    }

    /// <summary>Open time (UTC) of the first bar whose decisions are acted on.</summary>
    public DateTime TradingStartsAt { get; }

    /// <summary>The wrapped strategy.</summary>
    public IStrategy Inner => _inner;

    public string Name => _inner.Name;

    public void Reset() => _inner.Reset();

    public IReadOnlyList<OrderIntent> OnBar(StrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Always call the inner strategy: skipping it would leave its indicators cold, which is the point of warm-up.
        var intents = _inner.OnBar(context);
        return context.Bar.Timestamp < TradingStartsAt ? [] : intents;
    }
}
