using AiTrader.Core.Backtesting;
using AiTrader.Core.Backtesting.Portfolios;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.MarketData;
using AiTrader.Core.Risk;
using AiTrader.Core.Strategies;
using static AiTrader.Core.Tests.Backtesting.TestBars;

namespace AiTrader.Core.Tests.Backtesting.Portfolios;

/// <summary>Hand-built portfolios whose fills are worked out by hand. No slippage; commission $0.005/share, $1 minimum.</summary>
public class PortfolioBacktestEngineTests
{
    private static readonly ExchangeOptions NoSlippage = new(SlippageBps: 0m);

    [Fact]
    public void Shared_cash_cuts_the_second_buy_and_exits_fund_entries_at_the_same_open()
    {
        // B is listed first, so it fills first when both have a pending entry.
        var a = Flat("A", 100m, 100m, (1, 100m, 110m), (2, 110m, 120m), (3, 120m, 120m), (4, 120m, 120m), (5, 120m, 120m));
        var b = Flat("B", 50m, 50m, (1, 50m, 50m), (2, 50m, 50m), (3, 50m, 55m), (4, 55m, 60m), (5, 60m, 60m));
        var strategyA = new ScriptedStrategy(new() { [0] = [Buy(900)], [2] = [Sell()] });
        var strategyB = new ScriptedStrategy(new() { [0] = [Buy(1000)], [2] = [Buy(500)] });

        var result = new PortfolioBacktestEngine(new PortfolioBacktestOptions(NoSlippage))
            .Run([new PortfolioLeg(b, strategyB), new PortfolioLeg(a, strategyA)]);

        // Day 1: B buys 1000 @ 50 = 50,000 + fee 5 -> cash 49,995.
        //        A wants 900 @ 100 but cash pays for floor(49,995 / 100) = 499 (49,900 + fee 2.495 <= 49,995) -> cash 92.505.
        // Day 2 (close A 120, B 50): A exits, B adds 500.
        // Day 3 open: A's exit fills first: 499 @ 120 = 59,880 − fee 2.495 -> cash 59,970.01;
        //        then B's add: 500 @ 50 = 25,000 + fee 2.5 -> cash 34,967.51 (had B gone first, 92.505 buys 1 share).
        // Day 5: B's data ends; 1500 sold at the close 60 = 90,000 − fee 7.5 -> cash 124,960.01.
        Assert.Equal(
            [
                // One exchange numbers the orders of every symbol: B's entry o1, A's o2 (day 0); B's add o3, A's exit o4
                // (day 2, in the order the symbols decide); B's end-of-data close o5.
                new Fill("o1", "B", OrderSide.Buy, 1000m, 50m, 5m, Day(1)),
                new Fill("o2", "A", OrderSide.Buy, 499m, 100m, 2.495m, Day(1)),
                new Fill("o4", "A", OrderSide.Sell, 499m, 120m, 2.495m, Day(3)),
                new Fill("o3", "B", OrderSide.Buy, 500m, 50m, 2.5m, Day(3)),
                new Fill("o5", "B", OrderSide.Sell, 1500m, 60m, 7.5m, Day(5)),
            ],
            result.Fills);

        // A: 499 × (120 − 100) − 4.99 = 9,975.01. B: 1500 × (60 − 50) − (5 + 2.5 + 7.5) = 14,985.
        Assert.Equal(2, result.Trades.Count);
        Assert.Equal(new TradeRecord("A", PositionSide.Long, 499m, Day(1), 100m, Day(3), 120m, 9_975.01m, 4.99m, ExitReasons.Signal), result.Trades[0]);
        Assert.Equal(new TradeRecord("B", PositionSide.Long, 1500m, Day(1), 50m, Day(5), 60m, 14_985m, 15m, ExitReasons.EndOfData), result.Trades[1]);
        Assert.Equal(124_960.01m, result.FinalEquity);
        Assert.Equal(100_000m + result.Trades.Sum(t => t.Pnl), result.FinalEquity);
        Assert.Equal(92.505m, result.LowestCash);

        // Marks: day 1 = 92.505 + 499 × 110 + 1000 × 50; day 3 = 34,967.51 + 1500 × 55.
        Assert.Equal(6, result.EquityCurve.Count);
        Assert.Equal(104_982.505m, result.EquityCurve[1].Equity);
        Assert.Equal(117_467.51m, result.EquityCurve[3].Equity);
        Assert.Equal(124_960.01m, result.EquityCurve[^1].Equity);
        Assert.Equal(0m, result.EquityCurve[^1].GrossExposure);
    }

