using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;
using AiTrader.MarketData.Streaming;

namespace AiTrader.Integration.Tests.Streaming;

public sealed class StreamingManagerTests
{
    private static readonly DateTime Open = ExchangeTime.ToUtc(StreamTestKit.Session, new TimeOnly(9, 30));

    private static int Minute(Bar b) => (int)(b.Timestamp - Open).TotalMinutes;

    private static (DateTime, decimal, decimal, decimal, decimal, decimal) Ohlcv(Bar b) => (b.Timestamp, b.Open, b.High, b.Low, b.Close, b.Volume);

    [Fact]
    public async Task Dropped_socket_and_skipped_minutes_still_deliver_every_minute_once_in_order()
    {
        await using var fake = await StreamTestKit.StartAsync();
        var sessions = new Dictionary<string, IReadOnlyList<Bar>> { ["SPY"] = StreamTestKit.Spy, ["IBM"] = StreamTestKit.Ibm };
        foreach (var (symbol, bars) in sessions)
        {
            fake.RestBars[symbol] = bars.ToList();
        }

        // Minutes the live stream never sends: skipped before the drop, lost across the reconnect, skipped after it.
        var skipped = new Dictionary<string, HashSet<int>>
        {
            ["SPY"] = [10, 11, 12, 200],
            ["IBM"] = [50, 127, 128, 300, 301],
        };
        const int dropAt = 120;
        const int resumeAt = 127;
        bool Live(string symbol, Bar b) => !skipped[symbol].Contains(Minute(b)) && (Minute(b) < dropAt || Minute(b) >= resumeAt);

        var all = sessions.SelectMany(kv => kv.Value.Select(b => (Symbol: kv.Key, Bar: b))).ToList();
        var first = StreamTestKit.Frames(all.Where(x => Minute(x.Bar) < dropAt && Live(x.Symbol, x.Bar)));
        var second = StreamTestKit.Frames(all.Where(x => Minute(x.Bar) >= resumeAt && Live(x.Symbol, x.Bar)));

        // After reconnecting, the server re-sends the last minute before the drop and one stale bar: both must be dropped.
        var replayed = all.Where(x => Minute(x.Bar) == dropAt - 1).ToList();
        var stale = all.First(x => x.Symbol == "SPY" && Minute(x.Bar) == 50);
        second.Insert(0, [.. replayed, stale]);
        fake.Scripts.Add(new StreamScript(first, StreamEnd.Drop, DropAfterRestRequests: 2));
        fake.Scripts.Add(new StreamScript(second, StreamEnd.Silent));

        var manager = new StreamingManager(StreamTestKit.StreamOptions(fake), StreamTestKit.Rest(fake), StreamTestKit.FastReconnect());
        var lastSpy = sessions["SPY"][^1].Timestamp;
        var lastIbm = sessions["IBM"][^1].Timestamp;
        var got = await StreamTestKit.CollectAsync(manager.StreamBarsAsync([new Symbol("SPY"), new Symbol("IBM")], CancellationToken.None),
            g => g.Any(p => p.Symbol.Value == "SPY" && p.TimestampUtc == lastSpy) && g.Any(p => p.Symbol.Value == "IBM" && p.TimestampUtc == lastIbm));

        foreach (var (symbol, bars) in sessions)
        {
            var mine = got.Where(p => p.Symbol.Value == symbol).ToList();
            Assert.Equal(bars.Select(b => b.Timestamp), mine.Select(p => p.TimestampUtc));
            Assert.Equal(bars.Select(Ohlcv), mine.Select(p => Ohlcv(p.Bar!.Value)));
            foreach (var p in mine)
            {
                var expected = Live(symbol, p.Bar!.Value) ? StreamSources.Stream : StreamSources.Backfill;
                Assert.True(expected == p.Source, $"{symbol} {p.TimestampUtc:HH:mm} came as {p.Source}, expected {expected}");
            }
        }

        Assert.Contains(got, p => p.Source == StreamSources.Backfill);
        var stats = manager.Stats;
        Assert.Equal(2, fake.Connections);
        Assert.Equal(1, stats.Reconnects);
        Assert.Equal(replayed.Count + 1, stats.DroppedStaleBars);
        Assert.Equal(got.Count(p => p.Source == StreamSources.Backfill), stats.BackfilledBars);
        Assert.Equal(0, stats.BackfillFailures);
        Assert.All(fake.RestRequests, r => Assert.Contains("timeframe=1Min", r));
        Assert.All(fake.RestRequests, r => Assert.Contains("adjustment=raw", r));
    }

