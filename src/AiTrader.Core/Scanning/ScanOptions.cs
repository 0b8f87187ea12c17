using System.Globalization;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Scanning;

/// <summary>Which side of the prior close a gap must be on to rank.</summary>
public enum GapDirection
{
    /// <summary>Gaps up and down rank alike, by their size.</summary>
    Both,

    /// <summary>Only gaps up rank; gaps down are filtered out.</summary>
    Up,

    /// <summary>Only gaps down rank; gaps up are filtered out.</summary>
    Down,
}

/// <summary>The documented ranking score: <c>score = gap_weight × 100 × gap_term + rvol_weight × min(rvol, rvol_cap)</c>.</summary>
/// <remarks><c>gap_term</c> is |gap| for <see cref="GapDirection.Both"/>, gap for Up and −gap for Down (gap is a plain
/// ratio, so 100 × gap is the gap in percent); a missing RVOL (no volume at this time of day in the past sessions)
/// adds 0. With the defaults (1, 1, 10) a 2% gap on 1.8× volume scores 2 + 1.8 = 3.8. The cap keeps one thin
/// symbol trading 80× its usual premarket volume from outranking every real gap.</remarks>
public sealed record ScanScore(decimal GapWeight = 1m, decimal RvolWeight = 1m, decimal RvolCap = 10m)
{
    public static ScanScore Default { get; } = new();

    /// <summary>The score of a row with <paramref name="gap"/> and <paramref name="rvol"/> (null adds 0).</summary>
    public decimal Compute(decimal gap, decimal? rvol, GapDirection direction)
    {
        var gapTerm = direction switch
        {
            GapDirection.Up => gap,
            GapDirection.Down => -gap,
            _ => Math.Abs(gap),
        };
        var rvolTerm = rvol is { } r ? Math.Min(r, RvolCap) : 0m;
        return (GapWeight * 100m * gapTerm) + (RvolWeight * rvolTerm);
    }

    /// <summary>Parses <c>gap=1,rvol=0.5,rvol_cap=10</c> (any subset; the rest keep their defaults).</summary>
    /// <exception cref="FormatException">An unknown name or a value that is not a non-negative number.</exception>
    public static ScanScore Parse(string text)
    {
        var score = Default;
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !decimal.TryParse(part[(eq + 1)..], NumberStyles.Number, CultureInfo.InvariantCulture, out var value) || value < 0)
            {
                throw new FormatException($"score weight '{part}' is not name=number; use e.g. gap=1,rvol=0.5,rvol_cap=10.");
            }

            score = part[..eq].Trim().ToLowerInvariant() switch
            {
                "gap" => score with { GapWeight = value },
                "rvol" => score with { RvolWeight = value },
                "rvol_cap" => score with { RvolCap = value },
                var other => throw new FormatException($"unknown score weight '{other}'; use gap, rvol or rvol_cap."),
            };
        }

        return score;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{GapWeight} × 100 × gap + {RvolWeight} × min(rvol, {RvolCap})");
}

/// <summary>What a scan measures, which symbols it keeps and how it ranks them.</summary>
/// <param name="LookbackSessions">RVOL averages the cumulative volume at the same time of day over up to this many
/// past sessions (N).</param>
/// <param name="MinSessions">Fewer usable past sessions than this is "too little history": the row says so and is
/// not ranked.</param>
/// <param name="MinPrice">Price band: last price at least this (inclusive); null = no floor.</param>
/// <param name="MaxPrice">Price band: last price at most this (inclusive); null = no ceiling.</param>
/// <param name="MinDollarVolume">Last price × volume so far must reach this; null = no floor.</param>
/// <param name="MinAbsGap">|gap| must reach this ratio (0.01 = 1%); null = no floor.</param>
/// <param name="MinRvol">RVOL must reach this (a row without RVOL fails it); null = no floor.</param>
/// <param name="MinProbUp">The daily Kalman prob_up as of the prior close must reach this; null = no filter.</param>
/// <param name="Regimes">The daily regime as of the prior close must be one of these; null = no filter.</param>
/// <param name="Top">How many ranked symbols a refresh publishes as the watchlist.</param>
public sealed record ScanOptions(
    int LookbackSessions = 10,
    int MinSessions = 2,
    decimal? MinPrice = null,
    decimal? MaxPrice = null,
    decimal? MinDollarVolume = null,
    decimal? MinAbsGap = null,
    decimal? MinRvol = null,
    double? MinProbUp = null,
    RegimeSet? Regimes = null,
    GapDirection Direction = GapDirection.Both,
    ScanScore? Score = null,
    int Top = 10)
{
    /// <summary>Past sessions looked through to find <see cref="LookbackSessions"/> usable ones (half days after their
    /// close and sessions missing from the data are skipped): a bound on the history requested.</summary>
    public int MaxSessionsSearched => 2 * LookbackSessions;

    public ScanScore Scoring => Score ?? ScanScore.Default;

    /// <exception cref="ArgumentException">A count below 1, MinSessions above LookbackSessions, or an inverted price band.</exception>
    public ScanOptions Validate()
    {
        if (LookbackSessions is < 1 or > 60)
        {
            throw new ArgumentException($"The RVOL lookback must be 1 to 60 sessions (got {LookbackSessions}).");
        }

        if (MinSessions < 1 || MinSessions > LookbackSessions)
        {
            throw new ArgumentException($"The minimum history must be 1 to {LookbackSessions} sessions (got {MinSessions}).");
        }

        if (MinPrice is { } lo && MaxPrice is { } hi && lo > hi)
        {
            throw new ArgumentException($"The price band {lo}..{hi} is empty; give the lower price first.");
        }

        if (Top < 1)
        {
            throw new ArgumentException($"The watchlist size must be at least 1 (got {Top}).");
        }

        if (MinProbUp is { } p && (p < 0 || p > 1 || double.IsNaN(p)))
        {
            throw new ArgumentException($"The prob_up floor must be between 0 and 1 (got {p}).");
        }

        return this;
    }

    /// <summary>True when a daily Kalman filter must run (a prob_up or regime filter is set).</summary>
    public bool NeedsTrend => MinProbUp is not null || Regimes is not null;
}
