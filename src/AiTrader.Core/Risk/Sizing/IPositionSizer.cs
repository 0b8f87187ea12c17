using AiTrader.Core.Signals.Regimes;

namespace AiTrader.Core.Risk.Sizing;

/// <summary>The facts a sizer needs to size one entry, all known at the decision bar's close.</summary>
/// <param name="Equity">Account equity marked at the decision close.</param>
/// <param name="AvailableCash">Cash the entry may spend (cash after closing any current position at the mark).</param>
/// <param name="EntryPrice">Estimated entry price (the decision close; the real fill comes later).</param>
/// <param name="StopPrice">The protective stop the entry will rest.</param>
public readonly record struct SizingRequest(decimal Equity, decimal AvailableCash, decimal EntryPrice, decimal StopPrice)
{
    /// <summary>The signal's probability that this entry wins (prob_up for a long, 1 − prob_up for a short); null when
    /// the strategy has none. Read by probability-aware sizers such as fractional Kelly.</summary>
    public decimal? WinProbability { get; init; }

    /// <summary>Average win / average loss the strategy expects (from its own closed trades); null when unknown.</summary>
    public decimal? PayoffRatio { get; init; }

    /// <summary>The market regime at the decision bar; null when the strategy does not classify regimes.</summary>
    public MarketRegime? Regime { get; init; }

    /// <summary>True when the stop sits below the entry (a long); a short rests its stop above.</summary>
    public bool IsLong => StopPrice < EntryPrice;
}

/// <summary>Turns an entry and its stop into a whole number of shares.</summary>
public interface IPositionSizer
{
    /// <summary>Shares to trade, a non-negative whole number; zero means skip the entry.</summary>
    decimal Size(SizingRequest request);
}
