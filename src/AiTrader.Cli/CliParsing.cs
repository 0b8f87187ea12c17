using System.Globalization;

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
}
