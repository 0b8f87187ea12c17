using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Integration.Tests.Vendors.Fakes;
using AiTrader.MarketData;
using static AiTrader.Integration.Tests.Vendors.VendorTestKit;

namespace AiTrader.Integration.Tests.Vendors;

/// <summary>Issue 11: answers that are well-formed JSON but hostile in shape or value end as a typed
/// <see cref="VendorErrorKind.MalformedResponse"/> (so the chain moves on), real-world number noise is rounded to the
/// tick instead of refused, and a misbehaving server cannot make a fetch loop or read without bound.</summary>
public sealed class HostileVendorAnswerTests
{
    private static readonly DateOnly Day = new(2013, 10, 7);

    private static VendorBarRequest DailyRaw => new("SPY", Timeframe.OneDay, Utc(2013, 10, 1), Utc(2013, 10, 11), PriceAdjustment.Raw);

    private static VendorBarRequest DailySplit => new("SPY", Timeframe.OneDay, Utc(2013, 10, 1), Utc(2013, 10, 11), PriceAdjustment.Split);

    private const string GoodAvRow = "{\"1. open\":\"168.0000\",\"2. high\":\"169.0000\",\"3. low\":\"167.0000\",\"4. close\":\"168.5000\",\"5. volume\":\"1000\"}";

    private static string AvDaily(string zone, params (string Date, string Row)[] rows) =>
        "{\"Meta Data\":{\"1. Information\":\"Daily Prices (open, high, low, close) and Volumes\",\"2. Symbol\":\"SPY\",\"3. Last Refreshed\":\"2013-10-11\",\"4. Output Size\":\"Full size\",\"5. Time Zone\":" + zone + "},\"Time Series (Daily)\":{"
        + string.Join(",", rows.Select(r => $"\"{r.Date}\":{r.Row}")) + "}}";

    private static async Task<VendorException> MalformedAsync(Func<Task> call)
    {
        var ex = await Assert.ThrowsAsync<VendorException>(call);
        Assert.True(ex.Kind == VendorErrorKind.MalformedResponse, $"{ex.Kind}: {ex.Message}");
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Contains("fix:", ex.Message);
        return ex;
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[1,2,3]")]
    [InlineData("\"168.0\"")]
    [InlineData("42")]
    public async Task Alpha_vantage_row_that_is_not_an_object_is_a_malformed_response(string row)
    {
        await using var fake = await StartAsync<FakeAlphaVantage>();
        fake.BodyOverride = AvDaily("\"US/Eastern\"", ("2013-10-08", GoodAvRow), ("2013-10-07", row));

        await MalformedAsync(() => Client(fake).GetBarsAsync(DailyRaw));
        Assert.Equal(1, fake.RequestCount); // malformed answers are not retried
    }

    [Theory]
    [InlineData("5")]
    [InlineData("\"Mars/Olympus_Mons\"")]
    [InlineData("{\"zone\":\"US/Eastern\"}")]
    [InlineData("\"../../../../etc/localtime\"")]
    public async Task Alpha_vantage_time_zone_that_is_a_number_or_unknown_is_a_malformed_response(string zone)
    {
        await using var fake = await StartAsync<FakeAlphaVantage>();
        fake.BodyOverride = "{\"Meta Data\":{\"1. Information\":\"Intraday (5min) open, high, low, close prices and volume\",\"2. Symbol\":\"SPY\",\"3. Last Refreshed\":\"2013-10-07 16:00:00\",\"4. Interval\":\"5min\",\"5. Output Size\":\"Full size\",\"6. Time Zone\":" + zone
            + "},\"Time Series (5min)\":{\"2013-10-07 09:30:00\":" + GoodAvRow + "}}";

        await MalformedAsync(() => Client(fake).GetBarsAsync(new VendorBarRequest("SPY", Timeframe.FiveMinutes, Utc(2013, 10, 7, 13, 30), Utc(2013, 10, 7, 20), PriceAdjustment.Raw)));
    }

    [Theory]
    [InlineData("0.0000000001")]
    [InlineData("10000000000")]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("1e400")]
    public async Task Alpha_vantage_absurd_split_coefficient_is_a_malformed_response(string coefficient)
    {
        await using var fake = await StartAsync<FakeAlphaVantage>();
        var adjustedRow = (string split) => "{\"1. open\":\"168.0000\",\"2. high\":\"169.0000\",\"3. low\":\"167.0000\",\"4. close\":\"168.5000\",\"5. adjusted close\":\"168.5000\",\"6. volume\":\"1000\",\"7. dividend amount\":\"0.0000\",\"8. split coefficient\":\"" + split + "\"}";
        fake.BodyOverride = AvDaily("\"US/Eastern\"", ("2013-10-09", adjustedRow("1.0")), ("2013-10-08", adjustedRow(coefficient)), ("2013-10-07", adjustedRow("1.0")));

        var ex = await MalformedAsync(() => Client(fake).GetBarsAsync(DailySplit));
        Assert.Contains("split", ex.Message);
    }

