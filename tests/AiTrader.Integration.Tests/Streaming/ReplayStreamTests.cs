using System.Diagnostics;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using AiTrader.Integration.Tests.TestSupport;
using AiTrader.Integration.Tests.Vendors.Fakes;
using AiTrader.MarketData.Streaming;

namespace AiTrader.Integration.Tests.Streaming;

public sealed class ReplayStreamTests
{
    private static readonly DateOnly Day = new(2013, 10, 7);

    private static CsvBarSource Sample() =>
        new(TestPaths.SampleRoot, NyseCalendar.Instance);

    private static async Task<List<StreamPayload>> All(IAsyncEnumerable<StreamPayload> stream)
    {
        var list = new List<StreamPayload>();
        await foreach (var p in stream)
        {
            list.Add(p);
        }

        return list;
    }

    [Fact]
    public async Task Merges_symbols_in_timestamp_order_with_every_bar_once()
    {
        var replay = new ReplayStream(Sample());
        var got = await All(replay.StreamBarsAsync([new Symbol("SPY"), new Symbol("IBM")], Day, Day));

        var spy = (await Sample().GetBarsAsync(new BarRequest("SPY", Timeframe.OneMinute,
            ExchangeTime.ToUtc(Day, TimeOnly.MinValue), ExchangeTime.ToUtc(Day.AddDays(1), TimeOnly.MinValue).AddTicks(-1)))).Bars;
        Assert.Equal(spy.Select(b => b.Timestamp), got.Where(p => p.Symbol.Value == "SPY").Select(p => p.TimestampUtc));
        Assert.Contains(got, p => p.Symbol.Value == "IBM");
        Assert.All(got, p => Assert.Equal(StreamSources.Replay, p.Source));
        Assert.All(got, p => Assert.Equal(StreamPayloadKind.Bar, p.Kind));
        Assert.All(got, p => Assert.Equal(Day, ExchangeTime.SessionDate(p.TimestampUtc)));
        for (var i = 1; i < got.Count; i++)
        {
            Assert.True(got[i - 1].TimestampUtc <= got[i].TimestampUtc, $"out of order at {i}");
            if (got[i - 1].TimestampUtc == got[i].TimestampUtc)
            {
                // Ties keep the caller's symbol order.
                Assert.Equal(("SPY", "IBM"), (got[i - 1].Symbol.Value, got[i].Symbol.Value));
            }
        }

        Assert.Equal(got.Count, got.Select(p => (p.Symbol, p.TimestampUtc)).Distinct().Count());
    }

    [Fact]
    public async Task Speed_paces_market_time_on_the_clock_without_real_waiting()
    {
        var clock = new VirtualTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var replay = new ReplayStream(Sample(), new ReplayOptions { Speed = 60, TimeProvider = clock, RegularSessionOnly = true });
        var sw = Stopwatch.StartNew();
        var got = await All(replay.StreamBarsAsync([new Symbol("SPY")], Day, Day));
        sw.Stop();

        Assert.True(got.Count > 300);
        Assert.All(got, p => Assert.True(p.TimestampUtc >= ExchangeTime.ToUtc(Day, new TimeOnly(9, 30)) && p.TimestampUtc < ExchangeTime.ToUtc(Day, new TimeOnly(16, 0))));
        // 60x: one market minute per second, so the virtual clock advances by the market span / 60.
        var span = got[^1].TimestampUtc - got[0].TimestampUtc;
        Assert.Equal(span / 60, clock.Waits.Aggregate(TimeSpan.Zero, (a, b) => a + b));
        Assert.All(clock.Waits, w => Assert.True(w >= TimeSpan.FromSeconds(1)));
        Assert.Equal(got[^1].ReceivedAtUtc - got[0].ReceivedAtUtc, span / 60);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"replay took {sw.Elapsed}");
    }

    [Fact]
    public async Task Max_speed_never_waits_and_max_wait_caps_long_gaps()
    {
        var clock = new VirtualTimeProvider(DateTimeOffset.UnixEpoch);
        await All(new ReplayStream(Sample(), new ReplayOptions { TimeProvider = clock }).StreamBarsAsync([new Symbol("SPY")], Day, Day.AddDays(1)));
        Assert.Empty(clock.Waits);

        var t0 = new DateTime(2013, 10, 7, 19, 59, 0, DateTimeKind.Utc);
        var bars = new Dictionary<Symbol, IReadOnlyList<Bar>>
        {
            ["SPY"] = [new Bar(t0, 1, 1, 1, 1, 1), new Bar(t0.AddMinutes(1), 1, 1, 1, 1, 1), new Bar(t0.AddHours(17), 1, 1, 1, 1, 1)],
        };
        var capped = new VirtualTimeProvider(DateTimeOffset.UnixEpoch);
        var got = await All(new ReplayStream(null, new ReplayOptions { Speed = 1, MaxWait = TimeSpan.FromSeconds(5), TimeProvider = capped })
            .StreamBarsAsync(bars));
        Assert.Equal(3, got.Count);
        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5)], capped.Waits);
    }

    [Fact]
    public void Speed_must_be_positive() =>
        Assert.Throws<ArgumentException>(() => new ReplayStream(Sample(), new ReplayOptions { Speed = 0 }));

    [Fact]
    public async Task Cancellation_stops_a_paced_replay()
    {
        using var cts = new CancellationTokenSource();
        var replay = new ReplayStream(Sample(), new ReplayOptions { Speed = 1 });
        var got = new List<StreamPayload>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var p in replay.StreamBarsAsync([new Symbol("SPY")], Day, Day, cts.Token))
            {
                got.Add(p);
                await cts.CancelAsync();
            }
        });
        Assert.Single(got);
    }
}