    [Fact]
    public void Every_strategy_sees_the_whole_account_and_the_shared_cash()
    {
        var a = Flat("A", 100m, 100m, (1, 100m, 110m), (2, 110m, 120m));
        var b = Flat("B", 50m, 50m, (1, 50m, 50m), (2, 50m, 40m));
        var strategyA = new ScriptedStrategy(new() { [0] = [Buy(100)] });
        var strategyB = new ScriptedStrategy(new() { [0] = [Buy(200)] });

        new PortfolioBacktestEngine(new PortfolioBacktestOptions(NoSlippage))
            .Run([new PortfolioLeg(a, strategyA), new PortfolioLeg(b, strategyB)]);

        // Day 1: A 100 @ 100 + fee 1, B 200 @ 50 + fee 1 -> cash 100,000 − 10,001 − 10,001 = 79,998.
        // Equity at day 1's close: 79,998 + 100 × 110 + 200 × 50 = 100,998; at day 2: 79,998 + 12,000 + 8,000 = 99,998.
        foreach (var strategy in new[] { strategyA, strategyB })
        {
            Assert.Equal([100_000m, 100_998m, 99_998m], strategy.Seen.Select(c => c.Equity));
            Assert.Equal([100_000m, 79_998m, 79_998m], strategy.Seen.Select(c => c.Cash));
        }

        Assert.Equal([0m, 100m, 100m], strategyA.Seen.Select(c => c.PositionQuantity));
        Assert.Equal([0m, 200m, 200m], strategyB.Seen.Select(c => c.PositionQuantity));
    }

    [Fact]
    public void Entries_are_cut_to_the_symbol_weight_and_the_gross_exposure_and_dropped_when_nothing_fits()
    {
        var days = Enumerable.Range(1, 3).Select(i => (i, 100m, 100m)).ToArray();
        var legs = new[] { "A", "B", "C", "D" }
            .Select(s => new PortfolioLeg(Flat(s, 100m, 100m, days),
                new ScriptedStrategy(s == "D" ? new() { [1] = [Buy(600)] } : new() { [0] = [Buy(600)] })))
            .ToArray();
        var options = new PortfolioBacktestOptions(NoSlippage, MaxSymbolWeight: 0.25m, MaxGrossExposure: 0.6m);

        var result = new PortfolioBacktestEngine(options).Run(legs);

        // Day 0, equity 100,000, price 100: weight room 25,000 -> 250 shares each; gross room 60,000.
        //   A: 250 (weight). B: gross room 60,000 − 25,000 pending = 35,000 -> 350, weight 250 -> 250 (weight).
        //   C: gross room 60,000 − 50,000 = 10,000 -> 100 (gross).
        // Day 1, equity 100,000 − fees (1.25 + 1.25 + 1) = 99,996.5, 60,000 held: gross room
        //   59,997.9 − 60,000 < 0 -> D dropped.
        Assert.Equal(
            [
                new ExposureLimitEvent(Day(0), "A", 600m, 250m, ExposureLimitNames.MaxSymbolWeight),
                new ExposureLimitEvent(Day(0), "B", 600m, 250m, ExposureLimitNames.MaxSymbolWeight),
                new ExposureLimitEvent(Day(0), "C", 600m, 100m, ExposureLimitNames.MaxGrossExposure),
                new ExposureLimitEvent(Day(1), "D", 600m, 0m, ExposureLimitNames.MaxGrossExposure),
            ],
            result.LimitEvents);
        Assert.Equal([250m, 250m, 100m], result.Fills.Where(f => f.Timestamp == Day(1)).Select(f => f.Quantity));
        Assert.DoesNotContain(result.Fills, f => f.Symbol == new Symbol("D"));

        var perSymbol = SymbolPerformance.ForEach(result);
        Assert.Equal([1, 1, 1, 0], perSymbol.Select(p => p.EntriesCut));
        Assert.Equal([0, 0, 0, 1], perSymbol.Select(p => p.EntriesDropped));
    }

