using System.Collections;

namespace AiTrader.Application;

/// <summary>The environment variables the market-data commands (<c>fetch</c>, <c>backtest</c> through the DAL) read:
/// the process environment, or a dictionary a test puts in place for its own async flow.</summary>
public static class PlatformEnvironment
{
    private static readonly AsyncLocal<Func<string, string?>?> Override = new();
    private static readonly AsyncLocal<TimeProvider?> ClockOverride = new();

    /// <summary>The variable lookup to hand to <c>MarketDataDal.FromEnvironment</c>; null means the process environment.</summary>
    public static Func<string, string?>? Lookup => Override.Value;

    /// <summary>Makes the commands read variables from <paramref name="variables"/> instead of the process environment in
    /// the current async flow (tests run in parallel, so process-wide variables would leak between them).
    /// Dispose to restore.</summary>
    public static IDisposable Use(IDictionary variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        var previous = Override.Value;
        Override.Value = name => variables.Contains(name) ? variables[name]?.ToString() : null;
        return new Restore(() => Override.Value = previous);
    }

    /// <summary>The clock a live command reads "now" and waits on: the system clock, or a test's in the current async flow.</summary>
    public static TimeProvider Clock => ClockOverride.Value ?? TimeProvider.System;

    /// <summary>Makes the commands read <paramref name="clock"/> as <see cref="Clock"/> in the current async flow (e.g. a
    /// simulated clock on a past trading day, so a live command can run against a recorded stream). Dispose to restore.</summary>
    public static IDisposable UseClock(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var previous = ClockOverride.Value;
        ClockOverride.Value = clock;
        return new Restore(() => ClockOverride.Value = previous);
    }

    private sealed class Restore(Action restore) : IDisposable
    {
        public void Dispose() => restore();
    }
}