    [Theory]
    [InlineData("[null]")]
    [InlineData("[[1,2,3]]")]
    [InlineData("[5]")]
    [InlineData("{\"t\":1}")]
    public async Task Alpaca_bar_that_is_not_an_object_is_a_malformed_response(string bars)
    {
        await using var fake = await StartAsync<FakeAlpaca>();
        fake.PageBody = _ => "{\"bars\":" + bars + ",\"symbol\":\"SPY\",\"next_page_token\":null}";

        await MalformedAsync(() => Client(fake).GetBarsAsync(DailyRaw));
    }

    [Theory]
    [InlineData("\"timestamp\":[\"1381152600\"]")]
    [InlineData("\"timestamp\":[1e30]")]
    [InlineData("\"timestamp\":[99999999999999999]")]
    [InlineData("\"timestamp\":{\"0\":1381152600}")]
    public async Task Yahoo_timestamps_of_the_wrong_type_or_out_of_range_are_a_malformed_response(string stamps)
    {
        await using var fake = await StartAsync<FakeYahoo>();
        fake.BodyOverride = "{\"chart\":{\"result\":[{\"meta\":{\"exchangeTimezoneName\":\"America/New_York\"}," + stamps
            + ",\"indicators\":{\"quote\":[{\"open\":[168.0],\"high\":[169.0],\"low\":[167.0],\"close\":[168.5],\"volume\":[1000]}]}}],\"error\":null}}";

        await MalformedAsync(() => Client(fake).GetBarsAsync(DailySplit));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"meta\":{\"exchange_timezone\":7},\"values\":[{\"datetime\":\"2013-10-07 09:30:00\",\"open\":\"1\",\"high\":\"1\",\"low\":\"1\",\"close\":\"1\",\"volume\":\"1\"}],\"status\":\"ok\"}")]
    [InlineData("{\"meta\":{\"exchange_timezone\":\"Nowhere/Land\"},\"values\":[{\"datetime\":\"2013-10-07 09:30:00\",\"open\":\"1\",\"high\":\"1\",\"low\":\"1\",\"close\":\"1\",\"volume\":\"1\"}],\"status\":\"ok\"}")]
    [InlineData("{\"meta\":{},\"values\":[null],\"status\":\"ok\"}")]
    public async Task Twelve_data_hostile_shapes_are_a_malformed_response(string body)
    {
        await using var fake = await StartAsync<FakeTwelveData>();
        fake.BodyOverride = body;

        await MalformedAsync(() => Client(fake).GetBarsAsync(new VendorBarRequest("SPY", Timeframe.FiveMinutes, Utc(2013, 10, 7, 13, 30), Utc(2013, 10, 7, 20), PriceAdjustment.Raw)));
    }

    [Fact]
    public async Task A_malformed_alpha_vantage_answer_moves_the_chain_to_yahoo_with_the_reason_in_the_attempts()
    {
        await using var av = await StartAsync<FakeAlphaVantage>();
        await using var yahoo = await StartWithSpyAsync<FakeYahoo>(Day, new DateOnly(2013, 10, 1), new DateOnly(2013, 10, 11));
        av.BodyOverride = AvDaily("\"US/Eastern\"", ("2013-10-07", "null"));
        var fetcher = new FallbackBarFetcher([Client(av), Client(yahoo)]);

        var result = await fetcher.FetchAsync(DailySplit with { Adjustment = PriceAdjustment.Split });

        Assert.Equal("yahoo", result.Vendor);
        Assert.Equal(VendorErrorKind.MalformedResponse, result.Attempts[0].Error);
        Assert.StartsWith("alphavantage:", result.Attempts[0].Message);
    }

    [Fact]
    public async Task Yahoo_binary_float_noise_is_rounded_to_the_tick_not_refused()
    {
        await using var fake = await StartAsync<FakeYahoo>();
        // 2013-10-07 13:30Z: the session open Yahoo stamps daily bars with. The values are as Yahoo prints doubles.
        fake.BodyOverride = "{\"chart\":{\"result\":[{\"meta\":{\"exchangeTimezoneName\":\"America/New_York\"},\"timestamp\":[1381152600],"
            + "\"indicators\":{\"quote\":[{\"open\":[322.53500010000005],\"high\":[323.1099853515625],\"low\":[321.9200134277344],\"close\":[322.67999267578125],\"volume\":[1000.0000000000001]}]}}],\"error\":null}}";

        var result = await Client(fake).GetBarsAsync(DailySplit);

        var bar = Assert.Single(result.Bars);
        // Rounded half away from zero to the $0.0001 tick, worked by hand from the printed doubles.
        Assert.Equal(322.5350m, bar.Open);
        Assert.Equal(323.1100m, bar.High);
        Assert.Equal(321.9200m, bar.Low);
        Assert.Equal(322.6800m, bar.Close);
        Assert.Equal(1000m, bar.Volume);
    }

    [Fact]
    public async Task Alpha_vantage_split_adjusted_long_fractions_are_rounded_to_the_tick()
    {
        await using var fake = await StartAsync<FakeAlphaVantage>();
        fake.DailyBars.Add((new DateOnly(2013, 10, 7), new Bar(Utc(2013, 10, 7, 13, 30), 322.53m, 323.11m, 321.92m, 322.68m, 1000m)));
        fake.DailyBars.Add((new DateOnly(2013, 10, 8), new Bar(Utc(2013, 10, 8, 13, 30), 107.60m, 108.00m, 107.00m, 107.50m, 3000m)));
        fake.SplitDates[new DateOnly(2013, 10, 8)] = 3m;

        var result = await Client(fake).GetBarsAsync(DailySplit);

        // 322.53 / 3 = 107.51 exactly; 323.11 / 3 = 107.70333… → 107.7033; 321.92 / 3 = 107.30666… → 107.3067;
        // 322.68 / 3 = 107.56; volume × 3.
        var before = result.Bars[0];
        Assert.Equal(107.51m, before.Open);
        Assert.Equal(107.7033m, before.High);
        Assert.Equal(107.3067m, before.Low);
        Assert.Equal(107.56m, before.Close);
        Assert.Equal(3000m, before.Volume);
        Assert.Equal(107.60m, result.Bars[1].Open);
    }

    [Fact]
    public async Task Alpaca_next_page_token_that_cycles_ends_as_a_malformed_response_within_a_few_requests()
    {
        await using var fake = await StartAsync<FakeAlpaca>();
        var bar = "{\"t\":\"2013-10-07T04:00:00Z\",\"o\":168,\"h\":169,\"l\":167,\"c\":168.5,\"v\":1000,\"n\":10,\"vw\":168.2}";
        // A → B → A → B …: no single token repeats back to back, so only remembering every token catches it.
        fake.PageBody = token => "{\"bars\":[" + bar + "],\"symbol\":\"SPY\",\"next_page_token\":\"" + (token == "QQ==" ? "Qg==" : "QQ==") + "\"}";

        var ex = await MalformedAsync(() => Client(fake).GetBarsAsync(DailyRaw).WaitAsync(TimeSpan.FromSeconds(20)));

        Assert.Contains("next_page_token", ex.Message);
        Assert.True(fake.RequestCount <= 4, $"{fake.RequestCount} requests");
    }

    [Fact]
    public async Task Alpaca_pages_that_never_end_stop_at_the_page_cap()
    {
        await using var fake = await StartAsync<FakeAlpaca>();
        var n = 0;
        fake.PageBody = _ => "{\"bars\":[],\"symbol\":\"SPY\",\"next_page_token\":\"p" + Interlocked.Increment(ref n) + "\"}";

        var ex = await MalformedAsync(() => Client(fake).GetBarsAsync(DailyRaw).WaitAsync(TimeSpan.FromSeconds(60)));

        Assert.Contains("pages", ex.Message);
        Assert.True(fake.RequestCount <= 1001, $"{fake.RequestCount} requests");
    }

    [Fact]
    public async Task A_body_that_never_ends_is_cut_at_the_size_limit_as_a_malformed_response()
    {
        await using var fake = await StartAsync<FakeYahoo>();
        fake.Mode = FakeMode.Endless;

        var ex = await MalformedAsync(() => Client(fake).GetBarsAsync(DailySplit));

        Assert.Contains("bytes", ex.Message);
        Assert.Equal(1, fake.RequestCount);
    }
}
