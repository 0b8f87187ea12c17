using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;

namespace AiTrader.MarketData;

/// <summary>Turns parsed vendor rows into a clean series: in range, sorted, one bar per timestamp, OHLC-sane, on the tick.</summary>
public static class BarNormalizer
{
    /// <summary>The price grid of a US equity bar: $0.0001. Trades print on it (Rule 612 allows sub-penny executions, e.g.
    /// midpoint fills at 388.985, and sub-dollar prices quote in 0.0001), so OHLC built from trades sits on it too.</summary>
    public const decimal PriceTick = 0.0001m;

    /// <summary>Decimals kept for volume and VWAP (the cache's scale): split-adjusted volume can be fractional and VWAP is an
    /// average, not a print, so neither sits on the tick.</summary>
    public const int VolumeDecimals = 8;

    /// <summary>Rounds <paramref name="price"/> half away from zero to <see cref="PriceTick"/>. Removes a vendor's binary
    /// float noise (Yahoo's 322.53500010000005 → 322.535) and the long fractions of a division by a split factor
    /// (322.535 / 3 → 107.5117) instead of refusing them.</summary>
    public static decimal ToTick(decimal price) => decimal.Round(price / PriceTick, 0, MidpointRounding.AwayFromZero) * PriceTick;

    /// <summary>A vendor row on the platform's grid: prices on the tick, volume and VWAP to 8 decimals, the timestamp
    /// truncated to whole microseconds (the cache's resolution; bars open on whole minutes anyway).</summary>
    public static Bar ToGrid(Bar bar) => bar with
    {
        Timestamp = Storage.UtcRange.Floor(bar.Timestamp),
        Open = ToTick(bar.Open),
        High = ToTick(bar.High),
        Low = ToTick(bar.Low),
        Close = ToTick(bar.Close),
        Volume = decimal.Round(bar.Volume, VolumeDecimals, MidpointRounding.AwayFromZero),
        Vwap = bar.Vwap is { } v ? decimal.Round(v, VolumeDecimals, MidpointRounding.AwayFromZero) : null,
    };

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

            // Values the cache cannot store are not rounded onto the grid at all.
            if (!Fits(indexed[i].bar))
            {
                dropped++;
                continue;
            }

            var bar = ToGrid(indexed[i].bar);
            if (!IsSane(bar))
            {
                dropped++;
                continue;
            }

            result.Add(bar);
        }

        return new VendorBars(request.Symbol, request.Timeframe, vendor, result, dropped, duplicates, deliveredAdjustment, emptyBars);
    }

    /// <summary>Values the cache can store (decimal(18,8) prices, decimal(28,8) volume): a price of 1e20 is no real print,
    /// so such a bar is dropped like any other insane bar rather than failing the write.</summary>
    private static bool Fits(Bar bar) =>
        Math.Abs(bar.Open) <= Storage.ParquetBarFile.MaxPrice && Math.Abs(bar.High) <= Storage.ParquetBarFile.MaxPrice
        && Math.Abs(bar.Low) <= Storage.ParquetBarFile.MaxPrice && Math.Abs(bar.Close) <= Storage.ParquetBarFile.MaxPrice
        && Math.Abs(bar.Volume) <= Storage.ParquetBarFile.MaxVolume
        && (bar.Vwap is not { } v || Math.Abs(v) <= Storage.ParquetBarFile.MaxPrice);

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
