namespace AiTrader.Core.Watchlists;

/// <summary><c>manual</c>: the comma-separated symbols of WATCHLIST_TEXT (or any text given), in their order.</summary>
public sealed class ManualWatchlistSource(string? text, string variable = "WATCHLIST_TEXT", string tag = "manual") : IWatchlistSource
{
    public string Name => "manual";

    public Task<SourceAnswer> FetchAsync(CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new WatchlistSourceException(WatchlistSourceFailure.NotConfigured,
                $"manual: {variable} is not set; fix: set it to comma-separated tickers, e.g. {variable}=SPY,AAPL,BRK.B");
        }

        var symbols = text.Split([',', ';', '\n', '\r', '\t', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => new SourcedSymbol(s.TrimStart('$'), tag))
            .ToList();
        return Task.FromResult(new SourceAnswer(Name, symbols, []));
    }
}
