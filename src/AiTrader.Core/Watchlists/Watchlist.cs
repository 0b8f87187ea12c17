using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using AiTrader.Core.Domain;

namespace AiTrader.Core.Watchlists;

/// <summary>One symbol of a watchlist, tagged with the source that gave it.</summary>
/// <param name="Source">The source tag: manual, alpha, finnhub, twelvedata, discord, signal, scan, or a sample tag.</param>
/// <param name="Rank">The scan rank when the source is a scan.</param>
/// <param name="Score">The scan score when the source is a scan.</param>
/// <param name="Note">What the source said about the symbol (e.g. the scan's gap and RVOL).</param>
public sealed record WatchlistEntry(Symbol Symbol, string Source, int? Rank = null, decimal? Score = null, string? Note = null);

/// <summary>A saved list of symbols: the bucket it belongs to, when it was made, which source served it and its entries.</summary>
/// <param name="Bucket">A lower-case name such as <c>default</c> or <c>scan</c> (see <see cref="WatchlistBucket"/>).</param>
/// <param name="CreatedUtc">When the list was made; its key in the bucket (kept to the microsecond; a store moves it on by 1 µs to keep two
/// saves at the same instant apart: 1 µs later).</param>
/// <param name="Source">The source that served the list (for <c>auto</c>, the one that answered).</param>
/// <param name="Notes">What happened on the way: sources tried and why they were passed over, symbols dropped.</param>
public sealed record Watchlist(
    string Bucket,
    DateTime CreatedUtc,
    string Source,
    IReadOnlyList<WatchlistEntry> Entries,
    IReadOnlyList<string> Notes)
{
    [JsonIgnore]
    public IReadOnlyList<Symbol> Symbols => Entries.Select(e => e.Symbol).ToList();
}

/// <summary>Bucket names: 1-40 of a-z, 0-9, '-' and '_', starting with a letter or digit, so a bucket is always a safe
/// folder name, blob prefix and database value.</summary>
public static partial class WatchlistBucket
{
    public const string Default = "default";

    /// <summary>The bucket the scan publishes its top N to.</summary>
    public const string Scan = "scan";

    /// <summary>Returns the bucket name lower-cased, or throws with the rule.</summary>
    /// <exception cref="ArgumentException">Not a bucket name.</exception>
    public static string Validate(string? name)
    {
        var trimmed = (name ?? "").Trim().ToLowerInvariant();
        if (!Pattern().IsMatch(trimmed))
        {
            var shown = trimmed.Length > 24 ? trimmed[..24] + "…" : trimmed;
            throw new ArgumentException($"bucket '{shown}' is not a bucket name; use 1-40 of a-z, 0-9, '-' and '_' (e.g. default, scan, morning-gappers).");
        }

        return trimmed;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,39}$")]
    private static partial Regex Pattern();
}
