using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using static AiTrader.Core.Tests.MarketData.TestData;

namespace AiTrader.Core.Tests.MarketData;

public sealed class CsvBarSourceTests
{
    private readonly CsvBarSource _source = new(SampleRoot, new TestCalendar());

    [Fact]
    public async Task Daily_bars_are_split_adjusted_by_default_and_raw_on_request()
    {
        var day = DailyStamp(2014, 6, 6);
        var adjusted = await _source.GetBarsAsync(new BarRequest("AAPL", Timeframe.OneDay, day, day));
        Assert.Equal(23.0561m, Assert.Single(adjusted.Bars).Close);

        var raw = await _source.GetBarsAsync(new BarRequest("aapl", Timeframe.OneDay, day, day, PriceAdjustment.Raw));
        Assert.Equal(645.57m, Assert.Single(raw.Bars).Close);
        Assert.Equal(new Symbol("AAPL"), raw.Symbol);
    }

    [Fact]
    public async Task Range_is_inclusive_and_flags_are_limited_to_it()
    {
        var all = await _source.GetBarsAsync(new BarRequest("IBM", Timeframe.OneDay));
        Assert.Equal(5849, all.Bars.Count);
        var badPrint = DailyStamp(2002, 12, 23);
        Assert.True(all.IsFlagged(badPrint));
        Assert.Contains("159.58", all.Flags.Single(f => f.Timestamp == badPrint).Reason);

        var week = await _source.GetBarsAsync(new BarRequest("IBM", Timeframe.OneDay, DailyStamp(2002, 12, 20), DailyStamp(2002, 12, 27)));
        Assert.Equal(5, week.Bars.Count);
        Assert.Equal(DailyStamp(2002, 12, 20), week.Bars[0].Timestamp);
        Assert.Equal(DailyStamp(2002, 12, 27), week.Bars[^1].Timestamp);
        Assert.Single(week.Flags);

        var after = await _source.GetBarsAsync(new BarRequest("IBM", Timeframe.OneDay, DailyStamp(2002, 12, 24), DailyStamp(2002, 12, 31)));
        Assert.Empty(after.Flags);
    }

    [Fact]
    public async Task Intraday_timeframes_come_from_minute_data()
    {
        var oneMin = await _source.GetBarsAsync(new BarRequest("SPY", Timeframe.OneMinute, Utc("2013-10-07T13:30:00Z"), Utc("2013-10-07T13:34:00Z")));
        Assert.Equal(5, oneMin.Bars.Count);

        var hourly = await _source.GetBarsAsync(new BarRequest("SPY", Timeframe.OneHour, Utc("2013-10-07T00:00:00Z"), Utc("2013-10-08T00:00:00Z")));
        Assert.Equal(7, hourly.Bars.Count);
        Assert.Equal(Utc("2013-10-07T13:30:00Z"), hourly.Bars[0].Timestamp);
        Assert.Equal(Utc("2013-10-07T19:30:00Z"), hourly.Bars[^1].Timestamp);

        var daily = await _source.GetBarsAsync(new BarRequest("SPY", Timeframe.OneDay, DailyStamp(2013, 10, 7), DailyStamp(2013, 10, 7)));
        Assert.Equal(daily.Bars[0].Volume, hourly.Bars.Sum(b => b.Volume));
    }

    [Fact]
    public async Task Unknown_symbol_lists_what_is_available()
    {
        var e = await Assert.ThrowsAsync<MarketDataException>(() => _source.GetBarsAsync(new BarRequest("XYZ", Timeframe.OneDay)));
        Assert.StartsWith("unknown symbol 'XYZ' for 1Day", e.Message);
        Assert.Contains("daily", e.Message);
        Assert.Contains("available: AAA, AAPL, AIG", e.Message);

        var m = await Assert.ThrowsAsync<MarketDataException>(() => _source.GetBarsAsync(new BarRequest("QQQ", Timeframe.FiveMinutes)));
        Assert.Contains("QQQ has daily bars", m.Message);
        Assert.Contains("available: AAPL, AIG, BAC", m.Message);
    }

    [Fact]
    public void Available_symbols_per_timeframe()
    {
        Assert.Equal(21, _source.AvailableSymbols(Timeframe.OneDay).Count);
        Assert.Equal(
            ["AAPL", "AIG", "BAC", "FOXA", "GOOG", "IBM", "NWSA", "SHY", "SPY", "TWX"],
            _source.AvailableSymbols(Timeframe.FifteenMinutes).Select(s => s.Value));
    }

    [Fact]
    public async Task Concurrent_requests_share_one_parse()
    {
        var tasks = Enumerable.Range(0, 16)
            .Select(i => Task.Run(() => _source.GetBarsAsync(new BarRequest(i % 2 == 0 ? "SPY" : "BAC", Timeframe.OneDay))))
            .ToArray();
        var results = await Task.WhenAll(tasks);
        Assert.All(results, r => Assert.Equal(5849, r.Bars.Count));
    }

    [Fact]
    public void Locate_root_finds_the_bundled_data()
    {
        var root = SampleData.LocateRoot();
        Assert.True(File.Exists(Path.Combine(root, "daily", "SPY.csv")));
    }
}

/// <summary>Tests that change process environment variables; kept out of parallel runs.</summary>
[CollectionDefinition(nameof(EnvironmentVariableTests), DisableParallelization = true)]
public sealed class EnvironmentVariableTests
{
}

[Collection(nameof(EnvironmentVariableTests))]
public sealed class SampleDataEnvironmentTests
{
    [Fact]
    public void Environment_variable_overrides_and_a_wrong_one_is_reported()
    {
        var previous = Environment.GetEnvironmentVariable(SampleData.RootVariable);
        try
        {
            Environment.SetEnvironmentVariable(SampleData.RootVariable, SampleRoot);
            Assert.Equal(Path.GetFullPath(SampleRoot), SampleData.LocateRoot());

            Environment.SetEnvironmentVariable(SampleData.RootVariable, "/nonexistent/aitrader");
            var e = Assert.Throws<MarketDataException>(SampleData.LocateRoot);
            Assert.Contains("AITRADER_SAMPLE_DATA=/nonexistent/aitrader has no daily/ folder", e.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(SampleData.RootVariable, previous);
        }
    }
}
