using AiTrader.Core.Domain;
using AiTrader.Core.Scanning;
using AiTrader.Core.Sessions;
using AiTrader.MarketData.Vendors;

namespace AiTrader.MarketData.Watchlists;

/// <summary>The live scan's snapshots from Alpaca (<c>/v2/stocks/snapshots</c>, up to 200 symbols a request).</summary>
/// <remarks>Before the open Alpaca's <c>dailyBar</c> can still be the previous session's, so the previous close is the
/// newest daily bar dated before today (New York), whichever field carries it; the scanner checks the date again.</remarks>
public sealed class AlpacaSnapshotSource(AlpacaClient client, TimeProvider? clock = null) : IMarketSnapshotSource
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public int MaxSymbolsPerRequest => AlpacaClient.MaxSnapshotSymbols;

    public async Task<IReadOnlyDictionary<Symbol, MarketSnapshot>> GetSnapshotsAsync(IReadOnlyList<Symbol> symbols, CancellationToken cancellationToken = default)
    {
        var today = ExchangeTime.SessionDate(_clock.GetUtcNow().UtcDateTime);
        var snapshots = await client.GetSnapshotsAsync(symbols, cancellationToken).ConfigureAwait(false);
        return snapshots.ToDictionary(kv => kv.Key, kv =>
        {
            var s = kv.Value;
            var previous = s.DailyBar is { } d && d.Date < today ? d : s.PreviousDailyBar is { } p && p.Date < today ? p : ((DateOnly Date, decimal Close)?)null;
            return new MarketSnapshot(s.Symbol, s.LastPrice, s.LastTradeUtc, previous?.Close, previous?.Date);
        });
    }
}
