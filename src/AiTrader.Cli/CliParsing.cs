using System.Globalization;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;

namespace AiTrader.Cli;

/// <summary>Parsers for CLI values that turn a bad value into a one-line <see cref="CliException"/>.</summary>
public static class CliParsing
{
    public static DateOnly ParseDate(string value, string flag)
    {
        if (DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            return d;
        }

        throw new CliException($"{flag} '{value}' is not a date; use YYYY-MM-DD, e.g. {flag} 2010-01-04.");
    }

    public static DateOnly? ParseOptionalDate(string? value, string flag) =>
        string.IsNullOrWhiteSpace(value) ? null : ParseDate(value, flag);

    /// <summary>Parses repeated <c>name=value</c> pairs (also comma-separated in one flag).</summary>
    public static IReadOnlyDictionary<string, string> ParseParams(IEnumerable<string>? values)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in values ?? [])
        {
            foreach (var part in raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var eq = part.IndexOf('=');
                if (eq <= 0 || eq == part.Length - 1)
                {
                    throw new CliException($"--param '{part}' is not name=value; e.g. --param lookback=55.");
                }

                result[part[..eq].Trim()] = part[(eq + 1)..].Trim();
            }
        }

        return result;
    }

    /// <summary>Runs <paramref name="make"/> and reports a value it refused as a one-line <see cref="CliException"/> with the
    /// exception's own message, after "<paramref name="what"/>: " when given: an <see cref="ArgumentException"/>, and with
    /// <paramref name="formatErrors"/> also a <see cref="FormatException"/> (what the parsers throw).</summary>
    public static T Checked<T>(Func<T> make, string? what = null, bool formatErrors = false)
    {
        ArgumentNullException.ThrowIfNull(make);
        try
        {
            return make();
        }
        catch (Exception ex) when (ex is ArgumentException || (formatErrors && ex is FormatException))
        {
            throw new CliException(what is null ? ex.Message : $"{what}: {ex.Message}");
        }
    }

    /// <summary>A ticker for <c>--symbol</c>.</summary>
    public static Symbol ParseSymbol(string value)
    {
        try
        {
            return new Symbol(value);
        }
        catch (ArgumentException ex)
        {
            throw new CliException($"--symbol: {ex.Reason()}");
        }
    }

    /// <summary>A bar interval for <c>--interval</c>: 1Min, 5Min, 15Min, 30Min, 1Hour or 1Day.</summary>
    public static Timeframe ParseInterval(string value) =>
        Timeframe.TryParse(value, out var tf)
            ? tf
            : throw new CliException($"--interval '{value}' is not an interval; use 1Min, 5Min, 15Min, 30Min, 1Hour or 1Day.");

    /// <summary>A price adjustment for <c>--adjustment</c>: split or raw.</summary>
    public static PriceAdjustment ParseAdjustment(string value) => value.Trim().ToLowerInvariant() switch
    {
        "split" => PriceAdjustment.Split,
        "raw" => PriceAdjustment.Raw,
        _ => throw new CliException($"--adjustment '{value}' is not supported; use split or raw."),
    };
}
