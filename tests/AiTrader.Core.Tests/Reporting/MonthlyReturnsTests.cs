using AiTrader.Core.Backtesting;
using AiTrader.Core.Reporting;

namespace AiTrader.Core.Tests.Reporting;

public sealed class MonthlyReturnsTests
{
    private static EquityPoint P(string utc, decimal equity) =>
        new(DateTime.Parse(utc, null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal), equity, 0);

    [Fact]
    public void Three_months_compound_to_hand_computed_values_by_new_york_month()
    {
        // Hand values (initial 100,000):
        //   Jan: 110,000 / 100,000 − 1 = +10%   (via 105,000 mid-month: 1.05 × 1.047619… = 1.10)
        //   Feb: 104,500 / 110,000 − 1 = −5%    (via 99,000: 0.9 × 1.0555… = 0.95)
        //        The 02:00Z 1 March point is 21:00 ET on 28 February, so it closes February; were months taken in
        //        UTC, February would end at 99,000 (−10%) and March would start from there.
        //   Mar: 114,950 / 104,500 − 1 = +10%   (via 120,000 on 15 March, after the switch to EDT)
        //   Year: 114,950 / 100,000 − 1 = +14.95% = 1.10 × 0.95 × 1.10 − 1
        var equity = new[]
        {
            P("2023-01-03T21:00:00Z", 105_000m),
            P("2023-01-31T21:00:00Z", 110_000m),
            P("2023-02-15T21:00:00Z", 99_000m),
            P("2023-03-01T02:00:00Z", 104_500m),
            P("2023-03-15T20:00:00Z", 120_000m),
            P("2023-03-31T20:00:00Z", 114_950m),
        };

        var rows = MonthlyReturns.Compute(100_000m, equity);

        var row = Assert.Single(rows);
        Assert.Equal(2023, row.Year);
        Assert.Equal(0.10, row.Months[0]!.Value, 12);
        Assert.Equal(-0.05, row.Months[1]!.Value, 12);
        Assert.Equal(0.10, row.Months[2]!.Value, 12);
        Assert.All(row.Months.Skip(3), m => Assert.Null(m));
        Assert.Equal(0.1495, row.YearReturn, 12);
    }

    [Fact]
    public void Years_get_their_own_rows_and_chain_from_the_previous_year_end()
    {
        var equity = new[]
        {
            P("2022-12-30T21:00:00Z", 90_000m),
            P("2023-01-03T21:00:00Z", 99_000m),
        };

        var rows = MonthlyReturns.Compute(100_000m, equity);

        Assert.Equal([2022, 2023], rows.Select(r => r.Year));
        Assert.Equal(-0.10, rows[0].Months[11]!.Value, 12);
        Assert.Equal(-0.10, rows[0].YearReturn, 12);
        Assert.Equal(0.10, rows[1].Months[0]!.Value, 12);
        Assert.Equal(0.10, rows[1].YearReturn, 12);
    }

    [Fact]
    public void No_equity_gives_no_rows() => Assert.Empty(MonthlyReturns.Compute(100m, []));
}
