using AiTrader.Core.Domain;

namespace AiTrader.Core.Risk;

/// <summary>A position as a guardrail sees it: signed quantity (negative = short) and the price it is marked at.</summary>
public readonly record struct PositionSnapshot(decimal Quantity, decimal MarkPrice)
{
    /// <summary>Signed market value: negative for a short.</summary>
    public decimal MarketValue => Quantity * MarkPrice;
}

/// <summary>The account state a guardrail may look at, the same whether it comes from a backtest portfolio or a broker.</summary>
/// <param name="Equity">Cash plus the marked value of every position.</param>
/// <param name="Cash">Cash balance.</param>
/// <param name="Positions">Open positions by symbol; a symbol that is absent is flat.</param>
/// <param name="BrokerReportsPdt">True when the broker flags the account as a pattern day trader (Alpaca's <c>pattern_day_trader</c>).</param>
public sealed record AccountSnapshot(
    decimal Equity,
    decimal Cash,
    IReadOnlyDictionary<Symbol, PositionSnapshot> Positions,
    bool BrokerReportsPdt = false)
{
    /// <summary>An account with only cash.</summary>
    public static AccountSnapshot CashOnly(decimal cash, bool brokerReportsPdt = false) =>
        new(cash, cash, new Dictionary<Symbol, PositionSnapshot>(), brokerReportsPdt);

    /// <summary>Snapshots a backtest portfolio, marking every position with <paramref name="markPrice"/>.</summary>
    public static AccountSnapshot From(Portfolio portfolio, Func<Symbol, decimal> markPrice, bool brokerReportsPdt = false)
    {
        ArgumentNullException.ThrowIfNull(portfolio);
        ArgumentNullException.ThrowIfNull(markPrice);
        var positions = portfolio.Positions.ToDictionary(p => p.Symbol, p => new PositionSnapshot(p.Quantity, markPrice(p.Symbol)));
        return new AccountSnapshot(portfolio.Equity(markPrice), portfolio.Cash, positions, brokerReportsPdt);
    }

    /// <summary>The position in <paramref name="symbol"/>, or a flat one.</summary>
    public PositionSnapshot PositionOf(Symbol symbol) => Positions.TryGetValue(symbol, out var p) ? p : default;
}
