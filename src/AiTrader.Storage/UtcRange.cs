namespace AiTrader.Storage;

/// <summary>An inclusive UTC time range on the microsecond grid that Parquet timestamps and PostgreSQL timestamptz share.</summary>
public readonly record struct UtcRange
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMicrosecond;

    /// <summary>The smallest step between two distinct stored instants.</summary>
    public static TimeSpan Resolution { get; } = TimeSpan.FromTicks(TicksPerMicrosecond);

    public UtcRange(DateTime start, DateTime end)
    {
        RequireUtc(start, nameof(start));
        RequireUtc(end, nameof(end));
        if (start.Ticks % TicksPerMicrosecond != 0 || end.Ticks % TicksPerMicrosecond != 0)
        {
            throw new ArgumentException("Range bounds must be whole microseconds; use UtcRange.Normalize.", nameof(start));
        }

        if (end < start)
        {
            throw new ArgumentException($"Range end {end:O} is before its start {start:O}.", nameof(end));
        }

        Start = start;
        End = end;
    }

    /// <summary>First instant in the range (inclusive).</summary>
    public DateTime Start { get; }

    /// <summary>Last instant in the range (inclusive).</summary>
    public DateTime End { get; }

    /// <summary>Rounds an arbitrary inclusive range inward to whole microseconds. Nothing stored is lost: stored
    /// timestamps are whole microseconds, so t ≥ start ⇔ t ≥ ceil(start) and t ≤ end ⇔ t ≤ floor(end).</summary>
    public static UtcRange Normalize(DateTime startUtc, DateTime endUtc)
    {
        RequireUtc(startUtc, nameof(startUtc));
        RequireUtc(endUtc, nameof(endUtc));
        var startTicks = startUtc.Ticks;
        var remainder = startTicks % TicksPerMicrosecond;
        if (remainder != 0)
        {
            startTicks += TicksPerMicrosecond - remainder;
        }

        var endTicks = Floor(endUtc).Ticks;
        if (endTicks < startTicks)
        {
            throw new ArgumentException(
                $"Range {startUtc:O}..{endUtc:O} is empty (its end is before its start, or it is shorter than a microsecond).",
                nameof(endUtc));
        }

        return new UtcRange(new DateTime(startTicks, DateTimeKind.Utc), new DateTime(endTicks, DateTimeKind.Utc));
    }

    /// <summary><paramref name="utc"/> truncated to a whole microsecond (the stored grid), with Kind=Utc.</summary>
    public static DateTime Floor(DateTime utc) => new(utc.Ticks - (utc.Ticks % TicksPerMicrosecond), DateTimeKind.Utc);

    public bool Contains(DateTime instant) => instant >= Start && instant <= End;

    public bool Contains(UtcRange other) => other.Start >= Start && other.End <= End;

    public bool Overlaps(UtcRange other) => other.Start <= End && other.End >= Start;

    public override string ToString() => $"{Start:O}..{End:O}";

    private static void RequireUtc(DateTime value, string name)
    {
        if (value.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException($"{name} {value:O} must have Kind=Utc.", name);
        }
    }
}
