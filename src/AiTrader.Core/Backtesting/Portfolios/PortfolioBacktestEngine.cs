using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.MarketData;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Backtesting.Portfolios;

/// <summary>Runs one strategy instance per symbol over the union of their bars, all booking into one cash account: the
/// trading loop of paper and live trading driven by historical series (a single-symbol backtest is the same loop with
/// one leg).</summary>
/// <remarks>
/// <para>Per distinct timestamp t of the union, the symbols with a bar at t go through <see cref="TradingLoop.Step"/> in
/// the order given: reducing orders of every symbol at the open, then every entry at the open, then the stops within the
/// bar, then each strategy decides on its own bars 0..t with the whole account's equity (cash plus every position at its
/// symbol's last traded close) and the order router sizes, limits and sends its intents (see
/// <see cref="OrderRouter"/>). A strategy learns its own round trips from the loop's trade-closed events.</para>
/// <para>When a symbol's bars end, its open position is closed at its last traded close (exit reason
/// <see cref="ExitReasons.EndOfData"/>, commission, no slippage) and its working orders are cancelled.</para>
/// <para>Limits are enforced when an entry is decided; later price moves (including the gap to the fill) can carry a
/// position above its limit, and nothing is sold to rebalance.</para>
/// </remarks>
public sealed class PortfolioBacktestEngine
{
    private readonly PortfolioBacktestOptions _options;

    public PortfolioBacktestEngine(PortfolioBacktestOptions? options = null) =>
        _options = (options ?? new PortfolioBacktestOptions()).Validate();

    public PortfolioBacktestOptions Options => _options;

    /// <summary>Runs every leg's strategy (after <see cref="IStrategy.Reset"/>) on one account.</summary>
    /// <exception cref="ArgumentException">No legs, a symbol twice, one strategy instance on two legs, mixed timeframes,
    /// or bars out of time order.</exception>
    public PortfolioBacktestResult Run(IReadOnlyList<PortfolioLeg> legs)
    {
        ArgumentNullException.ThrowIfNull(legs);
        Validate(legs);

        var account = _options.Account;
        var exchange = new SimulatedExchange(account);
        var router = new OrderRouter(exchange, account, _options.Routing);
        var loop = new TradingLoop(exchange, router, account, new LoopOptions(legs[0].Series.Timeframe),
            legs.Select(l => (l.Symbol, l.Strategy)).ToArray(), legs.Select(l => (IReadOnlyList<Bar>?)l.Series.Bars).ToArray());
        var flags = legs.Select(l => l.Series.FlagsByTime()).ToArray();
        var cursors = new int[legs.Count];
        var skipped = new List<SkippedBar>();
        var equityCurve = new List<EquityPoint>();
        var batch = new List<LegBar>(legs.Count);

        while (NextTimestamp(legs, cursors) is { } t)
        {
            batch.Clear();
            for (var i = 0; i < legs.Count; i++)
            {
                var bars = legs[i].Series.Bars;
                if (cursors[i] < bars.Count && bars[cursors[i]].Timestamp == t)
                {
                    var bar = bars[cursors[i]];
                    string? badPrint = null;
                    if (flags[i].TryGetValue(t, out var flag))
                    {
                        skipped.Add(new SkippedBar(legs[i].Symbol, flag));
                        badPrint = flag.Reason;
                    }

                    batch.Add(new LegBar(i, bar, badPrint, cursors[i]));
                }
            }

            loop.Step(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batch));

            // A symbol whose bars end here closes out at its last traded close.
            foreach (var b in batch)
            {
                if (++cursors[b.Leg] == legs[b.Leg].Series.Bars.Count && loop.Legs[b.Leg].LastTraded is { } last)
                {
                    exchange.CloseAtEnd(exchange.Book(legs[b.Leg].Symbol), last);
                }
            }

            equityCurve.Add(new EquityPoint(t, exchange.Equity, exchange.GrossPositionValue));
        }

        // The closes at the end of the data happened after the last point was taken: events go to the strategies too.
        loop.CloseAtEnd();
        if (equityCurve.Count > 0)
        {
            equityCurve[^1] = equityCurve[^1] with { Equity = exchange.Equity, GrossPositionValue = exchange.GrossPositionValue };
        }

        return new PortfolioBacktestResult(
            legs[0].Strategy.Name,
            _options,
            legs.Select(l => l.Symbol).ToArray(),
            legs.ToDictionary(l => l.Symbol, l => l.Series.Bars.Count),
            exchange.Trades.ToArray(),
            equityCurve,
            exchange.Fills.ToArray(),
            exchange.Orders,
            skipped,
            router.LimitEvents.ToArray(),
            exchange.LowestCash,
            exchange.Cash)
        {
            Cancellations = exchange.Cancellations.ToArray(),
            StopAmendments = exchange.StopAmendments.ToArray(),
            Rejections = router.Rejections.ToArray(),
        };
    }

    private static DateTime? NextTimestamp(IReadOnlyList<PortfolioLeg> legs, int[] cursors)
    {
        DateTime? next = null;
        for (var i = 0; i < legs.Count; i++)
        {
            var bars = legs[i].Series.Bars;
            if (cursors[i] < bars.Count && (next is null || bars[cursors[i]].Timestamp < next))
            {
                next = bars[cursors[i]].Timestamp;
            }
        }

        return next;
    }

    private static void Validate(IReadOnlyList<PortfolioLeg> legs)
    {
        if (legs.Count == 0)
        {
            throw new ArgumentException("A portfolio backtest needs at least one symbol.", nameof(legs));
        }

        foreach (var leg in legs)
        {
            ArgumentNullException.ThrowIfNull(leg);
            if (leg.Series.Timeframe != legs[0].Series.Timeframe)
            {
                throw new ArgumentException($"{leg.Symbol} has {leg.Series.Timeframe} bars, {legs[0].Symbol} has {legs[0].Series.Timeframe}; use one interval.", nameof(legs));
            }

            if (leg.Strategy.Name != legs[0].Strategy.Name)
            {
                throw new ArgumentException($"{leg.Symbol} runs {leg.Strategy.Name}, {legs[0].Symbol} runs {legs[0].Strategy.Name}; a portfolio run uses one strategy.", nameof(legs));
            }

            var bars = leg.Series.Bars;
            for (var i = 1; i < bars.Count; i++)
            {
                if (bars[i].Timestamp <= bars[i - 1].Timestamp)
                {
                    throw new ArgumentException(
                        $"{leg.Symbol}: bars must be in strictly increasing time order; bar {i} at {bars[i].Timestamp:O} follows {bars[i - 1].Timestamp:O}.",
                        nameof(legs));
                }
            }
        }
    }
}
