using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Scanning;
using AiTrader.Core.Sessions;
using AiTrader.Core.Tests.MarketData;

namespace AiTrader.Core.Tests.Scanning;

/// <summary>Gap and RVOL against values worked by hand from the rows of data/sample/minute (sums of the volume column
/// over the stated bars; bar times are ET, each bar counts when it has closed by the window).</summary>
public sealed class GapAndRvolKnownAnswerTests
{
    private static readonly CsvBarSource Sample = new(TestData.SampleRoot, NyseCalendar.Instance);

    private static DateTime Et(int y, int m, int d, int h, int mi) => ExchangeTime.ToUtc(new DateOnly(y, m, d), new TimeOnly(h, mi));

    /// <summary>The bundled files are back-adjusted to 2021, so the scanner re-adjusts them as of each scan date.</summary>
    private static PremarketScanner Scanner(ScanOptions? options = null) =>
        new(Sample, NyseCalendar.Instance, options, splits: Sample.SplitsFor);

    private static async Task<ScanRow> Row(string symbol, DateOnly date, DateTime window, ScanOptions? options = null)
    {
        var refresh = await Scanner(options).ScanAsync(date, window, [new Symbol(symbol)]);
        return Assert.Single(refresh.Rows);
    }

    [Fact]
    public async Task Spy_at_0900_on_2013_10_08()
    {
        // Prior close: the 2013-10-07 15:59 bar closes at 167.42 (the daily bar's close too).
        // Today 04:00..08:59: 186 bars, the 08:59 bar closes at 167.52, their volumes sum to 1,264,434.
        // Past sessions with minute bars: 10-07 (230 bars 04:00..08:59, 1,867,326 shares) and 10-04 (174 bars, 938,926);
        // the 18 earlier calendar sessions have no minute file rows, so the average is over these two.
        var row = await Row("SPY", new DateOnly(2013, 10, 8), Et(2013, 10, 8, 9, 0));

        Assert.Equal(ScanRowStatus.Ranked, row.Status);
        Assert.Equal(167.42m, row.PriorClose);
        Assert.Equal(new DateOnly(2013, 10, 7), row.PriorCloseDate);
        Assert.Equal(167.52m, row.LastPrice);
        Assert.Equal(Et(2013, 10, 8, 8, 59), row.LastBarUtc);
        Assert.Equal(1_264_434m, row.Volume);
        Assert.Equal([new DateOnly(2013, 10, 7), new DateOnly(2013, 10, 4)], row.SessionDates);
        Assert.Equal(1_403_126m, row.AverageVolume); // (1,867,326 + 938,926) / 2
        Assert.Equal(167.52m / 167.42m - 1m, row.Gap);
        Assert.Equal(1_264_434m / 1_403_126m, row.Rvol);
        Assert.Equal(0.000597300m, Math.Round(row.Gap!.Value, 9));
        Assert.Equal(0.9012m, Math.Round(row.Rvol!.Value, 4));
        Assert.Equal(167.52m * 1_264_434m, row.DollarVolume);
        // Default score: 1 × 100 × |gap| + 1 × min(rvol, 10).
        Assert.Equal(100m * (167.52m / 167.42m - 1m) + 1_264_434m / 1_403_126m, row.Score);
    }

    [Fact]
    public async Task Rvol_agrees_with_the_streaming_relative_volume_indicator_when_its_lookback_is_full()
    {
        // The streaming indicator (extended hours, 2 sessions) fed SPY's bars up to the 08:59 bar gives the same RVOL
        // as the scan at 09:00: both compare cumulative volume from 04:00 with the same minute of 10-07 and 10-04.
        var bars = await Sample.GetBarsAsync(new BarRequest("SPY", Timeframe.OneMinute, Et(2013, 10, 4, 0, 0), Et(2013, 10, 8, 8, 59)));
        var indicator = new AiTrader.Core.Signals.Indicators.RelativeVolume(Timeframe.OneMinute, lookbackSessions: 2, extendedHours: true);
        foreach (var bar in bars.Bars)
        {
            indicator.Update(bar);
        }

        var row = await Row("SPY", new DateOnly(2013, 10, 8), Et(2013, 10, 8, 9, 0));
        Assert.Equal(indicator.Value!.Value, (double)row.Rvol!.Value, 12);
    }

