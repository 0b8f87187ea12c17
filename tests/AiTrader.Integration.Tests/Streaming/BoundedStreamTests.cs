using System.Collections.Concurrent;
using AiTrader.Core.Domain;
using AiTrader.MarketData.Streaming;
using Microsoft.Extensions.Logging;

namespace AiTrader.Integration.Tests.Streaming;

/// <summary>Issue 11, item 3: a WebSocket message larger than the limit is never buffered whole; the connection is dropped
/// with a logged reason and the manager reconnects.</summary>
public sealed class BoundedStreamTests
{
    [Fact]
    public async Task An_endless_message_is_cut_at_the_size_limit_and_the_manager_reconnects_with_the_reason_logged()
    {
        await using var fake = await StreamTestKit.StartAsync();
        var spy = StreamTestKit.Spy.Take(5).ToList();
        fake.RestBars["SPY"] = [];
        // 64 MiB without an end of message: far past the 1 MiB limit, small enough not to hurt if a client did buffer it.
        fake.Scripts.Add(new StreamScript([], StreamEnd.Silent, OversizeMessageBytes: 64L * 1024 * 1024));
        fake.Scripts.Add(new StreamScript(StreamTestKit.Frames(spy.Select(b => ("SPY", b))), StreamEnd.Silent));
        var log = new ListLogger();
        var reasons = new ConcurrentQueue<string>();
        var manager = new StreamingManager(StreamTestKit.StreamOptions(fake), StreamTestKit.Rest(fake),
            StreamTestKit.FastReconnect() with { OnReconnecting = reasons.Enqueue }, logger: log);

        var got = await StreamTestKit.CollectAsync(manager.StreamBarsAsync([new Symbol("SPY")], CancellationToken.None),
            g => g.Count == spy.Count);

        Assert.Equal(spy.Select(b => b.Timestamp), got.Select(p => p.TimestampUtc));
        Assert.Equal(2, fake.Connections);
        Assert.Contains(log.Lines, l => l.Contains("exceeds", StringComparison.Ordinal) && l.Contains("1048576 bytes", StringComparison.Ordinal));
        Assert.Contains("a message exceeds 1048576 bytes", Assert.Single(reasons));
    }

    private sealed class ListLogger : ILogger
    {
        public ConcurrentQueue<string> Queue { get; } = new();

        public IReadOnlyList<string> Lines => Queue.ToList();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Queue.Enqueue(formatter(state, exception));
    }
}
