namespace AiTrader.Core.Strategies;

/// <summary>A strategy that sizes from its own closed trades (win rate, payoff ratio) and can be handed them by its driver.</summary>
/// <remarks>
/// Alone on an account, such a strategy reads each round trip's net P&amp;L off the cash between two bars it sees flat.
/// On an account other symbols share, their fills move that cash too, so a driver that shares the account calls
/// <see cref="UseReportedTrades"/> after <see cref="IStrategy.Reset"/> and, before each decision, reports the round trips
/// of this strategy's symbol that closed since the last one through <see cref="OnTradeClosed"/>.
/// <see cref="IStrategy.Reset"/> goes back to reading the cash.
/// </remarks>
public interface ILearnsFromOwnTrades : IStrategy
{
    /// <summary>Until the next <see cref="IStrategy.Reset"/>, learn only from <see cref="OnTradeClosed"/>, never from the cash.</summary>
    void UseReportedTrades();

    /// <summary>One round trip of this strategy's symbol closed with <paramref name="netPnl"/> (fees included).</summary>
    /// <exception cref="InvalidOperationException"><see cref="UseReportedTrades"/> was not called since the last reset.</exception>
    void OnTradeClosed(decimal netPnl);
}
