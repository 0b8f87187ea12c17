using System.Globalization;
using AiTrader.Core.Backtesting;
using AiTrader.Core.Reporting;

namespace AiTrader.Application.Backtests;

/// <summary>The monthly returns table of a finished run, from the equity curve it wrote (<c>equity.csv</c>, or a
/// walk-forward's <c>oos_equity.csv</c>): the same <see cref="MonthlyReturns"/> the HTML report shows.</summary>
public static class MonthlyReturnsFile
{
    /// <summary>Reads <c>timestamp,equity</c> rows and compounds their New York session-date returns by month.</summary>
    /// <exception cref="InvalidDataException">The file is not an equity curve (its line is named).</exception>
    public static async Task<IReadOnlyList<MonthlyReturnRow>> ComputeAsync(string equityCsv, decimal initialCapital, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(equityCsv);
        var points = new List<EquityPoint>();
        using var reader = new StreamReader(equityCsv);
        var header = await reader.ReadLineAsync(ct).ConfigureAwait(false);
        if (header is null || !header.StartsWith("timestamp,equity", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{Path.GetFileName(equityCsv)} does not start with timestamp,equity.");
        }

        var line = 1;
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } text)
        {
            line++;
            if (text.Length == 0)
            {
                continue;
            }

            var comma = text.IndexOf(',', StringComparison.Ordinal);
            var end = comma < 0 ? -1 : text.IndexOf(',', comma + 1);
            if (comma < 0
                || !DateTime.TryParse(text.AsSpan(0, comma), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time)
                || !decimal.TryParse(end < 0 ? text.AsSpan(comma + 1) : text.AsSpan(comma + 1, end - comma - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var equity))
            {
                throw new InvalidDataException($"{Path.GetFileName(equityCsv)} line {line} is not timestamp,equity.");
            }

            points.Add(new EquityPoint(time, equity, 0m));
        }

        return MonthlyReturns.Compute(initialCapital, points);
    }
}
