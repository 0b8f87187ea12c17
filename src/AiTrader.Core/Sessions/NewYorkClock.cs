namespace AiTrader.Core.Sessions;

/// <summary>Converts a stream of UTC instants to New York time like <see cref="ExchangeTime.ToNewYork"/>, but looks
/// the zone's UTC offset up once per UTC hour instead of once per instant.</summary>
/// <remarks>Streaming indicators convert every bar's timestamp, and a time-zone lookup costs more than the indicator
/// arithmetic. New York's offset changes only on whole UTC hours (02:00 local is 06:00 or 07:00 UTC), and the cached
/// offset is used only for an hour whose first and last instants have the same offset, so the result is always the
/// same as converting each instant. One instance per stream; not thread-safe.</remarks>
public sealed class NewYorkClock
{
    private DateTime _hourStart = DateTime.MaxValue;
    private TimeSpan _offset;
    private bool _cacheable;

    /// <summary>New York wall-clock time of <paramref name="utc"/> (which must have Kind=Utc).</summary>
    public DateTime ToNewYork(DateTime utc)
    {
        if (utc.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException($"Expected a UTC instant, got Kind={utc.Kind}.", nameof(utc));
        }

        var hourStart = new DateTime(utc.Ticks - utc.Ticks % TimeSpan.TicksPerHour, DateTimeKind.Utc);
        if (hourStart != _hourStart)
        {
            _hourStart = hourStart;
            var zone = ExchangeTime.NewYork;
            _offset = zone.GetUtcOffset(hourStart);
            var lastTick = hourStart.AddTicks(TimeSpan.TicksPerHour - 1);
            _cacheable = zone.GetUtcOffset(lastTick) == _offset;
        }

        return _cacheable
            ? DateTime.SpecifyKind(utc + _offset, DateTimeKind.Unspecified)
            : ExchangeTime.ToNewYork(utc);
    }

    /// <summary>The New York calendar date <paramref name="utc"/> falls on, as <see cref="ExchangeTime.SessionDate"/>.</summary>
    public DateOnly SessionDate(DateTime utc) => DateOnly.FromDateTime(ToNewYork(utc));
}
