using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using static AiTrader.Core.Tests.MarketData.TestData;

namespace AiTrader.Core.Tests.MarketData;

public sealed class BarResamplerTests
{
    private static readonly TestCalendar Calendar = new();

    // 2020-01-02 is under EST: 09:30 ET = 14:30Z.
    private static readonly Bar[] Hand =
    [
        Minute("2020-01-02T13:00:00Z", 9, 9, 9, 9, 5),          // 08:00 ET pre-market
        Minute("2020-01-02T14:30:00Z", 10, 11, 9.5m, 10.5m, 100), // 09:30
        Minute("2020-01-02T14:31:00Z", 10.5m, 12, 10, 11, 200),
        Minute("2020-01-02T14:34:00Z", 11, 11.5m, 8, 9, 300),
        Minute("2020-01-02T14:35:00Z", 9, 9.5m, 8.5m, 9.2m, 400),  // 09:35
        Minute("2020-01-02T15:29:00Z", 9.2m, 9.3m, 9.1m, 9.3m, 10), // 10:29
        Minute("2020-01-02T15:30:00Z", 9.3m, 9.4m, 9.2m, 9.4m, 20), // 10:30
        Minute("2020-01-02T20:59:00Z", 9.4m, 9.6m, 9.4m, 9.5m, 30), // 15:59
        Minute("2020-01-02T21:05:00Z", 9.5m, 9.5m, 9.5m, 9.5m, 7),  // 16:05 after-hours
    ];

    [Fact]
    public void Five_minute_buckets_from_hand_built_bars()
    {
        var bars = BarResampler.Resample(Hand, Timeframe.FiveMinutes, Calendar);
        Assert.Equal(
        [
            new Bar(Utc("2020-01-02T14:30:00Z"), 10, 12, 8, 9, 600),
            new Bar(Utc("2020-01-02T14:35:00Z"), 9, 9.5m, 8.5m, 9.2m, 400),
            new Bar(Utc("2020-01-02T15:25:00Z"), 9.2m, 9.3m, 9.1m, 9.3m, 10),
            new Bar(Utc("2020-01-02T15:30:00Z"), 9.3m, 9.4m, 9.2m, 9.4m, 20),
            new Bar(Utc("2020-01-02T20:55:00Z"), 9.4m, 9.6m, 9.4m, 9.5m, 30),
        ], bars);
    }

    [Fact]
    public void Hourly_buckets_start_at_half_past_and_the_last_is_half_an_hour()
    {
        var bars = BarResampler.Resample(Hand, Timeframe.OneHour, Calendar);
        Assert.Equal(
        [
            new Bar(Utc("2020-01-02T14:30:00Z"), 10, 12, 8, 9.3m, 1010),
            new Bar(Utc("2020-01-02T15:30:00Z"), 9.3m, 9.4m, 9.2m, 9.4m, 20),
            new Bar(Utc("2020-01-02T20:30:00Z"), 9.4m, 9.6m, 9.4m, 9.5m, 30),
        ], bars);
    }

    [Fact]
    public void Daily_bar_is_the_regular_session_unless_extended()
    {
        var regular = Assert.Single(BarResampler.Resample(Hand, Timeframe.OneDay, Calendar));
        Assert.Equal(new Bar(Utc("2020-01-02T14:30:00Z"), 10, 12, 8, 9.5m, 1060), regular);

        var extended = Assert.Single(BarResampler.Resample(Hand, Timeframe.OneDay, Calendar, includeExtendedHours: true));
        Assert.Equal(new Bar(Utc("2020-01-02T14:30:00Z"), 9, 12, 8, 9.5m, 1072), extended);
    }

    [Fact]
    public void Extended_hours_get_their_own_buckets_on_the_half_hour_grid()
    {
        var bars = BarResampler.Resample(Hand, Timeframe.OneHour, Calendar, includeExtendedHours: true);
        Assert.Equal(
            [Utc("2020-01-02T12:30:00Z"), Utc("2020-01-02T14:30:00Z"), Utc("2020-01-02T15:30:00Z"), Utc("2020-01-02T20:30:00Z"), Utc("2020-01-02T21:00:00Z")],
            bars.Select(b => b.Timestamp));
        Assert.Equal(5m, bars[0].Volume);   // 07:30–08:30 ET pre-market bucket
        Assert.Equal(30m, bars[3].Volume);  // 15:30–16:00, regular only
        Assert.Equal(7m, bars[4].Volume);   // 16:00–16:30 after-hours, clamped to the close
    }

