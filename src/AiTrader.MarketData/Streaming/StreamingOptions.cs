using System.Globalization;

namespace AiTrader.MarketData.Streaming;

/// <summary>Reconnect and backfill policy of <see cref="StreamingManager"/>.</summary>
public sealed record StreamingOptions
{
    /// <summary>The variable that sets <see cref="MaxReconnectAttempts"/>: how long a live run rides out an outage (the
    /// waits double from 1 s up to 30 s) before it gives up, and <c>aitrader trade</c> exits 75.</summary>
    public const string MaxReconnectsVariable = "ALPACA_STREAM_MAX_RECONNECTS";

    /// <summary>The default of <see cref="MaxReconnectAttempts"/>.</summary>
    public const int DefaultMaxReconnectAttempts = 10;

    /// <summary>The largest <see cref="MaxReconnectsVariable"/> taken.</summary>
    public const int MostReconnectAttempts = 1000;

    /// <summary>Wait before the first reconnect; doubles per consecutive failure up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Consecutive failed connections (no successful subscribe in between) before giving up.</summary>
    public int MaxReconnectAttempts { get; init; } = DefaultMaxReconnectAttempts;

    /// <summary>Fill missing minutes over HTTP; when false, gaps are left as they are (still deduplicated and ordered).</summary>
    public bool BackfillGaps { get; init; } = true;

    /// <summary>Called with the one-line reason (a drop, an oversize message, an idle timeout) before each reconnect, so a
    /// trading run can journal why its feed paused; the reason is also logged as a warning.</summary>
    public Action<string>? OnReconnecting { get; init; }

    /// <summary>Where the socket's state is reported as it changes (connected, reconnecting with the attempt, failed), for
    /// readiness; null reports nowhere.</summary>
    public StreamConnections? Connections { get; init; }

    /// <summary>Clock for received-at stamps and backoff waits.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The defaults, with <see cref="MaxReconnectAttempts"/> from <see cref="MaxReconnectsVariable"/> when set.</summary>
    /// <exception cref="ArgumentException">The variable is not a whole number from 0 to <see cref="MostReconnectAttempts"/>.</exception>
    public static StreamingOptions FromEnvironment(Func<string, string?> env)
    {
        ArgumentNullException.ThrowIfNull(env);
        if (env(MaxReconnectsVariable)?.Trim() is not { Length: > 0 } text)
        {
            return new StreamingOptions();
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= MostReconnectAttempts
            ? new StreamingOptions { MaxReconnectAttempts = n }
            : throw new ArgumentException($"{MaxReconnectsVariable}='{text}' must be a whole number from 0 to {MostReconnectAttempts}; fix or unset it.");
    }
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
