using AiTrader.Core.Domain;

namespace AiTrader.Core.Watchlists;

/// <summary><c>auto</c>: tries its sources in order (alpha → finnhub → textlist → twelvedata, then manual and the
/// bundled sample as the platform wires it) and answers with the first that gives a usable symbol, saying which one
/// served and why each earlier one was passed over (no key, rate limited, failed, empty, malformed).</summary>
public sealed class AutoWatchlistSource : IWatchlistSource
{
    private readonly IReadOnlyList<IWatchlistSource> _chain;

    public AutoWatchlistSource(IReadOnlyList<IWatchlistSource> chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        if (chain.Count == 0)
        {
            throw new ArgumentException("The auto chain needs at least one source.", nameof(chain));
        }

        _chain = chain;
    }

    public string Name => "auto";

    public async Task<SourceAnswer> FetchAsync(CancellationToken cancellationToken = default)
    {
        var attempts = new List<string>();
        foreach (var source in _chain)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var answer = await source.FetchAsync(cancellationToken).ConfigureAwait(false);
                if (!answer.Symbols.Any(s => Symbol.TryParse(s.Text, out _, out _)))
                {
                    throw new WatchlistSourceException(WatchlistSourceFailure.Empty, $"{source.Name}: answered with no ticker");
                }

                var notes = new List<string>(attempts) { $"auto: {source.Name} served ({Describe(attempts.Count)})" };
                notes.AddRange(answer.Notes);
                return answer with { Notes = notes };
            }
            catch (WatchlistSourceException ex)
            {
                attempts.Add($"auto: {source.Name} passed over [{Kind(ex.Failure)}] {ex.Message}");
            }
        }

        throw new WatchlistSourceException(WatchlistSourceFailure.Failed,
            $"auto: no source gave a symbol ({string.Join(" | ", attempts)}); fix: set WATCHLIST_TEXT or a source key");
    }

    private static string Describe(int skipped) => skipped == 0 ? "first in the chain" : $"after {skipped} passed over";

    private static string Kind(WatchlistSourceFailure failure) => failure switch
    {
        WatchlistSourceFailure.NotConfigured => "no key",
        WatchlistSourceFailure.RateLimited => "rate limited",
        WatchlistSourceFailure.Malformed => "malformed",
        WatchlistSourceFailure.Empty => "empty",
        _ => "failed",
    };
}
