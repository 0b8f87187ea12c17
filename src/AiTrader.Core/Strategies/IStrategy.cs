namespace AiTrader.Core.Strategies;

/// <summary>A trading strategy: reads the bar that just closed and the account, returns what it wants done.</summary>
/// <remarks>The same instance contract serves a backtest and a live loop: the driver calls <see cref="Reset"/> once, then
/// <see cref="OnBar"/> exactly once per accepted bar in time order (bad prints are never shown). Strategies keep
/// streaming indicator state between calls, so they must not be shared between concurrent runs.</remarks>
public interface IStrategy
{
    /// <summary>The catalog name, such as <c>breakout</c>.</summary>
    string Name { get; }

    /// <summary>Clears indicator and signal state so the instance can be driven again from the first bar.</summary>
    void Reset();

    /// <summary>Called at the close of each bar; returns the intents to act on from the next bar (empty for none).</summary>
    IReadOnlyList<OrderIntent> OnBar(StrategyContext context);
}
