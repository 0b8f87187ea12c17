using AiTrader.Core.Domain;

namespace AiTrader.Core.Strategies;

/// <summary>A strategy that stops its run when <paramref name="cancellationToken"/> is cancelled: every
/// <see cref="BarsBetweenChecks"/> bars it looks at the token, and a cancelled one throws
/// <see cref="OperationCanceledException"/> out of the driver (a sweep cell on a silo whose sweep was cancelled).</summary>
/// <remarks>The look happens here, not in the backtest engine's loop, so runs that cannot be cancelled (a backtest, a sweep
/// on one machine) keep the engine's loop exactly as it is.</remarks>
public sealed class CancellableStrategy(IStrategy inner, CancellationToken cancellationToken) : IStrategy
{
    /// <summary>Bars between two looks at the token: nothing next to this many bars' work, and a cancelled run stops
    /// within a millisecond or so.</summary>
    public const int BarsBetweenChecks = 4096;

    private int _bars;

    public string Name => inner.Name;

    public void Reset()
    {
        _bars = 0;
        inner.Reset();
    }

    public IReadOnlyList<OrderIntent> OnBar(StrategyContext context)
    {
        if ((++_bars & (BarsBetweenChecks - 1)) == 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        return inner.OnBar(context);
    }

    public void OnFill(Fill fill) => inner.OnFill(fill);

    public void OnTradeClosed(TradeRecord trade) => inner.OnTradeClosed(trade);
}
