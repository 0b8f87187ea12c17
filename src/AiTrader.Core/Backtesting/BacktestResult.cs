using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.MarketData;

namespace AiTrader.Core.Backtesting;

/// <summary>Everything one backtest run produced: trades, a per-bar equity curve, every order and fill, and the skipped bars.</summary>
/// <param name="Symbol">The traded symbol.</param>
/// <param name="StrategyName">The strategy's catalog name.</param>
/// <param name="Options">The settings the run used.</param>
/// <param name="Trades">Completed round trips in exit order; Pnl is net of fees.</param>
/// <param name="EquityCurve">One point per input bar (flagged bars included, marked at the last good close); the last
/// point is after the end-of-data close, so it equals <see cref="FinalEquity"/>.</param>
/// <param name="Fills">Every execution in time order.</param>
/// <param name="Orders">Every order sent, including entries left unfilled at the end of data; stop moves are in
/// <see cref="StopAmendments"/>.</param>
/// <param name="SkippedBars">The flagged bars the run skipped.</param>
/// <param name="FinalEquity">Cash at the end, after closing any open position; equals initial capital plus the sum of trade Pnl.</param>
public sealed record BacktestResult(
    Symbol Symbol,
    string StrategyName,
    ExchangeOptions Options,
    IReadOnlyList<TradeRecord> Trades,
    IReadOnlyList<EquityPoint> EquityCurve,
    IReadOnlyList<Fill> Fills,
    IReadOnlyList<Order> Orders,
    IReadOnlyList<BarFlag> SkippedBars,
    decimal FinalEquity)
{
    /// <summary>Orders (or what was left of them) cancelled, with when and why (<see cref="CancelReasons"/>).</summary>
    public IReadOnlyList<Cancellation> Cancellations { get; init; } = [];

    /// <summary>Intents the order router did not send: invalid for the account, sized to nothing, or blocked by a guardrail.</summary>
    public IReadOnlyList<Rejection> Rejections { get; init; } = [];

    /// <summary>Bars outside the traded session (pre-market, after-hours, closed days): not seen by the strategy, no fills.</summary>
    public int OutsideSessionBars { get; init; }

    /// <summary>Every move of a resting protective stop (the stop order itself keeps the level it was sent with).</summary>
    public IReadOnlyList<StopAmendment> StopAmendments { get; init; } = [];
}
