using AiTrader.Core.Domain;
using AiTrader.Integration.Tests.Vendors;
using AiTrader.Integration.Tests.Vendors.Fakes;
using AiTrader.MarketData;
using AiTrader.MarketData.Streaming;
using AiTrader.MarketData.Vendors;

namespace AiTrader.Integration.Tests.Streaming;

/// <summary>Options and clients pointed at <see cref="FakeAlpacaStream"/>, plus the real SPY/IBM 2013-10-07 session bars.</summary>
public static class StreamTestKit
{
    public static readonly DateOnly Session = new(2013, 10, 7);

    public static IReadOnlyList<Bar> Spy => FakeSampleBars.MinuteSession("SPY", Session);

    public static IReadOnlyList<Bar> Ibm => FakeSampleBars.MinuteSession("IBM", Session);

    public static async Task<FakeAlpacaStream> StartAsync()
    {
        var fake = new FakeAlpacaStream();
        await fake.StartAsync();
        return fake;
    }

    /// <summary>A fake stream that sends the first <paramref name="minutes"/> SPY and IBM minute bars of the session, one
    /// frame per minute, then a silent socket.</summary>
    public static async Task<FakeAlpacaStream> StartSpyAndIbmAsync(int minutes)
    {
        var fake = await StartAsync();
        var bars = Spy.Take(minutes).Select(b => ("SPY", b)).Concat(Ibm.Take(minutes).Select(b => ("IBM", b)));
        fake.Scripts.Add(new StreamScript(Frames(bars)));
        return fake;
    }

    /// <summary>The variables that point the platform's live stream (and its gap backfill) at <paramref name="fake"/>.</summary>
    public static Dictionary<string, string> Environment(FakeAlpacaStream fake) => new(StringComparer.Ordinal)
    {
        ["ALPACA_STREAM_URL"] = fake.StreamUrl.ToString(),
        ["ALPACA_DATA_BASE_URL"] = fake.HttpBase.ToString(),
        ["APCA_API_KEY_ID"] = fake.ApiKey,
        ["APCA_API_SECRET_KEY"] = fake.ApiSecret,
    };

    public static AlpacaStreamOptions StreamOptions(FakeAlpacaStream fake, TimeSpan? idle = null) => new()
    {
        Url = fake.StreamUrl,
        ApiKey = fake.ApiKey,
        ApiSecret = fake.ApiSecret,
        HandshakeTimeout = TimeSpan.FromSeconds(5),
        IdleTimeout = idle ?? TimeSpan.FromSeconds(10),
    };

    public static AlpacaClient Rest(FakeAlpacaStream fake, string? apiKey = null) => new(new HttpClient(), new AlpacaOptions
    {
        BaseUrl = fake.HttpBase,
        ApiKey = apiKey ?? fake.ApiKey,
        ApiSecret = fake.ApiSecret,
        RateLimit = VendorTestKit.Generous,
        Retry = VendorTestKit.FastRetry,
        AttemptTimeout = VendorTestKit.AttemptTimeout,
    });

    public static StreamingOptions FastReconnect(TimeProvider? time = null) => new()
    {
        InitialBackoff = TimeSpan.FromMilliseconds(20),
        MaxBackoff = TimeSpan.FromMilliseconds(200),
        MaxReconnectAttempts = 5,
        TimeProvider = time ?? TimeProvider.System,
    };

    /// <summary>One frame per minute holding every symbol's bar of that minute (Alpaca batches data messages).</summary>
    public static List<IReadOnlyList<(string Symbol, Bar Bar)>> Frames(IEnumerable<(string Symbol, Bar Bar)> bars) =>
        bars.GroupBy(x => x.Bar.Timestamp).OrderBy(g => g.Key)
            .Select(g => (IReadOnlyList<(string, Bar)>)g.ToList()).ToList();

    /// <summary>Reads payloads until <paramref name="stop"/> says so, with a safety timeout.</summary>
    public static async Task<List<StreamPayload>> CollectAsync(IAsyncEnumerable<StreamPayload> stream, Func<List<StreamPayload>, bool> stop,
        TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        var got = new List<StreamPayload>();
        await foreach (var p in stream.WithCancellation(cts.Token))
        {
            got.Add(p);
            if (stop(got))
            {
                break;
            }
        }

        return got;
    }
}

/// <summary>A clock that never sleeps: every timer fires at once after moving virtual time forward by its due time.</summary>
public sealed class VirtualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now = start;

    public List<TimeSpan> Waits { get; } = [];

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (_gate)
            {
                _now += dueTime;
                Waits.Add(dueTime);
            }

            ThreadPool.QueueUserWorkItem(_ => callback(state));
        }

        return new NoopTimer();
    }

    private sealed class NoopTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
