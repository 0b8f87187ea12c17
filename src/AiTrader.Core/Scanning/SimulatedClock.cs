namespace AiTrader.Core.Scanning;

/// <summary>A <see cref="TimeProvider"/> for replays: time stands still until someone waits, and every wait
/// (<see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/>, a timer) moves the clock forward by exactly
/// the wait and completes at once, so a day of scheduled refreshes replays as fast as the work allows.</summary>
/// <remarks>Time never goes backwards. Periodic timers fire once per <see cref="ITimer.Change"/>; the scheduler only
/// uses one-shot waits.</remarks>
public sealed class SimulatedClock : TimeProvider
{
    private long _ticks;

    /// <param name="startUtc">The instant the clock shows before anything waits.</param>
    public SimulatedClock(DateTime startUtc)
    {
        if (startUtc.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException($"The simulated clock must start at a UTC instant, got Kind={startUtc.Kind}.", nameof(startUtc));
        }

        _ticks = startUtc.Ticks;
    }

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _ticks), TimeSpan.Zero);

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Moves the clock to <paramref name="utc"/> when that is later than now.</summary>
    public void AdvanceTo(DateTime utc)
    {
        long current;
        do
        {
            current = Interlocked.Read(ref _ticks);
            if (utc.Ticks <= current)
            {
                return;
            }
        }
        while (Interlocked.CompareExchange(ref _ticks, utc.Ticks, current) != current);
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new JumpTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class JumpTimer(SimulatedClock clock, TimerCallback callback, object? state) : ITimer
    {
        private int _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (Volatile.Read(ref _disposed) != 0 || dueTime == Timeout.InfiniteTimeSpan)
            {
                return Volatile.Read(ref _disposed) == 0;
            }

            clock.AdvanceTo(new DateTime(clock.GetUtcNow().UtcTicks, DateTimeKind.Utc) + (dueTime > TimeSpan.Zero ? dueTime : TimeSpan.Zero));
            ThreadPool.UnsafeQueueUserWorkItem(_ =>
            {
                if (Volatile.Read(ref _disposed) == 0)
                {
                    callback(state);
                }
            }, null);
            return true;
        }

        public void Dispose() => Interlocked.Exchange(ref _disposed, 1);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