    [Fact]
    public void A_flagged_bar_is_skipped_for_its_symbol_only()
    {
        var a = Flat("A", 100m, 100m, (1, 100m, 100m), (2, 500m, 500m), (3, 101m, 102m));
        a = a with { Flags = [new BarFlag(Day(2), "bad print")] };
        var b = Flat("B", 50m, 50m, (1, 50m, 50m), (2, 50m, 52m), (3, 52m, 52m));
        var strategyA = new ScriptedStrategy(new() { [1] = [Buy(10)] });
        var strategyB = new ScriptedStrategy(new() { [1] = [Buy(10)] });

        var result = new PortfolioBacktestEngine(new PortfolioBacktestOptions(NoSlippage))
            .Run([new PortfolioLeg(a, strategyA), new PortfolioLeg(b, strategyB)]);

        // A's entry waits for its next good bar (day 3 open 101); B fills on day 2.
        Assert.Equal([(new Symbol("B"), Day(2), 50m), (new Symbol("A"), Day(3), 101m)],
            result.Fills.Where(f => f.Side == OrderSide.Buy).Select(f => (f.Symbol, f.Timestamp, f.Price)));
        Assert.Equal([new SkippedBar("A", new BarFlag(Day(2), "bad print"))], result.SkippedBars);
        Assert.DoesNotContain(strategyA.Seen, c => c.Bar.Timestamp == Day(2));
        // Day 2 marks A at its last good close (flat anyway) and B at 52: 100,000 − 501 + 520 = 100,019.
        Assert.Equal(100_019m, result.EquityCurve[2].Equity);
    }

    [Fact]
    public void A_symbol_whose_bars_end_early_is_closed_at_its_last_close_and_the_curve_covers_the_union()
    {
        var a = Flat("A", 100m, 100m, (1, 100m, 100m), (2, 100m, 100m), (3, 100m, 100m), (4, 100m, 100m));
        var late = new BarSeries("B", Timeframe.OneDay,
            [Bar(2, 20m, 20m, 20m, 20m), Bar(3, 20m, 25m, 20m, 25m)], []);
        var strategyB = new ScriptedStrategy(new() { [2] = [Buy(100)] });

        var result = new PortfolioBacktestEngine(new PortfolioBacktestOptions(NoSlippage))
            .Run([new PortfolioLeg(a, new ScriptedStrategy([])), new PortfolioLeg(late, strategyB)]);

        // B buys 100 @ 20 on day 3 (fee 1) and is closed at day 3's close 25 (fee 1): 500 − 2 = 498.
        Assert.Equal(new TradeRecord("B", PositionSide.Long, 100m, Day(3), 20m, Day(3), 25m, 498m, 2m, ExitReasons.EndOfData),
            Assert.Single(result.Trades));
        Assert.Equal(Enumerable.Range(0, 5).Select(Day), result.EquityCurve.Select(p => p.Timestamp));
        Assert.Equal([100_000m, 100_000m, 100_000m, 100_498m, 100_498m], result.EquityCurve.Select(p => p.Equity));
        Assert.Equal(new Dictionary<Symbol, int> { ["A"] = 5, ["B"] = 2 }, result.BarCounts);
    }

    [Theory]
    [InlineData(11, false)]
    [InlineData(12, true)]
    public void One_symbol_books_exactly_what_the_single_symbol_engine_books(int seed, bool allowShort)
    {
        var bars = RandomWalk(1500, seed);
        var series = Series(bars, new BarFlag(bars[700].Timestamp, "test flag"));
        var options = new ExchangeOptions(AllowShort: allowShort);

        var single = new BacktestEngine(options).Run(series, new BreakoutStrategy());
        var portfolio = new PortfolioBacktestEngine(new PortfolioBacktestOptions(options))
            .Run([new PortfolioLeg(series, new BreakoutStrategy())]);

        Assert.True(single.Trades.Count > 5);
        Assert.Equal(single.Trades, portfolio.Trades);
        Assert.Equal(single.Fills, portfolio.Fills);
        Assert.Equal(single.EquityCurve, portfolio.EquityCurve);
        Assert.Equal(single.FinalEquity, portfolio.FinalEquity);
    }

