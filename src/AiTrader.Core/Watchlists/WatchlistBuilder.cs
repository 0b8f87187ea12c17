using System.Globalization;
using AiTrader.Core.Domain;

namespace AiTrader.Core.Watchlists;

/// <summary>Turns a source's answer into a watchlist: one ticker form (<see cref="Symbol"/>: BRK/B and BRK-B become
/// BRK.B), validation against a listing when one is at hand, de-duplication (the first source to name a symbol tags
/// it), and the MAX_WATCHLIST cap.</summary>
public sealed class WatchlistBuilder
{
    /// <summary>MAX_WATCHLIST's default.</summary>
    public const int DefaultMax = 25;

    /// <summary>Notes name at most this many dropped symbols one by one, then a count.</summary>
    private const int MaxNamedDrops = 10;

    public WatchlistBuilder(int max = DefaultMax)
    {
        if (max is < 1 or > 10_000)
        {
            throw new ArgumentException($"MAX_WATCHLIST must be 1 to 10000 (got {max}).");
        }

        Max = max;
    }

    public int Max { get; }

    /// <summary>Reads MAX_WATCHLIST (default 25).</summary>
    /// <exception cref="ArgumentException">Not a whole number from 1 to 10000.</exception>
    public static WatchlistBuilder FromEnvironment(Func<string, string?> env)
    {
        ArgumentNullException.ThrowIfNull(env);
        var text = env("MAX_WATCHLIST");
        if (string.IsNullOrWhiteSpace(text))
        {
            return new WatchlistBuilder();
        }

        return int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var max) && max is >= 1 and <= 10_000
            ? new WatchlistBuilder(max)
            : throw new ArgumentException($"MAX_WATCHLIST='{text}' is not a whole number from 1 to 10000; fix or unset it (default {DefaultMax}).");
    }

    /// <summary>Fetches from <paramref name="source"/> and builds the watchlist; when <paramref name="listing"/> is given
    /// and the source is not a listing itself, its directory validates the symbols (a failing listing is noted, not fatal).</summary>
    /// <exception cref="WatchlistSourceException">The source failed, or nothing valid was left.</exception>
    public async Task<Watchlist> BuildAsync(IWatchlistSource source, string bucket, DateTime createdUtc,
        IWatchlistSource? listing = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var answer = await source.FetchAsync(cancellationToken).ConfigureAwait(false);
        var notes = new List<string>();
        var valid = answer.Listing;
        if (valid is null && listing is not null)
        {
            try
            {
                valid = (await listing.FetchAsync(cancellationToken).ConfigureAwait(false)).Listing;
                notes.Add($"validated against the {listing.Name} listing ({valid?.Count ?? 0} symbols)");
            }
            catch (WatchlistSourceException ex)
            {
                notes.Add($"not validated against a listing: {ex.Message}");
            }
        }

        return Build(answer, WatchlistBucket.Validate(bucket), createdUtc, valid, notes);
    }

    /// <summary>Builds a watchlist from an answer already fetched.</summary>
    /// <exception cref="WatchlistSourceException">Nothing valid was left (Empty).</exception>
    public Watchlist Build(SourceAnswer answer, string bucket, DateTime createdUtc, IReadOnlySet<string>? listing = null,
        IReadOnlyList<string>? extraNotes = null)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (createdUtc.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException($"A watchlist time must be UTC, got Kind={createdUtc.Kind}.", nameof(createdUtc));
        }

        var entries = new List<WatchlistEntry>();
        var seen = new HashSet<Symbol>();
        var invalid = new List<string>();
        var unlisted = new List<string>();
        var duplicates = 0;
        var capped = 0;
        foreach (var candidate in answer.Symbols)
        {
            if (!Symbol.TryParse(candidate.Text, out var symbol, out _))
            {
                invalid.Add(candidate.Text);
                continue;
            }

            if (listing is not null && !listing.Contains(symbol.Value))
            {
                unlisted.Add(symbol.Value);
                continue;
            }

            if (!seen.Add(symbol))
            {
                duplicates++;
                continue;
            }

            if (entries.Count == Max)
            {
                capped++;
                continue;
            }

            entries.Add(new WatchlistEntry(symbol, candidate.Tag, candidate.Rank, candidate.Score, candidate.Note));
        }

        var notes = new List<string>(answer.Notes);
        notes.AddRange(extraNotes ?? []);
        if (invalid.Count > 0)
        {
            notes.Add($"dropped {invalid.Count} text(s) that are not tickers: {Named(invalid.Select(Shorten))}");
        }

        if (unlisted.Count > 0)
        {
            notes.Add($"dropped {unlisted.Count} symbol(s) not in the listing: {Named(unlisted)}");
        }

        if (duplicates > 0)
        {
            notes.Add($"removed {duplicates} duplicate(s) (the first source to name a symbol tags it)");
        }

        if (capped > 0)
        {
            notes.Add($"kept the first {Max} (MAX_WATCHLIST); {capped} more not kept");
        }

        if (entries.Count == 0)
        {
            throw new WatchlistSourceException(WatchlistSourceFailure.Empty,
                $"{answer.Source}: no usable symbol in the answer{(notes.Count > 0 ? " (" + string.Join("; ", notes) + ")" : "")}; fix: check the source's content or use another source");
        }

        return new Watchlist(bucket, createdUtc, answer.Source, entries, notes);
    }

    private static string Named(IEnumerable<string> items)
    {
        var list = items.ToList();
        var shown = string.Join(", ", list.Take(MaxNamedDrops));
        return list.Count > MaxNamedDrops ? $"{shown}, … ({list.Count - MaxNamedDrops} more)" : shown;
    }

    private static string Shorten(string text)
    {
        var clean = new string(text.Select(c => char.IsControl(c) ? '?' : c).Take(16).ToArray());
        return text.Length > 16 ? $"'{clean}…'" : $"'{clean}'";
    }
}
