using AiTrader.Core.Watchlists;

namespace AiTrader.MarketData.Watchlists;

/// <summary><c>alpha</c>, <c>finnhub</c>, <c>twelvedata</c>: a vendor's symbol directory (Alpha Vantage LISTING_STATUS CSV,
/// Finnhub <c>/stock/symbol?exchange=US</c>, Twelve Data <c>/stocks</c>) as a source: its active listings in the
/// vendor's order, and the whole directory for validating other sources' symbols.</summary>
public sealed class ListingWatchlistSource : IWatchlistSource
{
    private readonly IVendorClient _client;
    private readonly string? _missingKey;
    private readonly SemaphoreSlim _once = new(1, 1);
    private SourceAnswer? _answer;

    /// <param name="name">The source name and tag: alpha, finnhub or twelvedata.</param>
    /// <param name="missingKey">The variable to set when the vendor's key is missing, or null when it is set.</param>
    public ListingWatchlistSource(string name, IVendorClient client, string? missingKey)
    {
        ArgumentNullException.ThrowIfNull(client);
        Name = name;
        _client = client;
        _missingKey = missingKey;
    }

    public string Name { get; }

    /// <summary>Fetches the directory once per instance (a listing is large and rate-limited; a run needs it once).</summary>
    public async Task<SourceAnswer> FetchAsync(CancellationToken cancellationToken = default)
    {
        if (_missingKey is not null)
        {
            throw new WatchlistSourceException(WatchlistSourceFailure.NotConfigured, $"{Name}: {_missingKey} is not set; fix: set it to use the {_client.Name} listing");
        }

        await _once.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _answer ??= await LoadAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _once.Release();
        }
    }

    private async Task<SourceAnswer> LoadAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<Listing> listings;
        try
        {
            listings = await _client.GetListingsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (VendorException ex)
        {
            var failure = ex.Kind switch
            {
                VendorErrorKind.RateLimited or VendorErrorKind.QuotaExhausted => WatchlistSourceFailure.RateLimited,
                VendorErrorKind.MalformedResponse => WatchlistSourceFailure.Malformed,
                VendorErrorKind.Unsupported => WatchlistSourceFailure.NotConfigured,
                _ => WatchlistSourceFailure.Failed,
            };
            // The vendor's message names the vendor; a source named like its vendor (finnhub) is not named twice.
            var message = ex.Message.StartsWith(Name + ":", StringComparison.Ordinal) ? ex.Message : $"{Name}: {ex.Message}";
            throw new WatchlistSourceException(failure, message, ex);
        }

        var active = listings.Where(l => l.Status != ListingStatus.Delisted).ToList();
        if (active.Count == 0)
        {
            throw new WatchlistSourceException(WatchlistSourceFailure.Empty,
                $"{Name}: the {_client.Name} listing has no active symbol ({listings.Count} row(s)); fix: retry later or use another source");
        }

        var all = listings.Select(l => l.Symbol.Value).ToHashSet(StringComparer.Ordinal);
        return new SourceAnswer(Name, active.Select(l => new SourcedSymbol(l.Symbol.Value, Name, Note: l.Name)).ToList(),
            [$"{Name}: {active.Count} active listing(s) of {listings.Count}"])
        {
            Listing = all,
        };
    }
}
