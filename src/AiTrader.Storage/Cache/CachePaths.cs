using System.Globalization;
using System.Text;
using AiTrader.Core.MarketData;

namespace AiTrader.Storage;

/// <summary>Where snapshots live: the cache root and the sanitized relative path of one snapshot file.</summary>
public static class CachePaths
{
    /// <summary>Environment variable that overrides <see cref="DefaultCacheDirectory"/>.</summary>
    public const string CacheDirVariable = "AITRADER_CACHE_DIR";

    /// <summary>Environment variable that overrides <see cref="DefaultDataDirectory"/>.</summary>
    public const string DataDirVariable = "AITRADER_DATA_DIR";

    /// <summary>Cache root relative to the working directory when <see cref="CacheDirVariable"/> is unset.</summary>
    public const string DefaultCacheDirectory = "artifacts/marketdata/cache";

    /// <summary>Data root (SQLite database) relative to the working directory when <see cref="DataDirVariable"/> is unset.</summary>
    public const string DefaultDataDirectory = "data";

    /// <summary>The cache root: <c>AITRADER_CACHE_DIR</c> when set, else <c>artifacts/marketdata/cache</c>, as a full path.</summary>
    public static string ResolveCacheDirectory(Func<string, string?>? environment = null) =>
        Resolve(environment, CacheDirVariable, DefaultCacheDirectory);

    /// <summary>The data root: <c>AITRADER_DATA_DIR</c> when set, else <c>./data</c>, as a full path.</summary>
    public static string ResolveDataDirectory(Func<string, string?>? environment = null) =>
        Resolve(environment, DataDirVariable, DefaultDataDirectory);

    /// <summary>
    /// <c>vendor/SYMBOL/interval/adjustment/start_end.parquet</c>, always with '/' separators. Only the key and the
    /// range shape the path, so nothing else (a credential, a URL) can leak into a file name.
    /// </summary>
    public static string SnapshotPath(CacheKey key, UtcRange range) =>
        string.Join('/',
            key.Vendor,
            Segment(key.Symbol.Value),
            Segment(key.Interval),
            key.AdjustmentName,
            $"{FormatInstant(range.Start)}_{FormatInstant(range.End)}.parquet");

    /// <summary>Compact sortable UTC instant for file names: <c>20240131T143000Z</c>, with <c>.ffffff</c> when not whole seconds.</summary>
    public static string FormatInstant(DateTime utc)
    {
        var whole = utc.Ticks % TimeSpan.TicksPerSecond == 0;
        return utc.ToString(whole ? "yyyyMMdd'T'HHmmss'Z'" : "yyyyMMdd'T'HHmmss'.'ffffff'Z'", CultureInfo.InvariantCulture);
    }

    internal static string AdjustmentName(PriceAdjustment adjustment) => adjustment switch
    {
        PriceAdjustment.Raw => "raw",
        PriceAdjustment.Split => "split",
        _ => throw new ArgumentOutOfRangeException(nameof(adjustment), adjustment, "Unknown price adjustment."),
    };

    internal static PriceAdjustment ParseAdjustment(string name) => name switch
    {
        "raw" => PriceAdjustment.Raw,
        "split" => PriceAdjustment.Split,
        _ => throw new FormatException($"Unknown adjustment '{name}' in the snapshot catalog; expected raw or split."),
    };

    internal static string ValidateVendor(string vendor)
    {
        // The value is not echoed: a caller that passed a credential by mistake must not see it in an error or a log.
        if (string.IsNullOrWhiteSpace(vendor) || vendor.Length > 64)
        {
            throw new ArgumentException("Vendor name must be 1-64 characters.", nameof(vendor));
        }

        var lower = vendor.Trim().ToLowerInvariant();
        if (!char.IsAsciiLetterOrDigit(lower[0]) || lower.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
        {
            throw new ArgumentException(
                "Vendor name must start with a letter or digit and contain only letters, digits, '.', '_' or '-'.",
                nameof(vendor));
        }

        return lower;
    }

    /// <summary>Maps anything outside [A-Za-z0-9._-] to '_' and keeps a segment from being '.' or '..'.</summary>
    internal static string Segment(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_');
        }

        if (sb.Length == 0 || sb[0] == '.')
        {
            sb.Insert(0, '_');
        }

        return sb.ToString();
    }

    private static string Resolve(Func<string, string?>? environment, string variable, string fallback)
    {
        var value = (environment ?? Environment.GetEnvironmentVariable)(variable);
        return Path.GetFullPath(string.IsNullOrWhiteSpace(value) ? fallback : value);
    }
}