    [Fact]
    public async Task Quiet_minutes_backfill_nothing_and_gaps_outside_the_session_are_not_fetched()
    {
        await using var fake = await StreamTestKit.StartAsync();
        var spy = StreamTestKit.Spy;
        // REST has nothing for the gap: Alpaca IEX legitimately skips minutes without trades.
        fake.RestBars["SPY"] = [];
        var nextDayOpen = ExchangeTime.ToUtc(new DateOnly(2013, 10, 8), new TimeOnly(9, 30));
        var sent = new[] { Open, Open.AddMinutes(5), Open.AddMinutes(6), Open.AddMinutes(389), nextDayOpen }
            .Select(t => ("SPY", spy[0] with { Timestamp = t })).ToList();
        fake.Scripts.Add(new StreamScript(StreamTestKit.Frames(sent)));

        var manager = new StreamingManager(StreamTestKit.StreamOptions(fake), StreamTestKit.Rest(fake), StreamTestKit.FastReconnect());
        var got = await StreamTestKit.CollectAsync(manager.StreamBarsAsync([new Symbol("SPY")], CancellationToken.None), g => g.Count == 5);

        Assert.All(got, p => Assert.Equal(StreamSources.Stream, p.Source));
        // Two in-session gaps asked for (0→5 and 6→last); the overnight gap last→next open was not.
        Assert.Equal(2, fake.RestRequests.Count);
        Assert.Equal(2, manager.Stats.BackfillRequests);
    }

    [Fact]
    public async Task Silent_connection_times_out_and_reconnects()
    {
        await using var fake = await StreamTestKit.StartAsync();
        var spy = StreamTestKit.Spy;
        fake.RestBars["SPY"] = spy.ToList();
        fake.Scripts.Add(new StreamScript(StreamTestKit.Frames(spy.Take(5).Select(b => ("SPY", b))), StreamEnd.Silent));
        fake.Scripts.Add(new StreamScript(StreamTestKit.Frames(spy.Skip(3).Take(7).Select(b => ("SPY", b))), StreamEnd.Silent));

        var manager = new StreamingManager(StreamTestKit.StreamOptions(fake, idle: TimeSpan.FromMilliseconds(400)),
            StreamTestKit.Rest(fake), StreamTestKit.FastReconnect());
        var got = await StreamTestKit.CollectAsync(manager.StreamBarsAsync([new Symbol("SPY")], CancellationToken.None), g => g.Count == 10);

        Assert.Equal(spy.Take(10).Select(b => b.Timestamp), got.Select(p => p.TimestampUtc));
        Assert.Equal(2, fake.Connections);
        Assert.Equal(1, manager.Stats.Reconnects);
        Assert.Equal(2, manager.Stats.DroppedStaleBars);
    }

