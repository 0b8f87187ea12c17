using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.MarketData;
using AiTrader.Core.Risk;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Backtesting.Portfolios;

/// <summary>One symbol of a portfolio backtest: its bars and the strategy instance that trades them.</summary>
public sealed record PortfolioLeg(BarSeries Series, IStrategy Strategy)
{
    public Symbol Symbol => Series.Symbol;
}

/// <summary>A flagged bar a portfolio run skipped for one symbol.</summary>
public sealed record SkippedBar(Symbol Symbol, BarFlag Flag);

/// <summary>Everything one portfolio run produced, on one shared cash account.</summary>
/// <param name="StrategyName">The strategy's catalog name.</param>
/// <param name="Options">The settings the run used.</param>
/// <param name="Symbols">The traded symbols, in the order given.</param>
/// <param name="BarCounts">Bars seen per symbol (flagged ones included).</param>
/// <param name="Trades">Completed round trips of every symbol, in the order they closed; Pnl is net of fees.</param>
/// <param name="EquityCurve">One point per distinct timestamp of the union of the symbols' bars: cash plus every
/// position marked at its symbol's last good close. The last point equals <see cref="FinalEquity"/>.</param>
/// <param name="Fills">Every execution in booking order.</param>
/// <param name="Orders">Every order sent, in sending order.</param>
/// <param name="SkippedBars">Flagged bars skipped, per symbol.</param>
/// <param name="LimitEvents">Entries cut or dropped by the exposure limits.</param>
/// <param name="LowestCash">The lowest cash balance after any fill (the initial capital when nothing filled).</param>
/// <param name="FinalEquity">Cash at the end, every position closed; equals initial capital plus the sum of trade Pnl.</param>
public sealed record PortfolioBacktestResult(
    string StrategyName,
    PortfolioBacktestOptions Options,
    IReadOnlyList<Symbol> Symbols,
    IReadOnlyDictionary<Symbol, int> BarCounts,
    IReadOnlyList<TradeRecord> Trades,
    IReadOnlyList<EquityPoint> EquityCurve,
    IReadOnlyList<Fill> Fills,
    IReadOnlyList<Order> Orders,
    IReadOnlyList<SkippedBar> SkippedBars,
    IReadOnlyList<ExposureLimitEvent> LimitEvents,
    decimal LowestCash,
    decimal FinalEquity)
{
    /// <summary>Orders (or what was left of them) cancelled, with when and why.</summary>
    public IReadOnlyList<Cancellation> Cancellations { get; init; } = [];

    /// <summary>Every move of a resting protective stop.</summary>
    public IReadOnlyList<StopAmendment> StopAmendments { get; init; } = [];

    /// <summary>Intents the order router did not send, with why.</summary>
    public IReadOnlyList<Rejection> Rejections { get; init; } = [];
}