    [Fact]
    public void Bars_on_non_trading_days_are_dropped()
    {
        Bar[] holiday = [Minute("2015-12-25T15:00:00Z", 1, 1, 1, 1, 1), Minute("2015-12-25T15:01:00Z", 1, 1, 1, 1, 1)];
        Assert.Empty(BarResampler.Resample(holiday, Timeframe.OneDay, Calendar, includeExtendedHours: true));
    }

    [Fact]
    public void Spy_regular_session_day_matches_the_daily_file()
    {
        var minute = CsvBarParser.ParseFile(Minute("SPY"));
        var daily = CsvBarParser.ParseFile(Daily("SPY"));
        var resampled = BarResampler.Resample(minute, Timeframe.OneDay, Calendar);
        var expected = At(daily, DailyStamp(2013, 10, 7));
        Assert.Equal(expected, At(resampled, expected.Timestamp));
    }

    [Fact]
    public void Aapl_split_day_regular_session_matches_the_daily_file()
    {
        var resampled = BarResampler.Resample(CsvBarParser.ParseFile(Minute("AAPL")), Timeframe.OneDay, Calendar);
        var expected = At(CsvBarParser.ParseFile(Daily("AAPL")), DailyStamp(2014, 6, 9));
        Assert.Equal(expected, At(resampled, expected.Timestamp));
    }

    [Fact]
    public void Goog_early_close_has_no_regular_bar_after_13_00()
    {
        var minute = CsvBarParser.ParseFile(Minute("GOOG"));
        var closeUtc = ExchangeTime.ToUtc(new DateOnly(2015, 12, 24), new TimeOnly(13, 0));
        Assert.Contains(minute, b => b.Timestamp >= closeUtc && ExchangeTime.SessionDate(b.Timestamp) == new DateOnly(2015, 12, 24));

        foreach (var tf in new[] { Timeframe.FiveMinutes, Timeframe.ThirtyMinutes, Timeframe.OneHour })
        {
            var day = BarResampler.Resample(minute, tf, Calendar).Where(b => ExchangeTime.SessionDate(b.Timestamp) == new DateOnly(2015, 12, 24)).ToList();
            Assert.NotEmpty(day);
            Assert.All(day, b => Assert.True(b.Timestamp < closeUtc));
        }

        // The 12:30 hourly bar is cut at 13:00 and holds only the last half hour of regular trading.
        var hourly = BarResampler.Resample(minute, Timeframe.OneHour, Calendar);
        var last = hourly.Last(b => ExchangeTime.SessionDate(b.Timestamp) == new DateOnly(2015, 12, 24));
        Assert.Equal(ExchangeTime.ToUtc(new DateOnly(2015, 12, 24), new TimeOnly(12, 30)), last.Timestamp);
        var expectedVolume = minute.Where(b => b.Timestamp >= last.Timestamp && b.Timestamp < closeUtc).Sum(b => b.Volume);
        Assert.Equal(expectedVolume, last.Volume);

        var extended = BarResampler.Resample(minute, Timeframe.OneHour, Calendar, includeExtendedHours: true);
        Assert.Contains(extended, b => b.Timestamp == closeUtc); // after-hours bucket starts at the early close
    }

    [Fact]
    public void After_hours_bar_on_the_next_utc_date_belongs_to_its_new_york_session()
    {
        var minute = CsvBarParser.ParseFile(Minute("GOOG"));
        var late = At(minute, Utc("2015-12-29T00:46:00Z"));

        var regularDays = BarResampler.Resample(minute, Timeframe.OneDay, Calendar);
        Assert.Equal(3, regularDays.Count);
        Assert.NotEqual(late.Close, regularDays[^1].Close); // dropped by default

        var days = BarResampler.Resample(minute, Timeframe.OneDay, Calendar, includeExtendedHours: true);
        Assert.Equal(3, days.Count);
        Assert.Equal(ExchangeTime.ToUtc(new DateOnly(2015, 12, 28), new TimeOnly(9, 30)), days[^1].Timestamp);
        Assert.Equal(late.Close, days[^1].Close);

        var hourly = BarResampler.Resample(minute, Timeframe.OneHour, Calendar, includeExtendedHours: true);
        Assert.Equal(Utc("2015-12-29T00:30:00Z"), hourly[^1].Timestamp); // 19:30 ET on 2015-12-28
    }

