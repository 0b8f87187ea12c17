using AiTrader.Core.Domain;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Agents;

/// <summary>Runs one symbol's strategy on each new bar with the bars so far and the broker's position, and returns its intents.</summary>
/// <remarks>One agent (and one strategy instance) per symbol, because strategies keep streaming indicator state.</remarks>
public sealed class PolicyAgent
{
    private readonly List<Bar> _bars = [];

    public PolicyAgent(Symbol symbol, Timeframe timeframe, IStrategy strategy, bool allowShort = false)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        Symbol = symbol;
        Timeframe = timeframe;
        Strategy = strategy;
        AllowShort = allowShort;
        strategy.Reset();
    }

    public Symbol Symbol { get; }

    public Timeframe Timeframe { get; }

    public IStrategy Strategy { get; }

    public bool AllowShort { get; }

    /// <summary>The accepted bars so far, oldest first.</summary>
    public IReadOnlyList<Bar> Bars => _bars;

    /// <summary>Appends <paramref name="bar"/> and asks the strategy what to do at its close.</summary>
    /// <exception cref="ArgumentException">The bar is not later than the previous one.</exception>
    public IReadOnlyList<OrderIntent> OnBar(Bar bar, decimal positionQuantity, decimal cash, decimal equity, decimal? protectiveStop)
    {
        if (_bars.Count > 0 && bar.Timestamp <= _bars[^1].Timestamp)
        {
            throw new ArgumentException($"Bar {bar.Timestamp:O} for {Symbol} is not after {_bars[^1].Timestamp:O}.", nameof(bar));
        }

        _bars.Add(bar);
        // A read-only view of the growing list: the strategy cannot see (or cast its way to) bars that come later.
        var context = new StrategyContext(Symbol, Timeframe, _bars.AsReadOnly(), positionQuantity, cash, equity, protectiveStop, AllowShort);
        return Strategy.OnBar(context);
    }
}
