namespace AiTrader.Core.Brokers;

/// <summary>Account balances and restrictions, including the broker's pattern-day-trader view.</summary>
/// <param name="LastEquity">Equity at the previous session's close (the base of a daily loss limit).</param>
/// <param name="PatternDayTrader">The broker has flagged the account as a pattern day trader.</param>
/// <param name="DaytradeCount">Day trades in the last 5 trading days including today, as the broker counts them.</param>
/// <param name="Multiplier">Buying-power multiplier: 1 cash, 2 Reg T margin, 4 PDT margin.</param>
public sealed record BrokerAccount(
    string AccountId,
    string Status,
    string Currency,
    decimal Equity,
    decimal LastEquity,
    decimal Cash,
    decimal BuyingPower,
    decimal DaytradingBuyingPower,
    decimal RegTBuyingPower,
    decimal Multiplier,
    decimal LongMarketValue,
    decimal ShortMarketValue,
    bool PatternDayTrader,
    int DaytradeCount,
    bool TradingBlocked,
    bool AccountBlocked,
    bool TransfersBlocked,
    bool TradeSuspendedByUser,
    bool ShortingEnabled)
{
    /// <summary>The account number the broker shows its customer (Alpaca <c>account_number</c>); null when not reported.</summary>
    public string? AccountNumber { get; init; }

    /// <summary>True when the broker will refuse any new order, whatever the guardrails say.</summary>
    public bool CannotTrade => TradingBlocked || AccountBlocked || TradeSuspendedByUser;
}
