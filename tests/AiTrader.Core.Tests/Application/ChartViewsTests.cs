using AiTrader.Application.MarketData;
using AiTrader.Core.Reporting;

namespace AiTrader.Core.Tests.Application;

/// <summary>The dashboard chart's server-side merging (<c>GET /api/chart</c>): a window of bars becomes at most
/// <c>points</c> candles, each the OHLC and summed volume of its neighbours; the expected candles are worked out by hand
/// from the ten bars below.</summary>
public sealed class ChartViewsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aitrader-chartviews-").FullName;

    // Ten 1Min bars of 2013-10-07 from 13:30Z: open, high, low, close, volume.
    private static readonly (decimal O, decimal H, decimal L, decimal C, decimal V)[] Rows =
    [
        (10, 11, 9, 10.5m, 100), (10.5m, 12, 10, 11, 200), (11, 11.5m, 8, 9, 300), (9, 9.5m, 8.5m, 9.2m, 400), (9.2m, 13, 9, 12, 500),
        (12, 12.5m, 11, 11.5m, 600), (11.5m, 11.8m, 7, 8, 700), (8, 9, 7.5m, 8.8m, 800), (8.8m, 10, 8.6m, 9.9m, 900), (9.9m, 10.2m, 9.8m, 10, 1000),
    ];

    public ChartViewsTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "sample", "daily"));
        Directory.CreateDirectory(Path.Combine(_dir, "sample", "minute"));
        var lines = new List<string> { "timestamp,open,high,low,close,volume" };
        lines.AddRange(Rows.Select((r, i) => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"2013-10-07T13:{30 + i}:00Z,{r.O},{r.H},{r.L},{r.C},{r.V}")));
        File.WriteAllLines(Path.Combine(_dir, "sample", "minute", "TEN.csv"), lines);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private AppSettings Settings => new()
    {
        DataDir = Path.Combine(_dir, "data"),
        ArtifactsDir = Path.Combine(_dir, "artifacts"),
        SampleDataDir = Path.Combine(_dir, "sample"),
        BarCacheDir = "off",
    };

    private Task<ChartView> Read(string? from = null, string? to = null, int points = 3, bool signals = false) =>
        ChartViews.ReadAsync(Settings, ChartRequest.Parse("TEN", "1Min", null, null, from, to, points, signals), CancellationToken.None);

    [Fact]
    public async Task Ten_bars_in_three_candles_merge_three_three_and_four()
    {
        var view = await Read();
        Assert.Equal(10, view.Total);
        Assert.Equal(4, view.Group);
        Assert.Equal(
        [
            new ChartCandle(At(30), At(32), 10, 12, 8, 9, 600, 3),
            new ChartCandle(At(33), At(35), 9, 13, 8.5m, 11.5m, 1500, 3),
            new ChartCandle(At(36), At(39), 11.5m, 11.8m, 7, 10, 3400, 4),
        ], view.Candles);
        Assert.Null(view.Frames);
    }

    [Fact]
    public async Task A_zoomed_window_is_merged_on_its_own_and_short_windows_keep_every_bar()
    {
        // Bars 13:32..13:37 (six) into four candles: 1, 2, 1, 2 bars.
        var view = await Read("2013-10-07T13:32:00Z", "2013-10-07T13:37:00Z", points: 4);
        Assert.Equal(6, view.Total);
        Assert.Equal(
        [
            new ChartCandle(At(32), At(32), 11, 11.5m, 8, 9, 300, 1),
            new ChartCandle(At(33), At(34), 9, 13, 8.5m, 12, 900, 2),
            new ChartCandle(At(35), At(35), 12, 12.5m, 11, 11.5m, 600, 1),
            new ChartCandle(At(36), At(37), 11.5m, 11.8m, 7, 8.8m, 1500, 2),
        ], view.Candles);

        var all = await Read("2013-10-07T13:32:00Z", "2013-10-07T13:37:00Z", points: 10);
        Assert.Equal(1, all.Group);
        Assert.Equal([9m, 9.2m, 12m, 11.5m, 8m, 8.8m], all.Candles.Select(c => c.Close));
    }

    [Fact]
    public async Task Each_candle_carries_the_signal_frame_of_its_last_bar()
    {
        var view = await Read(signals: true);
        Assert.Equal([At(32), At(35), At(39)], view.Frames!.Select(f => f.Timestamp));
        Assert.Equal([9m, 11.5m, 10m], view.Frames!.Select(f => f.Close));
    }

    [Theory]
    [InlineData(null, null, 1, "points must be 2 to 10000 (got 1).")]
    [InlineData("2013-10-07T13:40:00Z", "2013-10-07T13:35:00Z", 3, "from 2013-10-07T13:40:00Z is after to 2013-10-07T13:35:00Z; swap them.")]
    [InlineData("2013-10-07 13:40", null, 3, "from '2013-10-07 13:40' is not a UTC time; pass the first bar time the chart shows (yyyy-MM-ddTHH:mm:ssZ).")]
    [InlineData("2013-10-07T14:00:00Z", null, 3, "no 1Min bars for TEN between from and to; widen the window.")]
    public async Task Bad_windows_are_refused_naming_the_fix(string? from, string? to, int points, string message)
    {
        var e = await Assert.ThrowsAsync<RequestException>(() => Read(from, to, points));
        Assert.Equal(message, e.Message);
    }

    private static DateTime At(int minute) => new(2013, 10, 7, 13, minute, 0, DateTimeKind.Utc);
}
