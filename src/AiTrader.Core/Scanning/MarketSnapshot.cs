using AiTrader.Core.Domain;

namespace AiTrader.Core.Scanning;

/// <summary>The latest state of one symbol as a live feed reports it: last trade and previous daily close.</summary>
/// <param name="LastPrice">Price of the latest trade, or null when the feed has none.</param>
/// <param name="LastTradeUtc">When that trade printed (UTC).</param>
/// <param name="PreviousClose">Close of the previous daily bar.</param>
/// <param name="PreviousCloseDate">The New York date of that daily bar.</param>
public sealed record MarketSnapshot(Symbol Symbol, decimal? LastPrice, DateTime? LastTradeUtc, decimal? PreviousClose, DateOnly? PreviousCloseDate);

/// <summary>Snapshots of many symbols per request (Alpaca's <c>/v2/stocks/snapshots</c>), so a live scan over a large
/// universe can drop symbols outside the price band before asking for any bars.</summary>
public interface IMarketSnapshotSource
{
    /// <summary>Most symbols one call accepts; the scanner splits the universe into batches of this size.</summary>
    int MaxSymbolsPerRequest { get; }

    /// <summary>Snapshots keyed by symbol; a symbol the feed does not know is simply absent.</summary>
    Task<IReadOnlyDictionary<Symbol, MarketSnapshot>> GetSnapshotsAsync(IReadOnlyList<Symbol> symbols, CancellationToken cancellationToken = default);
}