    [Fact]
    public void Random_portfolios_keep_the_books_and_never_borrow()
    {
        var legs = Enumerable.Range(0, 5)
            .Select(i => new PortfolioLeg(
                new BarSeries($"S{i}", Timeframe.OneDay, RandomWalk(1200 - 100 * i, seed: 40 + i, startIndex: 50 * i), []),
                new BreakoutStrategy(new BreakoutParameters(RiskFraction: 0.05m))))
            .ToArray();

        var result = new PortfolioBacktestEngine(new PortfolioBacktestOptions(new ExchangeOptions(), 0.3m, 1.0m)).Run(legs);

        Assert.True(result.Trades.Count > 20, $"expected a trading fixture, got {result.Trades.Count} trades");
        Assert.Equal(100_000m + result.Trades.Sum(t => t.Pnl), result.FinalEquity);
        Assert.Equal(result.FinalEquity, result.EquityCurve[^1].Equity);
        Assert.True(result.LimitEvents.Count > 0, "expected the limits to bind at least once");
        PortfolioAssertions.CashNeverNegative(100_000m, result.Fills);
        PortfolioAssertions.EntriesWithinLimits(result, legs.Select(l => l.Series).ToArray());
    }

    [Fact]
    public void The_limit_check_catches_a_run_that_ignored_the_limits()
    {
        var legs = Enumerable.Range(0, 3)
            .Select(i => new PortfolioLeg(new BarSeries($"S{i}", Timeframe.OneDay, RandomWalk(800, seed: 60 + i), []),
                new BreakoutStrategy(new BreakoutParameters(RiskFraction: 0.05m))))
            .ToArray();
        var unlimited = new PortfolioBacktestEngine().Run(legs);

        var claimed = unlimited with { Options = new PortfolioBacktestOptions(new ExchangeOptions(), 0.1m, 0.3m) };

        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() =>
            PortfolioAssertions.EntriesWithinLimits(claimed, legs.Select(l => l.Series).ToArray()));
    }

    [Fact]
    public void Bad_legs_are_rejected_with_a_reason()
    {
        var a = Flat("A", 100m, 100m, (1, 100m, 100m));
        var shared = new ScriptedStrategy([]);
        var engine = new PortfolioBacktestEngine();

        Assert.Contains("at least one", Assert.Throws<ArgumentException>(() => engine.Run([])).Message);
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() =>
            engine.Run([new PortfolioLeg(a, new ScriptedStrategy([])), new PortfolioLeg(a, new ScriptedStrategy([]))])).Message);
        Assert.Contains("shares a strategy", Assert.Throws<ArgumentException>(() =>
            engine.Run([new PortfolioLeg(a, shared), new PortfolioLeg(a with { Symbol = "B" }, shared)])).Message);
        Assert.Contains("MaxSymbolWeight", Assert.Throws<ArgumentException>(() =>
            new PortfolioBacktestEngine(new PortfolioBacktestOptions(new ExchangeOptions(), MaxSymbolWeight: 0m))).Message);
    }

    private static OrderIntent Buy(decimal quantity) => OrderIntent.Enter(PositionSide.Long, quantity, null, "test entry");

    private static OrderIntent Sell() => OrderIntent.Exit(PositionSide.Long, "test exit");

    /// <summary>Day 0 plus the given (day, open, close) bars; high and low span open and close.</summary>
    private static BarSeries Flat(string symbol, decimal open0, decimal close0, params (int Day, decimal Open, decimal Close)[] days) =>
        new(symbol, Timeframe.OneDay,
            days.Prepend((0, open0, close0))
                .Select(d => Bar(d.Item1, d.Item2, Math.Max(d.Item2, d.Item3), Math.Min(d.Item2, d.Item3), d.Item3))
                .ToArray(),
            []);

    /// <summary>Sends the scripted intents at the given day index and records every context it was shown.</summary>
    private sealed class ScriptedStrategy(Dictionary<int, OrderIntent[]> script) : IStrategy
    {
        /// <summary>What each decision saw (copied: the loop reuses one context per symbol).</summary>
        public List<(decimal Equity, decimal Cash, decimal PositionQuantity, Bar Bar)> Seen { get; } = [];

        public string Name => "scripted";

        public void Reset() => Seen.Clear();

        public IReadOnlyList<OrderIntent> OnBar(StrategyContext context)
        {
            Seen.Add((context.Equity, context.Cash, context.PositionQuantity, context.Bar));
            var day = (int)(context.Bar.Timestamp - Start).TotalDays;
            return script.TryGetValue(day, out var intents) ? intents : [];
        }
    }
}
