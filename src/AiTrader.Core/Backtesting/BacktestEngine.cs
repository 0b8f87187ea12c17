using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.MarketData;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Backtesting;

/// <summary>Runs a strategy over one symbol's historical bars: the trading loop of paper and live trading, driven by the
/// series, against the simulated exchange and through the order router; one run per call, no shared state.</summary>
/// <remarks>
/// A single-symbol backtest is a portfolio of one: the rules are <see cref="TradingLoop"/>'s (traded session, bad prints,
/// fill passes, decisions) and <see cref="SimulatedExchange"/>'s (fills, stops, fees); this class only walks the bars in
/// place and records the equity curve. A position open after the last traded bar is closed at its close without
/// slippage (commission applies) with exit reason <see cref="ExitReasons.EndOfData"/>.
/// </remarks>
public sealed class BacktestEngine
{
    private readonly ExchangeOptions _options;
    private readonly RoutingOptions _routing;

    /// <param name="options">The account, costs and session rules.</param>
    /// <param name="routing">Sizing, guardrails and limits of the order router (none by default: a research run).</param>
    public BacktestEngine(ExchangeOptions? options = null, RoutingOptions? routing = null)
    {
        _options = (options ?? new ExchangeOptions()).Validate();
        _routing = routing ?? new RoutingOptions();
    }

    public ExchangeOptions Options => _options;

    public RoutingOptions Routing => _routing;

    /// <summary>Runs <paramref name="strategy"/> (after <see cref="IStrategy.Reset"/>) over <paramref name="series"/>.</summary>
    /// <exception cref="ArgumentException">The bars are not in strictly increasing time order.</exception>
    /// <remarks>The loop allocates nothing per bar of its own: the strategy reads the traded bars in place (a copy only once
    /// a bar is skipped), and the equity curve is derived from the account states recorded on bars with fills
    /// (<see cref="DerivedEquityCurve"/>).</remarks>
    public BacktestResult Run(BarSeries series, IStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(strategy);

        var bars = series.Bars;
        var flags = series.Flags.Count > 0 ? series.FlagsByTime() : null;
        var exchange = new SimulatedExchange(_options);
        var router = new OrderRouter(exchange, _options, _routing);
        var loop = new TradingLoop(exchange, router, _options, new LoopOptions(series.Timeframe), [(series.Symbol, strategy)], [bars]);
        var book = exchange.Book(series.Symbol);
        var equityCurve = new DerivedEquityCurve(bars, exchange.Cash);
        var fillsSeen = 0;
        var skipped = new List<BarFlag>();
        var lastGoodIndex = -1;
        var previous = DateTime.MinValue;

        // Read the bars in place when they sit in an array or list (no interface call, no 100-byte copy per bar); columns
        // put each bar together in a local. Two loops, so the common in-place path keeps a plain reference to each bar
        // (a reference that may point at a local makes the JIT spill and reload around every call).
        var columns = bars as BarColumns;
        var count = columns?.Count ?? bars.Count;
        if (columns is null)
        {
            var span = bars switch
            {
                Bar[] array => array.AsSpan(),
                List<Bar> list => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list),
                _ => bars.ToArray().AsSpan(),
            };
            for (var i = 0; i < span.Length; i++)
            {
                Visit(in span[i], i);
            }
        }
        else
        {
            for (var i = 0; i < count; i++)
            {
                columns.Read(i, out var current);
                Visit(in current, i);
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        void Visit(in Bar bar, int i)
        {
            if (bar.Timestamp <= previous)
            {
                throw new ArgumentException(
                    $"Bars must be in strictly increasing time order; bar {i} at {bar.Timestamp:O} follows {previous:O}.",
                    nameof(series));
            }

            previous = bar.Timestamp;
            string? badPrint = null;
            if (flags is not null && flags.TryGetValue(bar.Timestamp, out var flag))
            {
                skipped.Add(flag);
                badPrint = flag.Reason;
            }

            if (!loop.StepOne(0, in bar, badPrint, i))
            {
                equityCurve.MarkSkipped(i, lastGoodIndex);
                return;
            }

            if (exchange.FillCount != fillsSeen)
            {
                fillsSeen = exchange.FillCount;
                equityCurve.RecordState(i, exchange.Cash, book.Position);
            }

            lastGoodIndex = i;
        }

        equityCurve.SetCount(count);
        if (lastGoodIndex >= 0)
        {
            var wasOpen = book.Sign != 0;
            loop.CloseAtEnd();
            if (wasOpen)
            {
                // The end-of-data commission belongs in the curve too, so its last point equals the final equity.
                equityCurve.SetLast(equityCurve[^1] with { Equity = exchange.Cash, GrossPositionValue = 0m });
            }
        }

        return new BacktestResult(series.Symbol, strategy.Name, _options, exchange.Trades.ToArray(), equityCurve,
            exchange.Fills.ToArray(), exchange.Orders, skipped, exchange.Cash)
        {
            Cancellations = exchange.Cancellations.ToArray(),
            StopAmendments = exchange.StopAmendments.ToArray(),
            Rejections = router.Rejections.ToArray(),
            OutsideSessionBars = loop.Legs[0].OutsideSession,
        };
    }
}
