using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Integration.Tests.Vendors.Fakes;
using AiTrader.MarketData;
using static AiTrader.Integration.Tests.Vendors.VendorTestKit;

namespace AiTrader.Integration.Tests.Vendors;

/// <summary>The loopback fakes against the recorded real-shape answers: a fake whose generated body drifts from its
/// vendor's recorded shape fails here, and every client reads the recorded answers to hand-computed values.</summary>
public sealed class RecordedPayloadTests
{
    private static readonly DateOnly Monday = new(2013, 10, 7);

    private static async Task<string> GetAsync(FakeVendorServer fake, string pathAndQuery, params (string Name, string Value)[] headers)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(fake.BaseUrl, pathAndQuery));
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        using var response = await http.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    private static void AssertSameShape(string recordedFile, string fakeBody)
    {
        var drift = RecordedPayloads.Shape.Of(RecordedPayloads.Read(recordedFile)).Drift(RecordedPayloads.Shape.Of(fakeBody));
        Assert.True(drift.Count == 0, $"the fake drifted from {recordedFile}: {string.Join("; ", drift)}");
    }

    [Fact]
    public async Task Alpaca_fake_pages_and_empty_answer_keep_the_recorded_shape()
    {
        await using var fake = await StartWithSpyAsync<FakeAlpaca>(Monday, new DateOnly(2013, 10, 7), new DateOnly(2013, 10, 9));
        fake.PageSize = 2;
        (string, string)[] keys = [("APCA-API-KEY-ID", fake.ApiKey), ("APCA-API-SECRET-KEY", fake.ApiSecret)];

        var page1 = await GetAsync(fake, "v2/stocks/SPY/bars?timeframe=1Day&start=2013-10-07T00:00:00Z&end=2013-10-10T00:00:00Z&limit=2", keys);
        var empty = await GetAsync(fake, "v2/stocks/SPY/bars?timeframe=1Day&start=2013-11-07T00:00:00Z&end=2013-11-10T00:00:00Z", keys);

        AssertSameShape("alpaca-bars-page1.json", page1);
        AssertSameShape("alpaca-bars-empty.json", empty);
    }

    [Fact]
    public async Task Alpha_vantage_fake_series_and_limit_answers_keep_the_recorded_shape()
    {
        await using var fake = await StartWithSpyAsync<FakeAlphaVantage>(Monday, new DateOnly(2013, 10, 7), new DateOnly(2013, 10, 9));
        var key = fake.ApiKey;

        AssertSameShape("alphavantage-daily-adjusted.json", await GetAsync(fake, $"query?function=TIME_SERIES_DAILY_ADJUSTED&symbol=SPY&outputsize=full&apikey={key}"));
        AssertSameShape("alphavantage-intraday-5min.json", await GetAsync(fake, $"query?function=TIME_SERIES_INTRADAY&symbol=SPY&interval=5min&month=2013-10&apikey={key}"));
        AssertSameShape("alphavantage-error-invalid-call.json", await GetAsync(fake, $"query?function=TIME_SERIES_INTRADAY&symbol=SPY&interval=7min&apikey={key}"));
        fake.Mode = FakeMode.RateLimitBody;
        AssertSameShape("alphavantage-information-quota.json", await GetAsync(fake, $"query?function=TIME_SERIES_DAILY&symbol=SPY&apikey={key}"));
        fake.RateLimitAsNote = true;
        AssertSameShape("alphavantage-note-minute.json", await GetAsync(fake, $"query?function=TIME_SERIES_DAILY&symbol=SPY&apikey={key}"));
    }

    [Fact]
    public async Task Yahoo_fake_chart_and_not_found_keep_the_recorded_shape()
    {
        await using var fake = await StartWithSpyAsync<FakeYahoo>(Monday, new DateOnly(2013, 10, 7), new DateOnly(2013, 10, 9));
        fake.NullRows.Add(2);

        AssertSameShape("yahoo-chart-daily.json", await GetAsync(fake, "v8/finance/chart/SPY?interval=1d&period1=1381104000&period2=1381363200&events=div,splits"));
        AssertSameShape("yahoo-chart-not-found.json", await GetAsync(fake, "v8/finance/chart/ZZZZ?interval=1d&period1=1381104000&period2=1381363200"));
    }

    [Fact]
    public async Task Twelve_data_and_finnhub_fakes_keep_the_recorded_shape()
    {
        await using var td = await StartWithSpyAsync<FakeTwelveData>(Monday, new DateOnly(2013, 10, 7), new DateOnly(2013, 10, 9));
        await using var finnhub = await StartAsync<FakeFinnhub>();

        AssertSameShape("twelvedata-time-series-5min.json", await GetAsync(td, $"time_series?symbol=SPY&interval=5min&start_date=2013-10-07%2009:30:00&end_date=2013-10-07%2010:00:00&apikey={td.ApiKey}"));
        td.Mode = FakeMode.RateLimitBody;
        AssertSameShape("twelvedata-error-credits.json", await GetAsync(td, $"time_series?symbol=SPY&interval=5min&start_date=2013-10-07%2009:30:00&end_date=2013-10-07%2010:00:00&apikey={td.ApiKey}"));
        AssertSameShape("finnhub-quote.json", await GetAsync(finnhub, "api/v1/quote?symbol=AAPL", ("X-Finnhub-Token", finnhub.ApiKey)));
    }

    [Fact]
    public void The_shape_check_catches_a_missing_key_and_a_new_value_kind()
    {
        // The drift test must be able to fail: a fake that drops "n" and sends volume as a string drifts.
        var recorded = RecordedPayloads.Read("alpaca-bars-page2.json");
        var drifted = recorded.Replace("\"n\":512734,", "", StringComparison.Ordinal).Replace("\"v\":129108652", "\"v\":\"129108652\"", StringComparison.Ordinal);

        var drift = RecordedPayloads.Shape.Of(recorded).Drift(RecordedPayloads.Shape.Of(drifted));

        Assert.Contains(drift, d => d.Contains("$.bars[].n", StringComparison.Ordinal));
        Assert.Contains(drift, d => d.Contains("$.bars[].v: the fake sends a string", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Alpaca_reads_the_recorded_two_page_answer()
    {
        await using var fake = await StartAsync<FakeAlpaca>();
        fake.PageBody = token => RecordedPayloads.Read(token.Length == 0 ? "alpaca-bars-page1.json" : "alpaca-bars-page2.json");

        var result = await Client(fake).GetBarsAsync(new VendorBarRequest("SPY", Timeframe.OneDay, Utc(2013, 10, 7), Utc(2013, 10, 9, 23), PriceAdjustment.Raw));

        Assert.Equal(2, fake.RequestCount);
        Assert.Equal([Utc(2013, 10, 7, 13, 30), Utc(2013, 10, 8, 13, 30), Utc(2013, 10, 9, 13, 30)], result.Bars.Select(b => b.Timestamp));
        Assert.Equal(168.497316m, result.Bars[0].Vwap); // VWAP keeps its 6 decimals: an average, not a print
        Assert.Equal(165.60m, result.Bars[2].Close);
    }

    [Fact]
    public async Task Alpha_vantage_reads_the_recorded_adjusted_series_with_its_split()
    {
        await using var fake = await StartAsync<FakeAlphaVantage>();
        fake.BodyOverride = RecordedPayloads.Read("alphavantage-daily-adjusted.json");

        var result = await Client(fake).GetBarsAsync(new VendorBarRequest("SPY", Timeframe.OneDay, Utc(2013, 10, 7), Utc(2013, 10, 9, 23), PriceAdjustment.Split));

        // 3:1 on 2013-10-09: earlier sessions ÷ 3, rounded to the tick; 507.395 / 3 = 169.131666… → 169.1317.
        Assert.Equal(168.71m, result.Bars[0].Open);
        Assert.Equal(169.1317m, result.Bars[0].High);
        Assert.Equal(99526854m, result.Bars[0].Volume);
        Assert.Equal(165.48m, result.Bars[1].Close);
        Assert.Equal(165.70m, result.Bars[2].Open);
    }

    [Fact]
    public async Task Yahoo_reads_the_recorded_float_noise_and_null_row()
    {
        await using var fake = await StartAsync<FakeYahoo>();
        fake.BodyOverride = RecordedPayloads.Read("yahoo-chart-daily.json");

        var result = await Client(fake).GetBarsAsync(new VendorBarRequest("SPY", Timeframe.OneDay, Utc(2013, 10, 7), Utc(2013, 10, 9, 23), PriceAdjustment.Split));

        Assert.Equal(2, result.Bars.Count);
        Assert.Equal(1, result.EmptyBars);
        Assert.Equal(168.7100m, result.Bars[0].Open);   // 168.7100067138672
        Assert.Equal(167.9000m, result.Bars[0].Low);    // 167.89999389648438
        Assert.Equal(165.4800m, result.Bars[1].Close);  // 165.47999572753906
    }

    [Theory]
    [InlineData("alphavantage-information-quota.json", VendorErrorKind.QuotaExhausted)]
    [InlineData("alphavantage-note-minute.json", VendorErrorKind.RateLimited)]
    [InlineData("alphavantage-error-invalid-call.json", VendorErrorKind.NotFound)]
    public async Task Alpha_vantage_recorded_refusals_are_typed_and_asked_once(string file, VendorErrorKind kind)
    {
        await using var fake = await StartAsync<FakeAlphaVantage>();
        fake.BodyOverride = RecordedPayloads.Read(file);

        var ex = await Assert.ThrowsAsync<VendorException>(() => Client(fake).GetBarsAsync(new VendorBarRequest("SPY", Timeframe.OneDay, Utc(2013, 10, 7), Utc(2013, 10, 9), PriceAdjustment.Raw)));

        Assert.Equal(kind, ex.Kind);
        Assert.Equal(1, fake.RequestCount);
    }

    [Fact]
    public async Task Twelve_data_reads_the_recorded_series_and_its_credit_error()
    {
        await using var fake = await StartAsync<FakeTwelveData>();
        fake.BodyOverride = RecordedPayloads.Read("twelvedata-time-series-5min.json");
        var request = new VendorBarRequest("SPY", Timeframe.FiveMinutes, Utc(2013, 10, 7, 13, 30), Utc(2013, 10, 7, 14), PriceAdjustment.Raw);

        var result = await Client(fake).GetBarsAsync(request);

        Assert.Equal([Utc(2013, 10, 7, 13, 30), Utc(2013, 10, 7, 13, 35)], result.Bars.Select(b => b.Timestamp));
        Assert.Equal(168.71m, result.Bars[0].Open);
    }
}
