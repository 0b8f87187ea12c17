namespace AiTrader.Core.Strategies;

/// <summary>The facts a sizer needs to size one entry, all known at the decision bar's close.</summary>
/// <param name="Equity">Account equity marked at the decision close.</param>
/// <param name="AvailableCash">Cash the entry may spend (cash after closing any current position at the mark).</param>
/// <param name="EntryPrice">Estimated entry price (the decision close; the real fill comes later).</param>
/// <param name="StopPrice">The protective stop the entry will rest.</param>
public readonly record struct SizingRequest(decimal Equity, decimal AvailableCash, decimal EntryPrice, decimal StopPrice);

/// <summary>Turns an entry and its stop into a whole number of shares.</summary>
public interface IPositionSizer
{
    /// <summary>Shares to trade, a non-negative whole number; zero means skip the entry.</summary>
    decimal Size(SizingRequest request);
}
