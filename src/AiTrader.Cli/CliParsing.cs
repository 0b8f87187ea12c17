using System.Globalization;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;

namespace AiTrader.Cli;

/// <summary>Parsers for CLI values that turn a bad value into a one-line <see cref="CliException"/> or, for the checks the
/// service shares (<see cref="RequestChecks"/>), a <see cref="RequestException"/> with the same message.</summary>
public static class CliParsing
{
    public static DateOnly ParseDate(string value, string flag) => RequestChecks.Date(value, flag);

    public static DateOnly? ParseOptionalDate(string? value, string flag) => RequestChecks.OptionalDate(value, flag);

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
    public static Symbol ParseSymbol(string value) => RequestChecks.Symbol(value);

    /// <summary>The help of every <c>--interval</c>: the six intervals and their documented short forms (docs/reference/cli.md).</summary>
    public const string IntervalHelp =
        "Bar interval: 1Min, 5Min, 15Min, 30Min, 1Hour or 1Day; case-insensitive, with the short forms 1m, 5m, 15m, 30m, 1h and 1d as aliases.";

    /// <summary>A bar interval for <c>--interval</c>: 1Min, 5Min, 15Min, 30Min, 1Hour or 1Day.</summary>
    public static Timeframe ParseInterval(string value) => RequestChecks.Interval(value);

    /// <summary>A price adjustment for <c>--adjustment</c>: split or raw.</summary>
    public static PriceAdjustment ParseAdjustment(string value) => RequestChecks.Adjustment(value);
}
