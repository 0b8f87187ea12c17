using System.Text.Json.Serialization;
using AiTrader.Core.Domain;
using AiTrader.Core.Signals.Regimes;

namespace AiTrader.Core.Scanning;

/// <summary>Whether a symbol made the ranking of a refresh, and if not, why.</summary>
public enum ScanRowStatus
{
    /// <summary>Passed every filter and has a rank.</summary>
    Ranked,

    /// <summary>Measured but removed by a filter (price band, dollar volume, gap, RVOL, prob_up, regime, direction).</summary>
    Filtered,

    /// <summary>Fewer usable past sessions than the minimum: not ranked on a partial average.</summary>
    InsufficientHistory,

    /// <summary>Nothing to measure: no prior close, or no trade since it.</summary>
    NoData,

    /// <summary>The data source failed for this symbol (the note says how).</summary>
    Error,
}

/// <summary>One symbol in one refresh, with every input of its numbers so a person can check them.</summary>
/// <param name="Window">The UTC instant of the refresh: only bars closed by then count.</param>
/// <param name="Rank">1 = best; null unless <see cref="Status"/> is Ranked.</param>
/// <param name="Score">See <see cref="ScanScore"/>; null unless ranked or filtered after measuring.</param>
/// <param name="Gap">last_price / prior_close − 1, a plain ratio (0.0125 = +1.25%).</param>
/// <param name="Rvol">volume / avg_volume; null when there is no average (too little history, or no volume at
/// this time of day in the past sessions).</param>
/// <param name="LastPrice">Close of the last bar closed by the window (premarket, or the prior after-hours when the
/// day has not traded yet).</param>
/// <param name="LastBarUtc">Open time of that bar (UTC).</param>
/// <param name="PriorClose">Close of the prior session's last regular-hours bar (its daily bar when the minute data
/// lacks that session), split-adjusted.</param>
/// <param name="PriorCloseDate">The prior session's date.</param>
/// <param name="Volume">Shares traded from 04:00 ET up to the window (split-adjusted).</param>
/// <param name="AverageVolume">Mean of the past sessions' cumulative volume at the same New York time of day.</param>
/// <param name="SessionDates">The past sessions averaged, most recent first (their count is the CSV's sessions).</param>
/// <param name="DollarVolume">last_price × volume.</param>
/// <param name="ProbUp">Daily Kalman prob_up as of the prior close (when a trend filter asked for it).</param>
/// <param name="Regime">Daily regime as of the prior close (when a trend filter asked for it).</param>
/// <param name="Note">Why the row is not ranked, or what was substituted (e.g. "no premarket trade yet").</param>
public sealed record ScanRow(
    DateTime Window,
    Symbol Symbol,
    ScanRowStatus Status,
    int? Rank,
    decimal? Score,
    decimal? Gap,
    decimal? Rvol,
    decimal? LastPrice,
    DateTime? LastBarUtc,
    decimal? PriorClose,
    DateOnly? PriorCloseDate,
    decimal Volume,
    decimal? AverageVolume,
    IReadOnlyList<DateOnly> SessionDates,
    decimal? DollarVolume,
    double? ProbUp,
    MarketRegime? Regime,
    string? Note)
{
    /// <summary>The number of past sessions in <see cref="AverageVolume"/>.</summary>
    [JsonIgnore]
    public int Sessions => SessionDates.Count;
}

/// <summary>One run of the scan at one window: when, over how many symbols, the rows (ranked first), how long it took
/// and what failed.</summary>
/// <param name="Window">The UTC instant the scan is as of.</param>
/// <param name="SessionDate">The New York trading date scanned.</param>
/// <param name="StartedUtc">Wall-clock (or simulated-clock) time the refresh started.</param>
/// <param name="Elapsed">How long the refresh took.</param>
/// <param name="UniverseSize">Symbols scanned.</param>
/// <param name="Rows">Ranked rows by rank, then the others by symbol.</param>
/// <param name="Errors">One line per symbol whose data failed.</param>
/// <param name="Mode">replay or live.</param>
public sealed record ScanRefresh(
    DateTime Window,
    DateOnly SessionDate,
    DateTime StartedUtc,
    TimeSpan Elapsed,
    int UniverseSize,
    IReadOnlyList<ScanRow> Rows,
    IReadOnlyList<string> Errors,
    string Mode)
{
    /// <summary>The ranked rows, best first.</summary>
    [JsonIgnore]
    public IEnumerable<ScanRow> Ranked => Rows.Where(r => r.Status == ScanRowStatus.Ranked).OrderBy(r => r.Rank);

    /// <summary>The best <paramref name="n"/> ranked rows.</summary>
    public IReadOnlyList<ScanRow> Top(int n) => Ranked.Take(n).ToList();

    /// <summary>The refresh of <paramref name="rows"/> measured at <paramref name="window"/>, in whatever order they came
    /// (one machine's parallel measurements, a cluster's symbol grains): the rows passing every filter ranked by score,
    /// best first, ties by symbol, then the others by symbol; the errors sorted.</summary>
    public static ScanRefresh Rank(DateTime window, DateOnly sessionDate, DateTime startedUtc, TimeSpan elapsed, int universeSize,
        IEnumerable<ScanRow> rows, IEnumerable<string> errors, string mode)
    {
        var all = rows.ToList();
        var ranked = all.Where(r => r.Status == ScanRowStatus.Ranked)
            .OrderByDescending(r => r.Score)
            .ThenBy(r => r.Symbol.Value, StringComparer.Ordinal)
            .Select((r, i) => r with { Rank = i + 1 });
        var others = all.Where(r => r.Status != ScanRowStatus.Ranked).OrderBy(r => r.Symbol.Value, StringComparer.Ordinal);
        return new ScanRefresh(window, sessionDate, startedUtc, elapsed, universeSize, [.. ranked, .. others],
            errors.Order(StringComparer.Ordinal).ToList(), mode);
    }
}
