using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.Tests.MarketData;

public sealed class SyntheticBarGeneratorTests
{
    private static readonly DateTime Start = new(2015, 12, 21, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Same_seed_same_bars_different_seed_different_bars()
    {
        var a = new SyntheticBarGenerator(42).Generate(Start, Timeframe.OneDay, 300, new TestCalendar());
        var b = new SyntheticBarGenerator(42).Generate(Start, Timeframe.OneDay, 300, new TestCalendar());
        var c = new SyntheticBarGenerator(43).Generate(Start, Timeframe.OneDay, 300, new TestCalendar());
        Assert.Equal(a.Bars, b.Bars);
        Assert.Equal(a.Regimes, b.Regimes);
        Assert.NotEqual(a.Bars, c.Bars);
    }

    [Theory]
    [InlineData(1440, 2000)]
    [InlineData(5, 3000)]
    [InlineData(1, 3000)]
    public void Bars_are_consistent_positive_and_in_cents(int minutes, int count)
    {
        var tf = Timeframe.All.Single(t => t.Minutes == minutes);
        var series = new SyntheticBarGenerator(7).Generate(Start, tf, count);
        Assert.Equal(count, series.Bars.Count);
        Assert.Equal(count, series.Regimes.Count);
        for (var i = 0; i < count; i++)
        {
            var bar = series.Bars[i];
            Assert.True(bar.IsConsistent, bar.ToString());
            Assert.True(bar.Open * 100 == decimal.Truncate(bar.Open * 100) && bar.Close * 100 == decimal.Truncate(bar.Close * 100));
            if (i > 0)
            {
                Assert.True(bar.Timestamp > series.Bars[i - 1].Timestamp);
            }
        }
    }

    [Fact]
    public void Daily_bars_fall_on_trading_days_at_the_open()
    {
        var calendar = new TestCalendar();
        var bars = new SyntheticBarGenerator(1).Generate(Start, Timeframe.OneDay, 10, calendar).Bars;
        var dates = bars.Select(b => ExchangeTime.SessionDate(b.Timestamp)).ToList();
        Assert.DoesNotContain(new DateOnly(2015, 12, 25), dates);
        Assert.All(bars, b => Assert.Equal(calendar.GetSession(ExchangeTime.SessionDate(b.Timestamp))!.OpenUtc, b.Timestamp));
        Assert.Equal(new DateOnly(2015, 12, 21), dates[0]);

        // Without a calendar: weekdays only.
        var weekdays = new SyntheticBarGenerator(1).Generate(Start, Timeframe.OneDay, 10).Bars;
        Assert.All(weekdays, b => Assert.False(ExchangeTime.SessionDate(b.Timestamp).DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday));
        Assert.Contains(weekdays, b => ExchangeTime.SessionDate(b.Timestamp) == new DateOnly(2015, 12, 25));
    }

    [Fact]
    public void Intraday_bars_stay_inside_the_session_including_early_close()
    {
        var calendar = new TestCalendar();
        var bars = new SyntheticBarGenerator(3).Generate(Start, Timeframe.ThirtyMinutes, 60, calendar).Bars;
        foreach (var bar in bars)
        {
            var session = calendar.GetSession(ExchangeTime.SessionDate(bar.Timestamp))!;
            Assert.InRange(bar.Timestamp, session.OpenUtc, session.CloseUtc.AddTicks(-1));
        }

        Assert.Equal(7, bars.Count(b => ExchangeTime.SessionDate(b.Timestamp) == new DateOnly(2015, 12, 24))); // 09:30..12:30
    }

    [Fact]
    public void Regimes_switch_and_differ_in_volatility()
    {
        var series = new SyntheticBarGenerator(11).Generate(Start, Timeframe.OneDay, 2000);
        var switches = series.Regimes.Zip(series.Regimes.Skip(1)).Count(p => p.First != p.Second);
        Assert.InRange(switches, 20, 400);
        Assert.Equal(3, series.Regimes.Distinct().Count());

        double Volatility(string regime)
        {
            var returns = Enumerable.Range(1, series.Bars.Count - 1)
                .Where(i => series.Regimes[i].Name == regime)
                .Select(i => Math.Log((double)(series.Bars[i].Close / series.Bars[i - 1].Close)))
                .ToList();
            var mean = returns.Average();
            return Math.Sqrt(returns.Sum(r => (r - mean) * (r - mean)) / (returns.Count - 1));
        }

        Assert.True(Volatility("volatile-down") > 2 * Volatility("calm-up"));
    }
}
