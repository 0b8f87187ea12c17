using AiTrader.Core.Domain;

namespace AiTrader.Core.Brokers;

/// <summary>An open position at the broker: signed quantity (negative = short) and average entry price.</summary>
public sealed record BrokerPosition(
    Symbol Symbol,
    decimal Quantity,
    decimal AverageEntryPrice,
    decimal? CurrentPrice = null,
    decimal? MarketValue = null,
    decimal? CostBasis = null,
    decimal? UnrealizedPnl = null)
{
    public PositionSide Side => Quantity < 0 ? PositionSide.Short : PositionSide.Long;
}
