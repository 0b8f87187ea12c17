using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Backtesting;

/// <summary>Drives a strategy bar by bar over historical bars against a simulated broker; one run per call, no shared state.</summary>
/// <remarks>
/// Per accepted bar t: (1) orders decided at earlier bars execute (market at the open, limits when traded through,
/// then the resting stop) if the bar may fill: inside the session of <see cref="BacktestOptions.Calendar"/>, or
/// always when there is no calendar; otherwise they wait for the next bar that may; (2) the strategy sees bars 0..t and the account marked at close_t and returns intents; (3) equity is marked
/// at close_t. Flagged bars are skipped entirely (no fill, no decision; equity at the last good close) and pending
/// orders wait for the next unflagged bar. A position open after the last bar is closed at the last good close
/// without slippage (commission applies) with exit reason <see cref="ExitReasons.EndOfData"/>. See
/// <see cref="SimulatedBroker"/> for the fill conventions.
/// </remarks>
public sealed class BacktestEngine
{
    private readonly BacktestOptions _options;

    public BacktestEngine(BacktestOptions? options = null) => _options = (options ?? new BacktestOptions()).Validate();

    public BacktestOptions Options => _options;

    /// <summary>Runs <paramref name="strategy"/> (after <see cref="IStrategy.Reset"/>) over <paramref name="series"/>.</summary>
    /// <exception cref="ArgumentException">The bars are not in strictly increasing time order.</exception>
    /// <remarks>The loop allocates nothing per bar of its own: the strategy reads a growing view of the input (or of
    /// the accepted bars when some are flagged) through one reused <see cref="StrategyContext"/>, and the equity curve
    /// is derived from the account states recorded on bars with fills (<see cref="DerivedEquityCurve"/>).</remarks>
    public BacktestResult Run(BarSeries series, IStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(strategy);

        var bars = series.Bars;
        var flags = series.Flags.Count > 0 ? series.FlagsByTime() : null;

        strategy.Reset();
        var broker = new SimulatedBroker(series.Symbol, _options);
        var clock = new SessionClock(_options.Calendar, _options.ExtendedHours, series.Timeframe);
        // The strategy's only window on prices grows one bar per step, so later bars are not there to be read.
        var prefix = flags is null ? new PrefixView<Bar>(bars) : null;
        var accepted = flags is null ? null : new List<Bar>(bars.Count);
        IReadOnlyList<Bar> visible = prefix ?? (IReadOnlyList<Bar>)accepted!.AsReadOnly();
        var context = new StrategyContext(series.Symbol, series.Timeframe, visible, 0m, broker.Cash, broker.Cash, null,
            _options.AllowShort);
        var equityCurve = new DerivedEquityCurve(bars, broker.Cash);
        var fillsSeen = 0;
        var skipped = new List<BarFlag>();
        var lastGoodIndex = -1;
        var previous = DateTime.MinValue;

        // Read the bars in place when they sit in an array or list (no interface call, no 100-byte copy per bar).
        var span = bars switch
        {
            Bar[] array => array.AsSpan(),
            List<Bar> list => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list),
            _ => bars.ToArray().AsSpan(),
        };
        for (var i = 0; i < span.Length; i++)
        {
            ref readonly var bar = ref span[i];
            if (bar.Timestamp <= previous)
            {
                throw new ArgumentException(
                    $"Bars must be in strictly increasing time order; bar {i} at {bar.Timestamp:O} follows {previous:O}.",
                    nameof(series));
            }

            previous = bar.Timestamp;
            if (flags is not null && flags.TryGetValue(bar.Timestamp, out var badPrint))
            {
                skipped.Add(badPrint);
                equityCurve.MarkSkipped(i, lastGoodIndex);
                continue;
            }

            var canFill = clock.CanFill(bar.Timestamp);
            broker.Execute(in bar, canFill, clock.Day);
            if (broker.Fills.Count != fillsSeen)
            {
                fillsSeen = broker.Fills.Count;
                equityCurve.RecordState(i, broker.Cash, broker.PositionQuantity);
            }

            if (prefix is not null)
            {
                prefix.Grow();
            }
            else
            {
                accepted!.Add(bar);
            }

            lastGoodIndex = i;
            context.UpdateMarked(in bar, broker.PositionQuantity, broker.PositionSign, broker.Cash, broker.ProtectiveStop);
            broker.Submit(strategy.OnBar(context), in bar);
        }

        equityCurve.SetCount(span.Length);
        if (lastGoodIndex >= 0)
        {
            var wasOpen = broker.PositionQuantity != 0;
            broker.CloseAtEnd(bars[lastGoodIndex]);
            if (wasOpen)
            {
                // The end-of-data commission belongs in the curve too, so its last point equals the final equity.
                equityCurve.SetLast(equityCurve[^1] with { Equity = broker.Cash, GrossPositionValue = 0m });
            }
        }

        return new BacktestResult(series.Symbol, strategy.Name, _options, broker.Trades.ToArray(), equityCurve,
            broker.Fills.ToArray(), broker.Orders.ToArray(), skipped, broker.Cash)
        {
            Cancellations = broker.Cancellations.ToArray(),
            StopAmendments = broker.StopAmendments.ToArray(),
        };
    }
}