    [Fact]
    public async Task Auth_failure_is_one_clean_error_without_the_key_and_is_not_retried()
    {
        await using var fake = await StreamTestKit.StartAsync();
        var options = StreamTestKit.StreamOptions(fake) with { ApiKey = "PKWRONGKEY-1", ApiSecret = "WRONGSECRET-2" };
        var manager = new StreamingManager(options, StreamTestKit.Rest(fake), StreamTestKit.FastReconnect());

        var ex = await Assert.ThrowsAsync<AlpacaStreamException>(() =>
            StreamTestKit.CollectAsync(manager.StreamBarsAsync([new Symbol("SPY")], CancellationToken.None), _ => true));

        Assert.Equal(402, ex.Code);
        Assert.False(ex.IsRetryable);
        Assert.False(AiTrader.Application.TransientFailures.IsTransient(ex));
        Assert.Contains("auth failed", ex.Message);
        Assert.Contains("APCA_API_KEY_ID", ex.Message);
        Assert.DoesNotContain("PKWRONGKEY-1", ex.Message);
        Assert.DoesNotContain("WRONGSECRET-2", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
        Assert.Equal(1, fake.Connections);
        Assert.Contains(fake.ClientMessages, m => m.Contains("\"action\":\"auth\""));
    }

    [Theory]
    [InlineData(409, "iex")]
    [InlineData(405, "fewer symbols")]
    public async Task Plan_errors_on_subscribe_are_not_retried(int code, string hint)
    {
        await using var fake = await StreamTestKit.StartAsync();
        fake.Scripts.Add(new StreamScript([], ErrorAfterSubscribe: code));
        var manager = new StreamingManager(StreamTestKit.StreamOptions(fake), StreamTestKit.Rest(fake), StreamTestKit.FastReconnect());

        var ex = await Assert.ThrowsAsync<AlpacaStreamException>(() =>
            StreamTestKit.CollectAsync(manager.StreamBarsAsync([new Symbol("SPY")], CancellationToken.None), _ => true));

        Assert.Equal(code, ex.Code);
        Assert.False(ex.IsRetryable);
        Assert.Contains(hint, ex.Message);
        Assert.Equal(1, fake.Connections);
    }

    [Fact]
    public async Task Connection_limit_is_retried_with_doubling_backoff()
    {
        await using var fake = await StreamTestKit.StartAsync();
        var spy = StreamTestKit.Spy;
        fake.Scripts.Add(new StreamScript([], ErrorAfterConnect: 406));
        fake.Scripts.Add(new StreamScript([], ErrorAfterConnect: 406));
        fake.Scripts.Add(new StreamScript(StreamTestKit.Frames(spy.Take(3).Select(b => ("SPY", b)))));
        var clock = new VirtualTimeProvider(new DateTimeOffset(2013, 10, 7, 14, 0, 0, TimeSpan.Zero));
        var manager = new StreamingManager(StreamTestKit.StreamOptions(fake), StreamTestKit.Rest(fake), StreamTestKit.FastReconnect(clock));

        var got = await StreamTestKit.CollectAsync(manager.StreamBarsAsync([new Symbol("SPY")], CancellationToken.None), g => g.Count == 3);

        Assert.Equal(3, got.Count);
        Assert.Equal([TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(40)], clock.Waits);
        Assert.Equal(3, fake.Connections);
        Assert.Equal(2, manager.Stats.Reconnects);
    }

    [Fact]
    public async Task Gives_up_after_the_configured_number_of_failed_reconnects()
    {
        await using var fake = await StreamTestKit.StartAsync();
        for (var i = 0; i < 10; i++)
        {
            fake.Scripts.Add(new StreamScript([], ErrorAfterConnect: 500));
        }

        var clock = new VirtualTimeProvider(DateTimeOffset.UnixEpoch);
        var manager = new StreamingManager(StreamTestKit.StreamOptions(fake), StreamTestKit.Rest(fake), StreamTestKit.FastReconnect(clock));

        var ex = await Assert.ThrowsAsync<AlpacaStreamException>(() =>
            StreamTestKit.CollectAsync(manager.StreamBarsAsync([new Symbol("SPY")], CancellationToken.None), _ => true));

        Assert.False(ex.IsRetryable);
        Assert.Contains("gave up after 5", ex.Message);
        Assert.Contains("internal error", ex.Message);
        // A drop that did not recover: transient (the CLI exits 75, retry later), unlike bad keys below.
        Assert.True(AiTrader.Application.TransientFailures.IsTransient(ex));
        Assert.Equal(6, fake.Connections);
        // 20, 40, 80, 160 ms, then capped at 200.
        Assert.Equal(new[] { 20, 40, 80, 160, 200 }.Select(ms => TimeSpan.FromMilliseconds(ms)), clock.Waits);
    }

    [Fact]
    public async Task Backfill_from_a_resume_point_precedes_the_first_live_bar()
    {
        await using var fake = await StreamTestKit.StartAsync();
        var spy = StreamTestKit.Spy;
        fake.RestBars["SPY"] = spy.ToList();
        fake.Scripts.Add(new StreamScript(StreamTestKit.Frames(spy.Skip(20).Take(2).Select(b => ("SPY", b)))));
        var manager = new StreamingManager(StreamTestKit.StreamOptions(fake), StreamTestKit.Rest(fake), StreamTestKit.FastReconnect());

        var got = await StreamTestKit.CollectAsync(
            manager.StreamBarsAsync([new Symbol("SPY")], CancellationToken.None, backfillFromUtc: spy[0].Timestamp), g => g.Count == 22);

        Assert.Equal(spy.Take(22).Select(b => b.Timestamp), got.Select(p => p.TimestampUtc));
        Assert.All(got.Take(20), p => Assert.Equal(StreamSources.Backfill, p.Source));
        Assert.All(got.Skip(20), p => Assert.Equal(StreamSources.Stream, p.Source));
    }

    [Fact]
    public async Task Failed_backfill_keeps_the_live_stream_going()
    {
        await using var fake = await StreamTestKit.StartAsync();
        var spy = StreamTestKit.Spy;
        fake.Scripts.Add(new StreamScript(StreamTestKit.Frames(new[] { spy[0], spy[10] }.Select(b => ("SPY", b)))));
        var badRest = StreamTestKit.Rest(fake, apiKey: "PKWRONG-REST");
        var manager = new StreamingManager(StreamTestKit.StreamOptions(fake), badRest, StreamTestKit.FastReconnect());

        var got = await StreamTestKit.CollectAsync(manager.StreamBarsAsync([new Symbol("SPY")], CancellationToken.None), g => g.Count == 2);

        Assert.Equal([spy[0].Timestamp, spy[10].Timestamp], got.Select(p => p.TimestampUtc));
        Assert.Equal(1, manager.Stats.BackfillFailures);
    }
}
