namespace AiTrader.Core.Watchlists;

/// <summary>Why a watchlist source gave nothing, in terms the <c>auto</c> chain acts on (every kind moves it on).</summary>
public enum WatchlistSourceFailure
{
    /// <summary>The source needs a key or setting that is not set.</summary>
    NotConfigured,

    /// <summary>The source said to slow down (HTTP 429, a rate-limit body).</summary>
    RateLimited,

    /// <summary>The answer could not be read (truncated JSON, HTML, an unexpected shape).</summary>
    Malformed,

    /// <summary>The source answered with no usable symbol.</summary>
    Empty,

    /// <summary>Anything else: credentials refused, server error, network.</summary>
    Failed,
}

/// <summary>A watchlist source that gave nothing; the message is one line naming the source and the fix.</summary>
public sealed class WatchlistSourceException(WatchlistSourceFailure failure, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public WatchlistSourceFailure Failure { get; } = failure;
}

/// <summary>A symbol as a source wrote it (not yet normalized), with the tag of who gave it.</summary>
/// <param name="Text">The ticker text: <c>brk/b</c>, <c>$AAPL</c> already stripped of its <c>$</c>, ...</param>
/// <param name="Tag">The source tag carried into the watchlist entry (manual, alpha, discord, scan, ...).</param>
/// <param name="Rank">The scan rank when the source ranks.</param>
/// <param name="Score">The scan score when the source ranks.</param>
/// <param name="Note">What the source said about the symbol.</param>
public sealed record SourcedSymbol(string Text, string Tag, int? Rank = null, decimal? Score = null, string? Note = null);

/// <summary>What one source answered: its symbols in its own order, what it noted, and, for a listing, the whole
/// directory to validate other sources' symbols against.</summary>
public sealed record SourceAnswer(string Source, IReadOnlyList<SourcedSymbol> Symbols, IReadOnlyList<string> Notes)
{
    /// <summary>Every listed symbol text when the source is a listing (alpha, finnhub, twelvedata); otherwise null.</summary>
    public IReadOnlySet<string>? Listing { get; init; }
}

/// <summary>One watchlist source as the configuration names it: manual, alpha, finnhub, twelvedata, textlist, scan or auto.</summary>
public interface IWatchlistSource
{
    /// <summary>The name used in <c>--source</c> and WATCHLIST_SOURCE.</summary>
    string Name { get; }

    /// <summary>The source's symbols.</summary>
    /// <exception cref="WatchlistSourceException">No key, rate limit, a malformed or empty answer, any failure.</exception>
    Task<SourceAnswer> FetchAsync(CancellationToken cancellationToken = default);
}
