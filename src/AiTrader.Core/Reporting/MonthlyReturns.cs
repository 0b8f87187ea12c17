using AiTrader.Core.Backtesting;

namespace AiTrader.Core.Reporting;

/// <summary>One year of the monthly returns table: twelve compounded monthly returns (null where no session traded) and the year's.</summary>
/// <param name="Year">Calendar year of the New York session dates.</param>
/// <param name="Months">Index 0 = January; (1 + r₁)(1 + r₂)… − 1 over that month's daily returns.</param>
/// <param name="YearReturn">The year's daily returns compounded, which equals its months compounded.</param>
public sealed record MonthlyReturnRow(int Year, IReadOnlyList<double?> Months, double YearReturn);

/// <summary>Builds the monthly returns table from <see cref="PerformanceCalculator.DailyReturns"/>.</summary>
/// <remarks>Daily returns are already dated by New York session date, so a bar stamped 01:00Z on the 1st of a month
/// belongs to the previous month, as it does on the exchange's calendar. Compounding daily returns gives exactly
/// month-end equity / previous month-end equity − 1 (the first month relative to the initial capital).</remarks>
public static class MonthlyReturns
{
    /// <summary>One row per calendar year present in <paramref name="daily"/>, oldest first.</summary>
    public static IReadOnlyList<MonthlyReturnRow> Compute(IReadOnlyList<DailyReturn> daily)
    {
        ArgumentNullException.ThrowIfNull(daily);
        var rows = new List<MonthlyReturnRow>();
        foreach (var year in daily.GroupBy(d => d.Date.Year).OrderBy(g => g.Key))
        {
            var months = new double?[12];
            var yearGrowth = 1.0;
            foreach (var day in year)
            {
                var m = day.Date.Month - 1;
                months[m] = (1 + (months[m] ?? 0)) * (1 + day.Return) - 1;
                yearGrowth *= 1 + day.Return;
            }

            rows.Add(new MonthlyReturnRow(year.Key, months, yearGrowth - 1));
        }

        return rows;
    }

    /// <summary>Convenience: daily returns of <paramref name="equity"/> (see <see cref="PerformanceCalculator.DailyReturns"/>) then <see cref="Compute(IReadOnlyList{DailyReturn})"/>.</summary>
    public static IReadOnlyList<MonthlyReturnRow> Compute(decimal initialCapital, IReadOnlyList<EquityPoint> equity) =>
        Compute(PerformanceCalculator.DailyReturns(initialCapital, equity));
}
