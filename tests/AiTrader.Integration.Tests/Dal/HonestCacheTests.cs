using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using AiTrader.Integration.Tests.Vendors.Fakes;
using AiTrader.MarketData;
using AiTrader.MarketData.Dal;
using static AiTrader.Integration.Tests.Dal.DalFakes;

namespace AiTrader.Integration.Tests.Dal;

/// <summary>Issue 11, items 1, 2 and 5: the cache never keeps a vendor's short answer as final, never refuses a real
/// price because of float noise, and keeps the good month slices of an Alpha Vantage fetch cut off by the daily quota.</summary>
public sealed class HonestCacheTests : IAsyncLifetime
{
    private readonly FixedClock _clock = new(new DateTimeOffset(2024, 1, 2, 12, 0, 0, TimeSpan.Zero));
    private DalFakes _fakes = null!;

    public async Task InitializeAsync() => _fakes = await StartAsync();

    public async Task DisposeAsync() => await _fakes.DisposeAsync();

    private MarketDataDal Dal() => _fakes.Dal(new MarketDataDalOptions { TimeProvider = _clock });

    [Fact]
    public async Task An_empty_answer_for_a_range_with_sessions_is_not_cached_as_final()
    {
        foreach (var fake in new FakeVendorServer[] { _fakes.AlphaVantage, _fakes.Yahoo, _fakes.TwelveData })
        {
            fake.Mode = FakeMode.Empty;
        }

        await using var dal = Dal();
        var (start, end) = Days(Monday, Monday);
        var empty = await dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "alphavantage", start, end);

        Assert.Empty(empty.Bars);
        Assert.Contains(empty.Warnings, w => w.Contains("provisional", StringComparison.Ordinal) && w.Contains("1 session", StringComparison.Ordinal));

        foreach (var fake in new FakeVendorServer[] { _fakes.AlphaVantage, _fakes.Yahoo, _fakes.TwelveData })
        {
            fake.Mode = FakeMode.Normal;
        }

        _clock.Now += TimeSpan.FromHours(1);
        var later = await dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "alphavantage", start, end);

        Assert.Equal("alphavantage", later.Vendor);
        Assert.Equal(Session(Monday).Count, later.Bars.Count);
        Assert.Equal(2, _fakes.AlphaVantage.RequestCount);
    }

    [Fact]
    public async Task A_wider_fetch_does_not_merge_around_an_empty_answer_and_leave_a_hole()
    {
        _fakes.AlphaVantage.Mode = FakeMode.Empty;
        _fakes.AlphaVantage.FailTimes = 1;
        await using var dal = Dal();
        var (monStart, monEnd) = Days(Monday, Monday);
        await dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "alphavantage", monStart, monEnd);

        _clock.Now += TimeSpan.FromHours(1);
        var (start, end) = Days(Monday, Tuesday);
        var wide = await dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "alphavantage", start, end);

        Assert.Equal("alphavantage", wide.Vendor);
        Assert.Equal(Session(Monday).Count + Session(Tuesday).Count, wide.Bars.Count);
        Assert.Equal(Session(Monday)[0].Timestamp, wide.Bars[0].Timestamp);
    }

    [Fact]
    public async Task An_empty_answer_for_a_day_without_a_session_stays_cached()
    {
        await using var dal = Dal();
        var saturday = new DateOnly(2013, 10, 5);
        var (start, end) = Days(saturday, saturday);
        var first = await dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "alphavantage", start, end);
        var requests = _fakes.AlphaVantage.RequestCount + _fakes.Yahoo.RequestCount + _fakes.TwelveData.RequestCount;

        _clock.Now += TimeSpan.FromDays(30);
        var again = await dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "alphavantage", start, end);

        Assert.Empty(first.Bars);
        Assert.Empty(again.Bars);
        Assert.Equal(requests, _fakes.AlphaVantage.RequestCount + _fakes.Yahoo.RequestCount + _fakes.TwelveData.RequestCount);
        Assert.DoesNotContain(again.Warnings, w => w.Contains("provisional", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Yahoo_float_noise_is_cached_rounded_to_the_tick_instead_of_failing_the_fetch()
    {
        _fakes.Yahoo.BodyOverride = "{\"chart\":{\"result\":[{\"meta\":{\"exchangeTimezoneName\":\"America/New_York\"},\"timestamp\":[1381152600],"
            + "\"indicators\":{\"quote\":[{\"open\":[322.53500010000005],\"high\":[323.1099853515625],\"low\":[321.9200134277344],\"close\":[322.67999267578125],\"volume\":[1000]}]}}],\"error\":null}}";
        await using var dal = Dal();
        var (start, end) = Days(Monday, Monday);

        var batch = await dal.FetchBarsAsync("SPY", Timeframe.OneDay, "yahoo", start, end);
        var again = await dal.FetchBarsAsync("SPY", Timeframe.OneDay, "yahoo", start, end);

        Assert.Equal(322.535m, Assert.Single(batch.Bars).Open);
        Assert.Equal(CacheOutcome.Miss, batch.Cache);
        Assert.Equal(CacheOutcome.Full, again.Cache);
        Assert.Equal(batch.Bars, again.Bars);
    }

    /// <summary>The bundled Monday session moved to another weekday in another month (same wall-clock times, both EDT).</summary>
    private static IEnumerable<Bar> Moved(DateOnly to) =>
        Session(Monday).Select(b => b with { Timestamp = b.Timestamp.AddDays(to.DayNumber - Monday.DayNumber) });

    [Fact]
    public async Task Alpha_vantage_quota_ending_mid_way_keeps_the_good_month_slices_and_is_not_retried()
    {
        var august = new DateOnly(2013, 8, 7);
        var september = new DateOnly(2013, 9, 9);
        var av = _fakes.AlphaVantage;
        av.MinuteBars.Clear();
        av.MinuteBars.AddRange([.. Moved(august), .. Moved(september), .. Session(Monday)]);
        av.PassTimes = 2;
        av.Mode = FakeMode.RateLimitBody; // "25 requests per day" on the third (October) slice
        _fakes.Yahoo.Mode = FakeMode.ServerError;
        _fakes.TwelveData.Mode = FakeMode.ServerError;
        await using var dal = Dal();
        var start = ExchangeTime.ToUtc(new DateOnly(2013, 8, 1), TimeOnly.MinValue);
        var end = ExchangeTime.ToUtc(new DateOnly(2013, 11, 1), TimeOnly.MinValue).AddTicks(-10);

        var partial = await dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "alphavantage", start, end);

        Assert.Equal("alphavantage", partial.Vendor);
        Assert.Equal(2 * Session(Monday).Count, partial.Bars.Count);
        Assert.Equal(3, av.RequestCount); // Aug, Sep, then the quota answer once: never retried
        Assert.Contains(partial.Warnings, w => w.Contains("quota", StringComparison.OrdinalIgnoreCase));

        av.Mode = FakeMode.Normal;
        _clock.Now += TimeSpan.FromDays(1);
        var rest = await dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "alphavantage", start, end);

        Assert.Equal(3 * Session(Monday).Count, rest.Bars.Count);
        Assert.Equal(4, av.RequestCount);
        Assert.Contains("month=2013-10", av.Requests.Last());
    }
}