    [Fact]
    public async Task Only_bars_closed_by_the_window_count()
    {
        // At 04:05 only the 04:00 bar has closed on 10-08 (close 167.42, 210 shares; the 04:05 bar is not in).
        // 10-07 had 5 bars by 04:05 (17,590 shares); 10-04's first bar is at 04:06, so it adds 0 — a quiet
        // premarket, not a missing session.
        var row = await Row("SPY", new DateOnly(2013, 10, 8), Et(2013, 10, 8, 4, 5));

        Assert.Equal(210m, row.Volume);
        Assert.Equal(Et(2013, 10, 8, 4, 0), row.LastBarUtc);
        Assert.Equal(8_795m, row.AverageVolume);
        Assert.Equal(210m / 8_795m, row.Rvol);
        Assert.Equal(0m, row.Gap);
    }

    [Fact]
    public async Task Before_the_first_premarket_bar_the_last_price_is_the_prior_after_hours()
    {
        // At 04:00 nothing of 10-08 has closed; SPY's last 10-07 bar is after hours, so it prices the gap, and no
        // session has volume by 04:00, so RVOL is undefined rather than 0/0.
        var row = await Row("SPY", new DateOnly(2013, 10, 8), Et(2013, 10, 8, 4, 0));

        Assert.Equal(ScanRowStatus.Ranked, row.Status);
        Assert.Equal(0m, row.Volume);
        Assert.Null(row.Rvol);
        Assert.Equal(0m, row.AverageVolume);
        Assert.Contains("after-hours", row.Note);
        Assert.True(row.LastBarUtc >= Et(2013, 10, 7, 16, 0) && row.LastBarUtc < Et(2013, 10, 7, 20, 0));
    }

    [Fact]
    public async Task Aapl_on_its_7_for_1_split_day_compares_on_the_new_basis()
    {
        // 2014-06-09 is AAPL's 7:1 ex-date. Prior close: 2014-06-06 15:59 bar 645.57 → 645.57 / 7 = 92.2243 (4 dp).
        // Today by 09:00: the 08:59 bar closes at 92.05; 194 bars, 991,488 shares (already on the new basis).
        // Past: 06-06 105,777 × 7 = 740,439 and 06-05 88,013 × 7 = 616,091 shares; mean 678,265.
        var row = await Row("AAPL", new DateOnly(2014, 6, 9), Et(2014, 6, 9, 9, 0));

        Assert.Equal(92.2243m, row.PriorClose);
        Assert.Equal(92.05m, row.LastPrice);
        Assert.Equal(991_488m, row.Volume);
        Assert.Equal(678_265m, row.AverageVolume);
        Assert.Equal(92.05m / 92.2243m - 1m, row.Gap);
        Assert.Equal(991_488m / 678_265m, row.Rvol);
        Assert.Equal(-0.00189, (double)row.Gap!.Value, 5);
        Assert.Equal(1.4618, (double)row.Rvol!.Value, 4);
    }

    [Fact]
    public async Task After_a_half_day_the_prior_close_is_its_13_00_close()
    {
        // 2015-12-24 closed at 13:00; GOOG's last regular bar that day is at 12:59, close 748.40.
        // By 09:00 on 12-28: 19 bars (04:20..08:56), last close 750.00, 3,860 shares.
        // Past at 09:00: 12-24 (2 premarket bars, both at 09:28: 0 shares by 09:00) and 12-23 (17 bars, 2,431).
        var row = await Row("GOOG", new DateOnly(2015, 12, 28), Et(2015, 12, 28, 9, 0));

        Assert.Equal(748.40m, row.PriorClose);
        Assert.Equal(new DateOnly(2015, 12, 24), row.PriorCloseDate);
        Assert.Equal(750.00m / 748.40m - 1m, row.Gap);
        Assert.Equal([new DateOnly(2015, 12, 24), new DateOnly(2015, 12, 23)], row.SessionDates);
        Assert.Equal(1_215.5m, row.AverageVolume);
        Assert.Equal(3_860m / 1_215.5m, row.Rvol);
    }

