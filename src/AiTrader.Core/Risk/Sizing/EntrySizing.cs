using AiTrader.Core.Domain;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Risk.Sizing;

/// <summary>A sized entry: whole shares (0 = skip) and, for explained sizers, how the number came about.</summary>
public readonly record struct SizedEntry(decimal Quantity, string? Explanation);

/// <summary>The one sizing stage: turns an unsized entry and its stop into shares, the same in backtests, paper and live.</summary>
/// <remarks>
/// The sizer chain is fixed fractional risk at the strategy's <see cref="SizingHints.RiskFraction"/>, then fractional
/// Kelly and regime scaling when <see cref="SizingOptions"/> asks for them. Kelly's payoff ratio (and, for strategies
/// without a probabilistic signal, its win rate) comes from the symbol's own closed round trips, which the trading loop
/// reports here as they close.
/// </remarks>
public sealed class EntrySizing
{
    private readonly SizingOptions? _options;
    private readonly Dictionary<decimal, IPositionSizer> _chains = [];
    private readonly Dictionary<Symbol, TradeStatistics> _statistics = [];

    public EntrySizing(SizingOptions? options = null) => _options = options;

    public SizingOptions? Options => _options;

    /// <summary>The symbol's own closed round trips so far.</summary>
    public TradeStatistics StatisticsOf(Symbol symbol)
    {
        if (!_statistics.TryGetValue(symbol, out var statistics))
        {
            statistics = new TradeStatistics();
            _statistics[symbol] = statistics;
        }

        return statistics;
    }

    /// <summary>Counts one closed round trip of <paramref name="symbol"/>, net of fees.</summary>
    public void OnTradeClosed(Symbol symbol, decimal netPnl) => StatisticsOf(symbol).Record(netPnl);

    /// <summary>Shares for an entry at <paramref name="price"/> (the decision close) with its stop.</summary>
    /// <param name="availableCash">Cash the entry may spend: cash, plus the value of a position an exit earlier in the
    /// same decision closes.</param>
    public SizedEntry Size(Symbol symbol, SizingHints hints, decimal equity, decimal availableCash, decimal price, decimal stop)
    {
        ArgumentNullException.ThrowIfNull(hints);
        var statistics = StatisticsOf(symbol);
        var request = new SizingRequest(equity, availableCash, price, stop)
        {
            WinProbability = hints.WinProbability ?? (hints.WinProbabilityFromOwnTrades ? statistics.WinRate : null),
            PayoffRatio = statistics.PayoffRatio,
            Regime = hints.Regime,
        };
        var sizer = Chain(hints.RiskFraction);
        var quantity = sizer.Size(request);
        return new SizedEntry(quantity, sizer is IExplainedPositionSizer explained ? explained.LastExplanation : null);
    }

    private IPositionSizer Chain(decimal riskFraction)
    {
        if (!_chains.TryGetValue(riskFraction, out var chain))
        {
            chain = _options?.Build(riskFraction) ?? new FixedFractionalSizer(riskFraction);
            _chains[riskFraction] = chain;
        }

        return chain;
    }
}
