using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Backtesting;

/// <summary>Drives a strategy bar by bar over historical bars against a simulated broker; one run per call, no shared state.</summary>
/// <remarks>
/// Per accepted bar t: (1) orders decided at the previous accepted bar execute (market at the open, then the resting
/// stop); (2) the strategy sees bars 0..t and the account marked at close_t and returns intents; (3) equity is marked
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
    public BacktestResult Run(BarSeries series, IStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(strategy);

        var flags = new Dictionary<DateTime, BarFlag>();
        foreach (var flag in series.Flags)
        {
            flags.TryAdd(flag.Timestamp, flag);
        }

        strategy.Reset();
        var broker = new SimulatedBroker(series.Symbol, _options);
        // The strategy's only window on prices: it grows one bar per step, so later bars are not there to be read.
        var accepted = new List<Bar>(series.Bars.Count);
        var visible = accepted.AsReadOnly();
        var equityCurve = new List<EquityPoint>(series.Bars.Count);
        var skipped = new List<BarFlag>();
        Bar? lastGood = null;

        for (var i = 0; i < series.Bars.Count; i++)
        {
            var bar = series.Bars[i];
            if (i > 0 && bar.Timestamp <= series.Bars[i - 1].Timestamp)
            {
                throw new ArgumentException(
                    $"Bars must be in strictly increasing time order; bar {i} at {bar.Timestamp:O} follows {series.Bars[i - 1].Timestamp:O}.",
                    nameof(series));
            }

            if (flags.TryGetValue(bar.Timestamp, out var badPrint))
            {
                skipped.Add(badPrint);
                equityCurve.Add(Mark(broker, bar.Timestamp, lastGood?.Close ?? 0m));
                continue;
            }

            broker.Execute(bar);
            accepted.Add(bar);
            lastGood = bar;

            var context = new StrategyContext(series.Symbol, series.Timeframe, visible, broker.PositionQuantity,
                broker.Cash, broker.Equity(bar.Close), broker.ProtectiveStop, _options.AllowShort);
            broker.Submit(strategy.OnBar(context), bar);
            equityCurve.Add(Mark(broker, bar.Timestamp, bar.Close));
        }

        if (lastGood is { } last)
        {
            var wasOpen = broker.PositionQuantity != 0;
            broker.CloseAtEnd(last);
            if (wasOpen)
            {
                // The end-of-data commission belongs in the curve too, so its last point equals the final equity.
                equityCurve[^1] = equityCurve[^1] with { Equity = broker.Cash, GrossExposure = 0m };
            }
        }

        return new BacktestResult(series.Symbol, strategy.Name, _options, broker.Trades.ToArray(), equityCurve,
            broker.Fills.ToArray(), broker.Orders.ToArray(), skipped, broker.Cash);
    }

    private static EquityPoint Mark(SimulatedBroker broker, DateTime timestamp, decimal price)
    {
        var equity = broker.Equity(price);
        var exposure = equity == 0 ? 0m : Math.Abs(broker.PositionQuantity * price) / equity;
        return new EquityPoint(timestamp, equity, exposure);
    }
}
