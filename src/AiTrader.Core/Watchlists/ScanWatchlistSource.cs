using AiTrader.Core.Scanning;

namespace AiTrader.Core.Watchlists;

/// <summary><c>scan</c>: the top N of a scan refresh (run by <paramref name="run"/>), ranked, each tagged <c>scan</c>.</summary>
/// <param name="run">Runs or loads the refresh; null when no scan can run (e.g. no data feed configured).</param>
/// <param name="top">How many ranked symbols to take.</param>
/// <param name="notConfigured">What to say when <paramref name="run"/> is null.</param>
public sealed class ScanWatchlistSource(Func<CancellationToken, Task<ScanRefresh>>? run, int top, string notConfigured = "no scan data source") : IWatchlistSource
{
    public string Name => "scan";

    public async Task<SourceAnswer> FetchAsync(CancellationToken cancellationToken = default)
    {
        if (run is null)
        {
            throw new WatchlistSourceException(WatchlistSourceFailure.NotConfigured, $"scan: {notConfigured}");
        }

        var refresh = await run(cancellationToken).ConfigureAwait(false);
        var symbols = refresh.Top(top).Select(r => new SourcedSymbol(r.Symbol.Value, "scan", r.Rank, r.Score, ScanNotes.GapAndRvol(r))).ToList();
        if (symbols.Count == 0)
        {
            throw new WatchlistSourceException(WatchlistSourceFailure.Empty,
                $"scan: nothing ranked at {refresh.Window:yyyy-MM-dd HH:mm}Z over {refresh.UniverseSize} symbol(s); fix: loosen the filters or widen the universe");
        }

        return new SourceAnswer(Name, symbols, [ScanNotes.Header(refresh)]);
    }
}