    [Fact]
    public void Premarket_is_dropped_by_default_and_kept_apart_when_extended()
    {
        var minute = CsvBarParser.ParseFile(Minute("SPY"));
        var open = ExchangeTime.ToUtc(new DateOnly(2013, 10, 7), new TimeOnly(9, 30));
        var premarket = minute.Where(b => ExchangeTime.SessionDate(b.Timestamp) == new DateOnly(2013, 10, 7) && b.Timestamp < open).ToList();
        Assert.NotEmpty(premarket);

        var regular = BarResampler.Resample(minute, Timeframe.ThirtyMinutes, Calendar);
        Assert.DoesNotContain(regular, b => ExchangeTime.SessionDate(b.Timestamp) == new DateOnly(2013, 10, 7) && b.Timestamp < open);

        var extended = BarResampler.Resample(minute, Timeframe.ThirtyMinutes, Calendar, includeExtendedHours: true);
        var preBuckets = extended.Where(b => ExchangeTime.SessionDate(b.Timestamp) == new DateOnly(2013, 10, 7) && b.Timestamp < open).ToList();
        Assert.Equal(premarket.Sum(b => b.Volume), preBuckets.Sum(b => b.Volume));
        Assert.Equal(At(regular, open), At(extended, open)); // the opening bucket holds no pre-market minute
    }

    [Trait("Category", "Slow")]
    [Theory]
    [InlineData("SPY")]
    [InlineData("GOOG")]
    [InlineData("SHY")]
    [InlineData("AAPL")]
    [InlineData("TWX")]
    public void A_bucket_never_mixes_sessions_or_segments(string symbol)
    {
        var minute = CsvBarParser.ParseFile(Minute(symbol));
        foreach (var tf in new[] { Timeframe.FiveMinutes, Timeframe.FifteenMinutes, Timeframe.ThirtyMinutes, Timeframe.OneHour })
        {
            var bars = BarResampler.Resample(minute, tf, Calendar, includeExtendedHours: true);

            // Rebuild each bucket's volume from the minutes between its start and the next bucket's start (or its
            // segment end): equal sums mean no minute of another session or segment leaked in.
            for (var i = 0; i < bars.Count; i++)
            {
                var start = bars[i].Timestamp;
                var session = Calendar.GetSession(ExchangeTime.SessionDate(start))!;
                var segmentEnd = start < session.OpenUtc ? session.OpenUtc : start < session.CloseUtc ? session.CloseUtc : session.AfterHoursCloseUtc;
                var end = new[] { segmentEnd, start + tf.Duration, i + 1 < bars.Count ? bars[i + 1].Timestamp : DateTime.MaxValue }.Min();
                var volume = minute.Where(b => b.Timestamp >= start && b.Timestamp < end).Sum(b => b.Volume);
                Assert.Equal(volume, bars[i].Volume);
                Assert.True(bars[i].IsConsistent);
            }
        }
    }

    [Fact]
    public void Rejects_bars_that_are_not_one_minute()
    {
        Bar[] fiveMinute =
        [
            Minute("2020-01-02T14:30:00Z", 1, 1, 1, 1, 1),
            Minute("2020-01-02T14:35:00Z", 1, 1, 1, 1, 1),
            Minute("2020-01-02T14:40:00Z", 1, 1, 1, 1, 1),
        ];
        Assert.Throws<ArgumentException>(() => BarResampler.Resample(fiveMinute, Timeframe.OneHour, Calendar));
        Assert.Throws<ArgumentException>(() => BarResampler.Resample([Hand[2], Hand[1]], Timeframe.OneHour, Calendar));
    }

    [Fact]
    public void Target_one_minute_returns_the_session_filtered_copy()
    {
        var copy = BarResampler.Resample(Hand, Timeframe.OneMinute, Calendar);
        Assert.Equal(Hand[1..8], copy);
    }
}