    [Fact]
    public async Task A_half_day_is_skipped_for_a_window_after_its_close()
    {
        // At 14:00 the 12-24 half day (closed 13:00) cannot be compared: it is skipped, not averaged as a full day.
        // 12-28 by 14:00: 290 bars, 799,729 shares; 12-23 by 14:00: 296 bars, 862,357 shares.
        var options = new ScanOptions(MinSessions: 1);
        var row = await Row("GOOG", new DateOnly(2015, 12, 28), Et(2015, 12, 28, 14, 0), options);

        Assert.Equal([new DateOnly(2015, 12, 23)], row.SessionDates);
        Assert.Equal(799_729m, row.Volume);
        Assert.Equal(862_357m, row.AverageVolume);
        Assert.Equal(799_729m / 862_357m, row.Rvol);
        Assert.Contains("2015-12-24", row.Note);

        // With the default minimum of two sessions the same row is "too little history", not ranked on one day.
        var strict = await Row("GOOG", new DateOnly(2015, 12, 28), Et(2015, 12, 28, 14, 0));
        Assert.Equal(ScanRowStatus.InsufficientHistory, strict.Status);
        Assert.Null(strict.Rank);
        Assert.Null(strict.Rvol);
        Assert.StartsWith("1 past session(s) with minute bars", strict.Note);
    }

    [Fact]
    public async Task Symbols_without_data_say_why_instead_of_ranking()
    {
        var scanner = Scanner();
        var refresh = await scanner.ScanAsync(new DateOnly(2013, 10, 8), Et(2013, 10, 8, 9, 0), ["SPY", "FOXA", "ZZZZ"]);

        Assert.Equal(3, refresh.UniverseSize);
        Assert.Equal("SPY", refresh.Rows[0].Symbol.Value);
        Assert.Equal(1, refresh.Rows[0].Rank);
        var foxa = refresh.Rows.Single(r => r.Symbol.Value == "FOXA");
        Assert.Equal(ScanRowStatus.NoData, foxa.Status);
        Assert.Contains("no close for the prior session 2013-10-07", foxa.Note);
        var unknown = refresh.Rows.Single(r => r.Symbol.Value == "ZZZZ");
        Assert.Equal(ScanRowStatus.Error, unknown.Status);
        Assert.Single(refresh.Errors);
    }

    [Fact]
    public async Task Filters_and_direction_remove_rows_with_a_reason()
    {
        var date = new DateOnly(2013, 10, 8);
        var window = Et(2013, 10, 8, 9, 0);
        Assert.Equal(ScanRowStatus.Filtered, (await Row("SPY", date, window, new ScanOptions(MaxPrice: 100m))).Status);
        Assert.Contains("price 167.52 above 100", (await Row("SPY", date, window, new ScanOptions(MaxPrice: 100m))).Note);
        Assert.Equal(ScanRowStatus.Filtered, (await Row("SPY", date, window, new ScanOptions(Direction: GapDirection.Down))).Status);
        Assert.Equal(ScanRowStatus.Filtered, (await Row("SPY", date, window, new ScanOptions(MinRvol: 1m))).Status);
        Assert.Equal(ScanRowStatus.Ranked, (await Row("SPY", date, window, new ScanOptions(MinRvol: 0.9m, MinPrice: 100m))).Status);
        Assert.Equal(ScanRowStatus.Filtered, (await Row("SPY", date, window, new ScanOptions(MinDollarVolume: 1_000_000_000m))).Status);
    }

    [Fact]
    public async Task Trend_filters_read_the_daily_kalman_as_of_the_prior_close()
    {
        var row = await Row("SPY", new DateOnly(2013, 10, 8), Et(2013, 10, 8, 9, 0), new ScanOptions(MinProbUp: 0.0));
        Assert.NotNull(row.ProbUp);
        Assert.NotNull(row.Regime);

        // The same numbers as the signal pipeline over the daily bars up to 2013-10-07 (not the 10-08 bar).
        var daily = await Sample.GetBarsAsync(new BarRequest("SPY", Timeframe.OneDay, null, ExchangeTime.EndOfDateUtc(new DateOnly(2013, 10, 7))));
        var expected = AiTrader.Core.Signals.SignalPipeline.Run(daily.Bars.Where(b => b.Timestamp >= ExchangeTime.StartOfDateUtc(new DateOnly(2011, 10, 7))).ToList(), Timeframe.OneDay)[^1];
        Assert.Equal(expected.ProbabilityUp, row.ProbUp!.Value, 12);
        Assert.Equal(expected.Regime, row.Regime);
    }
}
