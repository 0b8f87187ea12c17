using System.Runtime.CompilerServices;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;

namespace AiTrader.MarketData.Streaming;

/// <summary>Pacing and selection for <see cref="ReplayStream"/>.</summary>
public sealed record ReplayOptions
{
    /// <summary>Market time per real time: 60 plays one market minute per second, 1 is real time; null plays as fast as
    /// the consumer reads (no waits).</summary>
    public double? Speed { get; init; }

    /// <summary>Cap on one real wait (nights and weekends would otherwise stall a paced replay); null = no cap.</summary>
    public TimeSpan? MaxWait { get; init; }

    public Timeframe Timeframe { get; init; } = Timeframe.OneMinute;

    /// <summary>Adjustment asked of the bar source (the live stream is raw; backtests default to split).</summary>
    public PriceAdjustment Adjustment { get; init; } = PriceAdjustment.Split;

    /// <summary>Only bars whose open falls in a regular session (09:30–16:00 New York, early closes honoured).</summary>
    public bool RegularSessionOnly { get; init; }

    /// <summary>Clock for waits and received-at stamps; tests pass a virtual one so paced replays finish instantly.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ITradingCalendar Calendar { get; init; } = NyseCalendar.Instance;
}

/// <summary>Plays stored bars (bundled CSV, cache, any <see cref="IBarSource"/>) as if live: merged across symbols in
/// timestamp order, paced by <see cref="ReplayOptions.Speed"/>, Source = replay. Paper trading runs on this.</summary>
public sealed class ReplayStream
{
    private readonly IBarSource? _source;
    private readonly ReplayOptions _options;

    public ReplayStream(IBarSource? source, ReplayOptions? options = null)
    {
        _source = source;
        _options = options ?? new ReplayOptions();
        if (_options.Speed is { } s && (double.IsNaN(s) || s <= 0))
        {
            throw new ArgumentException($"Replay speed must be greater than 0 (got {s}); use null for as fast as possible.", nameof(options));
        }
    }

    /// <summary>A replay over the bundled sample data (data/sample, see <see cref="SampleData.LocateRoot"/>).</summary>
    public static ReplayStream OpenSample(ReplayOptions? options = null) =>
        new(CsvBarSource.OpenSample((options ?? new ReplayOptions()).Calendar), options);

    /// <summary>Bars of New York session dates <paramref name="startDate"/>..<paramref name="endDate"/> (inclusive).</summary>
    public IAsyncEnumerable<StreamPayload> StreamBarsAsync(IReadOnlyList<Symbol> symbols, DateOnly startDate, DateOnly endDate,
        CancellationToken cancellationToken = default)
    {
        if (endDate < startDate)
        {
            throw new ArgumentException($"Replay end {endDate:yyyy-MM-dd} is before start {startDate:yyyy-MM-dd}; swap them.");
        }

        var startUtc = ExchangeTime.StartOfDateUtc(startDate);
        var endUtc = ExchangeTime.EndOfDateUtc(endDate);
        return StreamBarsAsync(symbols, startUtc, endUtc, cancellationToken);
    }

    /// <summary>Bars with open in [<paramref name="startUtc"/>, <paramref name="endUtc"/>] from the bar source.</summary>
    public async IAsyncEnumerable<StreamPayload> StreamBarsAsync(IReadOnlyList<Symbol> symbols, DateTime startUtc, DateTime endUtc,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        var source = _source ?? throw new InvalidOperationException("This ReplayStream has no bar source; use the overload that takes bars.");
        var bySymbol = new Dictionary<Symbol, IReadOnlyList<Bar>>();
        foreach (var symbol in symbols.Distinct())
        {
            var series = await source.GetBarsAsync(
                new BarRequest(symbol, _options.Timeframe, startUtc, endUtc, _options.Adjustment), cancellationToken).ConfigureAwait(false);
            bySymbol[symbol] = series.Bars;
        }

        await foreach (var p in StreamBarsAsync(bySymbol, cancellationToken).ConfigureAwait(false))
        {
            yield return p;
        }
    }

    /// <summary>Plays bars already in hand (e.g. from the cache), merged across symbols by timestamp; ties keep the
    /// dictionary's symbol order.</summary>
    public async IAsyncEnumerable<StreamPayload> StreamBarsAsync(IReadOnlyDictionary<Symbol, IReadOnlyList<Bar>> barsBySymbol,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(barsBySymbol);
        var time = _options.TimeProvider;
        var merged = barsBySymbol
            .SelectMany((kv, order) => kv.Value.Select(b => (Symbol: kv.Key, Bar: b, Order: order)))
            .Where(x => !_options.RegularSessionOnly || InRegularSession(x.Bar.Timestamp))
            .OrderBy(x => x.Bar.Timestamp)
            .ThenBy(x => x.Order);

        DateTime? previous = null;
        foreach (var (symbol, bar, _) in merged)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (previous is { } p && _options.Speed is { } speed && bar.Timestamp > p)
            {
                var wait = TimeSpan.FromTicks((long)((bar.Timestamp - p).Ticks / speed));
                if (_options.MaxWait is { } cap && wait > cap)
                {
                    wait = cap;
                }

                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                }
            }

            previous = bar.Timestamp;
            yield return StreamPayload.ForBar(symbol, bar, StreamSources.Replay, time.GetUtcNow().UtcDateTime);
        }
    }

    private bool InRegularSession(DateTime utc) =>
        _options.Calendar.IsInRegularSession(utc);
}
