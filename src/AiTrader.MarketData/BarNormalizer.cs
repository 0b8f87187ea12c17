using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;

namespace AiTrader.MarketData;

/// <summary>Turns parsed vendor rows into a clean series: in range, sorted, one bar per timestamp, OHLC-sane.</summary>
public static class BarNormalizer
{
    /// <summary>Filters to [start, end], sorts by time, keeps the last row of each duplicated timestamp (a vendor
    /// correction follows the original) and drops inconsistent bars. Pure and deterministic.</summary>
    public static VendorBars Normalize(
        string vendor,
        VendorBarRequest request,
        IEnumerable<Bar> rows,
        PriceAdjustment deliveredAdjustment,
        int emptyBars = 0)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(rows);

        // Index as a tiebreak makes the sort stable, so "last" means last in the vendor's own order.
        var indexed = rows
            .Select((bar, index) => (bar, index))
            .Where(x => x.bar.Timestamp >= request.StartUtc && x.bar.Timestamp <= request.EndUtc)
            .OrderBy(x => x.bar.Timestamp)
            .ThenBy(x => x.index)
            .ToList();

        var result = new List<Bar>(indexed.Count);
        var duplicates = 0;
        var dropped = 0;
        for (var i = 0; i < indexed.Count; i++)
        {
            if (i + 1 < indexed.Count && indexed[i + 1].bar.Timestamp == indexed[i].bar.Timestamp)
            {
                duplicates++;
                continue;
            }

            var bar = indexed[i].bar;
            if (!IsSane(bar))
            {
                dropped++;
                continue;
            }

            result.Add(bar);
        }

        return new VendorBars(request.Symbol, request.Timeframe, vendor, result, dropped, duplicates, deliveredAdjustment, emptyBars);
    }

    /// <summary>Positive prices, high the highest and low the lowest of the four, non-negative volume.</summary>
    public static bool IsSane(Bar bar) =>
        bar.Open > 0 && bar.High > 0 && bar.Low > 0 && bar.Close > 0 && bar.IsConsistent;

    /// <summary>A daily bar's timestamp: the session date's 09:30 New York open, in UTC.</summary>
    public static DateTime DailyOpenUtc(DateOnly sessionDate) =>
        Core.Sessions.ExchangeTime.ToUtc(sessionDate, new TimeOnly(9, 30));

    /// <summary>UTC instant of a naive wall-clock time in a zone. Ambiguous fall-back times take the first
    /// (daylight) occurrence; times skipped by spring-forward cannot be real bars and are rejected.</summary>
    public static bool TryLocalToUtc(DateTime local, TimeZoneInfo zone, out DateTime utc)
    {
        utc = default;
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(unspecified))
        {
            return false;
        }

        if (zone.IsAmbiguousTime(unspecified))
        {
            var offsets = zone.GetAmbiguousTimeOffsets(unspecified);
            var daylight = offsets.Max();
            utc = DateTime.SpecifyKind(unspecified - daylight, DateTimeKind.Utc);
            return true;
        }

        utc = TimeZoneInfo.ConvertTimeToUtc(unspecified, zone);
        return true;
    }
}
