namespace AiTrader.MarketData.Streaming;

/// <summary>Reconnect and backfill policy of <see cref="StreamingManager"/>.</summary>
public sealed record StreamingOptions
{
    /// <summary>Wait before the first reconnect; doubles per consecutive failure up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Consecutive failed connections (no successful subscribe in between) before giving up.</summary>
    public int MaxReconnectAttempts { get; init; } = 10;

    /// <summary>Fill missing minutes over HTTP; when false, gaps are left as they are (still deduplicated and ordered).</summary>
    public bool BackfillGaps { get; init; } = true;

    /// <summary>Called with the one-line reason (a drop, an oversize message, an idle timeout) before each reconnect, so a
    /// trading run can journal why its feed paused; the reason is also logged as a warning.</summary>
    public Action<string>? OnReconnecting { get; init; }

    /// <summary>Clock for received-at stamps and backoff waits.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>Counters a <see cref="StreamingManager"/> keeps across its streams.</summary>
public sealed record StreamingStats(
    int Connections,
    int Reconnects,
    int LiveBars,
    int BackfilledBars,
    int BackfillRequests,
    int BackfillFailures,
    int DroppedStaleBars);
