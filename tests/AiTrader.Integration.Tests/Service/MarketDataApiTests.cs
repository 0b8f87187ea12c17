using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace AiTrader.Integration.Tests.Service;

/// <summary><c>GET /api/bars</c>, <c>/signals</c> and <c>/chart</c> on the bundled data: exact prices, paging,
/// range-independent frames, candles merged server-side.</summary>
public sealed class MarketDataApiTests
{
    [Fact]
    public async Task Bars_are_the_bundled_rows_exactly_and_pages_join_up()
    {
        await using var host = await ServiceHost.StartAsync();
        using var reader = host.Client(host.ReadKey);
        var week = await reader.GetFromJsonAsync<JsonElement>("/api/bars?symbol=SPY&start=2010-01-04&end=2010-01-08");
        var bars = week.GetProperty("bars").EnumerateArray().ToList();
        Assert.Equal(5, bars.Count);
        // data/sample/daily/SPY.csv: 2010-01-04,112.33,113.39,112.33,113.33,101612569 (daily bars are stamped at the 09:30 ET open).
        Assert.Equal("2010-01-04T14:30:00Z", bars[0].GetProperty("t").GetString());
        Assert.Equal("112.33", bars[0].GetProperty("o").GetRawText());
        Assert.Equal("113.39", bars[0].GetProperty("h").GetRawText());
        Assert.Equal("113.33", bars[0].GetProperty("c").GetRawText());
        Assert.Equal("101612569", bars[0].GetProperty("v").GetRawText());
        Assert.Equal("114.62", bars[4].GetProperty("c").GetRawText());
        Assert.Equal(JsonValueKind.Null, week.GetProperty("next_after").ValueKind);

        var paged = new List<string>();
        var url = "/api/bars?symbol=SPY&start=2010-01-04&end=2010-01-08&limit=2";
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 5);
            var page = await reader.GetFromJsonAsync<JsonElement>(url);
            paged.AddRange(page.GetProperty("bars").EnumerateArray().Select(b => b.GetProperty("t").GetString()!));
            if (page.GetProperty("next_after").GetString() is not { } next)
            {
                break;
            }

