using AiTrader.Core.Domain;

namespace AiTrader.Core.Strategies;

/// <summary>A trading strategy: reads the bar that just closed and the account, returns what it wants done.</summary>
/// <remarks>The same instance contract serves a backtest and a live loop: the driver calls <see cref="Reset"/> once, then
/// <see cref="OnBar"/> exactly once per traded bar in time order (bad prints and bars outside the traded session are
/// never shown), and reports the symbol's fills and closed round trips before the next decision. Strategies keep
/// streaming indicator state between calls, so they must not be shared between concurrent runs.</remarks>
public interface IStrategy
{
    /// <summary>The catalog name, such as <c>breakout</c>.</summary>
    string Name { get; }

    /// <summary>Clears indicator and signal state so the instance can be driven again from the first bar.</summary>
    void Reset();

    /// <summary>Called at the close of each bar; returns the intents to act on from the next bar (empty for none).</summary>
    IReadOnlyList<OrderIntent> OnBar(StrategyContext context);

    /// <summary>One execution of this strategy's symbol (called by the loop before the next decision); most strategies
    /// ignore it.</summary>
    void OnFill(Fill fill)
    {
    }

    /// <summary>A round trip of this strategy's symbol closed (paired by the venue's ledger, net of fees); called by the
    /// loop before the next decision. Nothing needs to read P&amp;L off the cash.</summary>
    void OnTradeClosed(TradeRecord trade)
    {
    }
}
