using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Integration.Tests.Vendors.Fakes;
using AiTrader.MarketData;
using AiTrader.MarketData.Dal;
using static AiTrader.Integration.Tests.Dal.DalFakes;

namespace AiTrader.Integration.Tests.Dal;

public sealed class MarketDataDalTests : IAsyncLifetime
{
    private DalFakes _fakes = null!;

    public async Task InitializeAsync() => _fakes = await StartAsync();

    public async Task DisposeAsync() => await _fakes.DisposeAsync();

    [Fact]
    public async Task Alpha_vantage_fetch_is_a_miss_then_a_full_hit_without_a_request()
    {
        await using var dal = _fakes.Dal();
        var (start, end) = Days(Monday, Monday);

        var first = await dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "alphavantage", start, end);

        Assert.Equal("alphavantage", first.Vendor);
        Assert.Equal(CacheOutcome.Miss, first.Cache);
        Assert.Equal(Session(Monday).Count, first.Bars.Count);
        Assert.Equal(Session(Monday)[0].Timestamp, first.Bars[0].Timestamp);
        Assert.Single(first.FetchedRanges);
        Assert.Null(Assert.Single(first.Attempts).Error);
        Assert.Equal(1, _fakes.AlphaVantage.RequestCount);

        var second = await dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "alphavantage", start, end);

        Assert.Equal(CacheOutcome.Full, second.Cache);
        Assert.Equal("alphavantage", second.Vendor);
        Assert.Empty(second.FetchedRanges);
        Assert.Equal(1, _fakes.AlphaVantage.RequestCount);
        Assert.Equal(first.Bars, second.Bars);
    }

    [Fact]
    public async Task Widened_range_is_partial_and_asks_only_for_the_missing_range()
    {
        await using var dal = _fakes.Dal();
        var (monStart, monEnd) = Days(Monday, Monday);
        await dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "yahoo", monStart, monEnd);
        Assert.Equal(1, _fakes.Yahoo.RequestCount);

        var (start, end) = Days(Monday, Tuesday);
        var widened = await dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "yahoo", start, end);

        Assert.Equal(CacheOutcome.Partial, widened.Cache);
        Assert.Equal(Session(Monday).Count + Session(Tuesday).Count, widened.Bars.Count);
        var gap = Assert.Single(widened.FetchedRanges);
        Assert.True(gap.Start > monEnd, $"gap {gap} should start after the cached Monday");
        Assert.Equal(2, _fakes.Yahoo.RequestCount);
        var query = _fakes.Yahoo.Requests.Last();
        var period1 = long.Parse(query.Split("period1=")[1].Split('&')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(period1 >= new DateTimeOffset(monEnd).ToUnixTimeSeconds(), $"second request {query} re-asked for Monday");
    }

    [Fact]
    public async Task Rate_limited_alpha_vantage_falls_through_to_yahoo_and_the_repeat_asks_nobody()
    {
        _fakes.AlphaVantage.Mode = FakeMode.RateLimitBody;
        await using var dal = _fakes.Dal();
        var (start, end) = Days(Monday, Monday);

        var batch = await dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "alphavantage", start, end);

        Assert.Equal("yahoo", batch.Vendor);
        Assert.Equal(CacheOutcome.Miss, batch.Cache);
        Assert.Equal(Session(Monday).Count, batch.Bars.Count);
        Assert.Equal(["alphavantage", "yahoo"], batch.Attempts.Select(a => a.Vendor));
        Assert.Equal(VendorErrorKind.QuotaExhausted, batch.Attempts[0].Error);
        Assert.Equal(0, _fakes.TwelveData.RequestCount);

        var avRequests = _fakes.AlphaVantage.RequestCount;
        var yahooRequests = _fakes.Yahoo.RequestCount;
        var repeat = await dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "alphavantage", start, end);

        Assert.Equal("yahoo", repeat.Vendor);
        Assert.Equal(CacheOutcome.Full, repeat.Cache);
        Assert.Equal(avRequests, _fakes.AlphaVantage.RequestCount);
        Assert.Equal(yahooRequests, _fakes.Yahoo.RequestCount);
    }

    [Fact]
    public async Task Every_vendor_failing_is_one_error_listing_each_attempt()
    {
        _fakes.AlphaVantage.Mode = FakeMode.Unauthorized;
        _fakes.Yahoo.Mode = FakeMode.ServerError;
        _fakes.TwelveData.Mode = FakeMode.Truncated;
        await using var dal = _fakes.Dal();
        var (start, end) = Days(Monday, Monday);

        var ex = await Assert.ThrowsAsync<VendorChainException>(() => dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "auto", start, end));

        Assert.Contains("alphavantage [Unauthorized]", ex.Message);
        Assert.Contains("yahoo [ServerError]", ex.Message);
        Assert.Contains("twelvedata [MalformedResponse]", ex.Message);
        Assert.DoesNotContain(_fakes.AlphaVantage.ApiKey, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public async Task Without_keys_the_default_is_the_bundled_sample_data_and_it_says_so()
    {
        var env = _fakes.Environment(alphaVantageKey: false, twelveDataKey: false);
        await using var dal = OpenDal(env);
        var (start, end) = Days(Monday, Monday);

        var batch = await dal.FetchBarsAsync("SPY", Timeframe.FiveMinutes, null, start, end);

        Assert.Equal("sample", batch.Vendor);
        Assert.Equal(CacheOutcome.NotCached, batch.Cache);
        Assert.Equal(78, batch.Bars.Count); // 6.5 h of 5-minute bars
        Assert.Contains("no ALPHAVANTAGE_API_KEY set; using the bundled sample data", batch.Warnings);
        Assert.Equal(0, _fakes.AlphaVantage.RequestCount + _fakes.Yahoo.RequestCount + _fakes.TwelveData.RequestCount);
        Assert.False(Directory.Exists(env["AITRADER_DATA_DIR"]), "a sample-only fetch must not create the catalog");
    }

    [Fact]
    public async Task With_a_key_the_default_is_the_chain()
    {
        await using var dal = _fakes.Dal();
        var (start, end) = Days(Monday, Monday);

        var batch = await dal.FetchBarsAsync("SPY", Timeframe.OneMinute, null, start, end);

        Assert.Equal("alphavantage", batch.Vendor);
        Assert.Equal("auto", dal.ResolveVendor(null).Requested);
    }

    [Fact]
    public async Task Named_vendor_without_its_key_is_a_clear_error_or_the_sample_data_when_allowed()
    {
        var env = _fakes.Environment(alphaVantageKey: false);
        var (start, end) = Days(Monday, Monday);
        await using (var strict = OpenDal(env))
        {
            var ex = await Assert.ThrowsAsync<MarketDataException>(() => strict.FetchBarsAsync("SPY", Timeframe.OneMinute, "alphavantage", start, end));
            Assert.Equal("ALPHAVANTAGE_API_KEY is not set; set it or use --vendor sample", ex.Message);
        }

        await using var lenient = OpenDal(env, new MarketDataDalOptions { FallbackToSampleWhenNoKey = true });
        var batch = await lenient.FetchBarsAsync("SPY", Timeframe.OneMinute, "alphavantage", start, end);
        Assert.Equal("sample", batch.Vendor);
        Assert.Contains("no ALPHAVANTAGE_API_KEY set; using the bundled sample data", batch.Warnings);
        Assert.Equal(0, _fakes.AlphaVantage.RequestCount);
    }

    [Fact]
    public async Task Yahoo_needs_no_key_and_unknown_vendors_are_refused()
    {
        var env = _fakes.Environment(alphaVantageKey: false, twelveDataKey: false);
        await using var dal = OpenDal(env);
        var (start, end) = Days(Monday, Monday);

        Assert.Equal("yahoo", (await dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "yahoo", start, end)).Vendor);
        var ex = await Assert.ThrowsAsync<MarketDataException>(() => dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "bloomberg", start, end));
        Assert.Contains("unknown vendor (9 characters, not shown in case it is a key)", ex.Message);
        Assert.DoesNotContain("bloomberg", ex.Message);
        Assert.Contains("alphavantage", ex.Message);
    }

    [Theory]
    [InlineData("pkz3n4b2qw8ryt5vxl1m")] // letters and digits only, 20 characters: once echoed as "looking like a name"
    [InlineData("AKIA2E0A8F3B244C9986")]
    [InlineData("yahooo")]
    public async Task A_key_pasted_as_the_vendor_is_never_echoed(string pasted)
    {
        await using var dal = _fakes.Dal();
        var (start, end) = Days(Monday, Monday);

        var ex = await Assert.ThrowsAsync<MarketDataException>(() => dal.FetchBarsAsync("SPY", Timeframe.OneMinute, pasted, start, end));

        Assert.DoesNotContain(pasted, ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"unknown vendor ({pasted.Length} characters", ex.Message);
    }

    [Fact]
    public async Task A_near_miss_vendor_name_suggests_the_known_name_without_echoing_the_input()
    {
        await using var dal = _fakes.Dal();
        var (start, end) = Days(Monday, Monday);

        var ex = await Assert.ThrowsAsync<MarketDataException>(() => dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "yahooo", start, end));

        Assert.Contains("did you mean 'yahoo'", ex.Message);
    }

    [Fact]
    public async Task Same_request_gives_byte_identical_csv_on_replay()
    {
        var (start, end) = Days(Monday, Tuesday);
        var files = new List<byte[]>();
        for (var run = 0; run < 3; run++)
        {
            // A fresh DAL each time, like separate CLI runs: the first fetches, the others read the Parquet snapshot.
            await using var dal = _fakes.Dal();
            var batch = await dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "alphavantage", start, end);
            Assert.Equal(run == 0 ? CacheOutcome.Miss : CacheOutcome.Full, batch.Cache);
            var path = Path.Combine(_fakes.Root, $"run{run}.csv");
            await BarCsv.WriteAsync(path, batch.Bars);
            files.Add(await File.ReadAllBytesAsync(path));
        }

        Assert.Equal(files[0], files[1]);
        Assert.Equal(files[0], files[2]);
        var lines = System.Text.Encoding.UTF8.GetString(files[0]).Split('\n');
        Assert.Equal(BarCsv.Header, lines[0]);
        Assert.StartsWith("2013-10-07T13:30:00Z,", lines[1]);
    }

    [Fact]
    public async Task Unfinished_bars_are_not_cached_the_end_is_clipped_to_the_last_final_bar()
    {
        var clock = new FixedClock(new DateTimeOffset(2013, 10, 7, 15, 0, 30, TimeSpan.Zero)); // 11:00:30 ET on Monday
        var env = _fakes.Environment();
        var (start, end) = Days(Monday, Monday);
        await using (var dal = OpenDal(env, new MarketDataDalOptions { TimeProvider = clock }))
        {
            var early = await dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "yahoo", start, end);

            Assert.Equal(new DateTime(2013, 10, 7, 14, 59, 30, DateTimeKind.Utc), early.EndUtc);
            Assert.Equal(new DateTime(2013, 10, 7, 14, 59, 0, DateTimeKind.Utc), early.Bars[^1].Timestamp);
            Assert.Contains(early.Warnings, w => w.Contains("not final yet", StringComparison.Ordinal));
        }

        clock.Now = new DateTimeOffset(2013, 10, 8, 12, 0, 0, TimeSpan.Zero);
        await using (var dal = OpenDal(env, new MarketDataDalOptions { TimeProvider = clock }))
        {
            var later = await dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "yahoo", start, end);

            Assert.Equal(CacheOutcome.Partial, later.Cache);
            Assert.Equal(Session(Monday).Count, later.Bars.Count);
            Assert.Empty(later.Warnings);
        }
    }

    [Fact]
    public async Task Enricher_receives_the_served_bars()
    {
        await using var dal = _fakes.Dal();
        var (start, end) = Days(Monday, Monday);

        var enriched = await dal.FetchBarsAsync("SPY", Timeframe.OneMinute, "sample", start, end,
            (bars, interval) => (Count: bars.Count, Interval: interval));

        Assert.Equal(enriched.Batch.Bars.Count, enriched.Signals.Count);
        Assert.Equal(Timeframe.OneMinute, enriched.Signals.Interval);
    }

    [Fact]
    public async Task DalBarSource_serves_the_backtester_and_refuses_open_vendor_ranges()
    {
        await using var dal = _fakes.Dal();
        var (start, end) = Days(Monday, Monday);

        var viaVendor = new DalBarSource(dal, "alphavantage");
        var series = await viaVendor.GetBarsAsync(new BarRequest("SPY", Timeframe.OneMinute, start, end));
        Assert.Equal(Session(Monday).Count, series.Bars.Count);
        Assert.Equal("alphavantage", Assert.Single(viaVendor.Batches).Vendor);
        await Assert.ThrowsAsync<MarketDataException>(() => viaVendor.GetBarsAsync(new BarRequest("SPY", Timeframe.OneMinute)));

        var sample = await new DalBarSource(dal, "sample").GetBarsAsync(new BarRequest("SPY", Timeframe.OneDay));
        Assert.True(sample.Bars.Count > 1000, "the open-ended sample request should return the whole daily history");
    }

    [Fact]
    public async Task Unknown_symbol_in_the_sample_data_is_a_market_data_error()
    {
        await using var dal = _fakes.Dal();
        var (start, end) = Days(Monday, Monday);

        var ex = await Assert.ThrowsAsync<MarketDataException>(() => dal.FetchBarsAsync("NOPE", Timeframe.OneDay, "sample", start, end));
        Assert.Contains("unknown symbol 'NOPE'", ex.Message);
    }
}