            url = $"/api/bars?symbol=SPY&start=2010-01-04&end=2010-01-08&limit=2&after={next}";
        }

        Assert.Equal(bars.Select(b => b.GetProperty("t").GetString()!), paged);
    }

    [Fact]
    public async Task A_signal_frame_is_the_same_whichever_range_or_page_it_is_read_in()
    {
        await using var host = await ServiceHost.StartAsync();
        using var reader = host.Client(host.ReadKey);
        var wide = await reader.GetFromJsonAsync<JsonElement>("/api/signals?symbol=SPY&start=2009-06-01&end=2010-01-08");
        var narrow = await reader.GetFromJsonAsync<JsonElement>("/api/signals?symbol=SPY&start=2010-01-06&end=2010-01-08&limit=2");
        var byTime = wide.GetProperty("frames").EnumerateArray().ToDictionary(f => f.GetProperty("timestamp").GetString()!, f => f.GetRawText());
        var frames = narrow.GetProperty("frames").EnumerateArray().ToList();
        Assert.Equal(2, frames.Count);
        foreach (var frame in frames)
        {
            Assert.Equal(byTime[frame.GetProperty("timestamp").GetString()!], frame.GetRawText());
        }

        var last = frames[^1];
        Assert.Equal("114.21", last.GetProperty("close").GetRawText()); // 2010-01-07, the second of the page
        Assert.InRange(last.GetProperty("prob_up").GetDouble(), 0, 1);
        Assert.NotEqual(JsonValueKind.Null, last.GetProperty("sma_20").ValueKind); // years of history before it: warm
        Assert.Contains(last.GetProperty("regime").GetString(), new[] { "Unknown", "TrendingUp", "TrendingDown", "Calm", "Volatile" });
    }

    [Fact]
    public async Task A_chart_merges_the_window_into_at_most_points_candles_with_the_last_bars_frames()
    {
        await using var host = await ServiceHost.StartAsync();
        using var reader = host.Client(host.ReadKey);
        var chart = await reader.GetFromJsonAsync<JsonElement>("/api/chart?symbol=SPY&start=2010-01-04&end=2010-01-08&points=2");
        Assert.Equal(5, chart.GetProperty("total").GetInt32());
        Assert.Equal(3, chart.GetProperty("group").GetInt32());
        // data/sample/daily/SPY.csv 2010-01-04..08, merged by hand: the first two days, then the last three.
        Assert.Equal(
            [
                """{"t":"2010-01-04T14:30:00Z","t_last":"2010-01-05T14:30:00Z","o":112.33,"h":113.68,"l":112.33,"c":113.65,"v":203171051,"n":2}""",
                """{"t":"2010-01-06T14:30:00Z","t_last":"2010-01-08T14:30:00Z","o":113.55,"h":114.62,"l":113.18,"c":114.62,"v":307711409,"n":3}""",
            ],
            chart.GetProperty("bars").EnumerateArray().Select(b => b.GetRawText()));
        // Each candle's frame is its last bar's, as /api/signals gives it.
        var signals = await reader.GetFromJsonAsync<JsonElement>("/api/signals?symbol=SPY&start=2010-01-04&end=2010-01-08");
        var byTime = signals.GetProperty("frames").EnumerateArray().ToDictionary(f => f.GetProperty("timestamp").GetString()!, f => f.GetRawText());
        Assert.Equal([byTime["2010-01-05T14:30:00Z"], byTime["2010-01-08T14:30:00Z"]], chart.GetProperty("frames").EnumerateArray().Select(f => f.GetRawText()));

        // Zoomed in: the window's bars one by one, without frames when not asked for.
        var zoomed = await reader.GetFromJsonAsync<JsonElement>("/api/chart?symbol=SPY&from=2010-01-05T14:30:00Z&to=2010-01-07T14:30:00Z&signals=false");
        Assert.Equal(["113.65", "113.73", "114.21"], zoomed.GetProperty("bars").EnumerateArray().Select(b => b.GetProperty("c").GetRawText()));
        Assert.Equal(1, zoomed.GetProperty("group").GetInt32());
        Assert.False(zoomed.TryGetProperty("frames", out _));
    }

    [Theory]
    [InlineData("/api/bars?interval=1Day", "symbol")]
    [InlineData("/api/bars?symbol=SPY&interval=2Days", "interval")]
    [InlineData("/api/bars?symbol=SPY&start=2010-02-30", "start")]
    [InlineData("/api/bars?symbol=SPY&start=2011-01-01&end=2010-01-01", "start")]
    [InlineData("/api/bars?symbol=SPY&limit=10001", "limit")]
    [InlineData("/api/bars?symbol=SPY&after=yesterday", "after")]
    [InlineData("/api/chart?symbol=SPY&points=1", "points")]
    [InlineData("/api/chart?symbol=SPY&from=2010-01-05", "from")]
    [InlineData("/api/chart?symbol=SPY&from=2010-01-08T00:00:00Z&to=2010-01-05T00:00:00Z", "from")]
    [InlineData("/api/chart?symbol=SPY&to=1990-01-01T00:00:00Z", "from")]
    public async Task A_bad_query_is_a_problem_naming_its_field(string url, string field)
    {
        await using var host = await ServiceHost.StartAsync();
        using var reader = host.Client(host.ReadKey);
        var response = await reader.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(field, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task An_unknown_symbol_says_which_symbols_there_are()
    {
        await using var host = await ServiceHost.StartAsync();
        using var reader = host.Client(host.ReadKey);
        var response = await reader.GetAsync("/api/bars?symbol=ZZZZ");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Contains("unknown symbol 'ZZZZ'", detail, StringComparison.Ordinal);
        Assert.Contains("SPY", detail, StringComparison.Ordinal);
    }
}
