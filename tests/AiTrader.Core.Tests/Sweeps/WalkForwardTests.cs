using AiTrader.Core.Backtesting;
using AiTrader.Core.Backtesting.Sweeps;
using AiTrader.Core.Domain;
using AiTrader.Core.Strategies;
using AiTrader.Core.Tests.Backtesting;

namespace AiTrader.Core.Tests.Sweeps;

[Collection(AiTrader.Core.Tests.Sweeps.CpuHeavyCollection.Name)]
public class WalkForwardTests
{
    [Fact]
    public void Rolling_windows_known_answer()
    {
        var windows = WalkForwardPlan.Rolling(1000, 400, 200);

        Assert.Equal(
            [
                new WalkForwardWindow(0, 0, 400, 400, 600),
                new WalkForwardWindow(1, 200, 600, 600, 800),
                new WalkForwardWindow(2, 400, 800, 800, 1000),
            ],
            windows);
    }

    [Fact]
    public void The_last_out_of_sample_block_is_cut_short_at_the_end_of_the_data()
    {
        var windows = WalkForwardPlan.Rolling(1050, 400, 200);

        Assert.Equal(4, windows.Count);
        Assert.Equal(new WalkForwardWindow(3, 600, 1000, 1000, 1050), windows[^1]);
        // The test blocks tile [IS, N) exactly once.
        Assert.Equal(Enumerable.Range(400, 650), windows.SelectMany(w => Enumerable.Range(w.OutOfSampleStart, w.OutOfSampleLength)));
    }

    [Theory]
    [InlineData(400, 400, 200)]
    [InlineData(1000, 0, 200)]
    [InlineData(1000, 400, 0)]
    public void Impossible_plans_are_rejected(int bars, int inSample, int outOfSample) =>
        Assert.Throws<ArgumentException>(() => WalkForwardPlan.Rolling(bars, inSample, outOfSample));

    [Fact]
    public void Years_become_bars_by_the_series_own_density()
    {
        var daily = TestBars.Series(TestBars.RandomWalk(600, seed: 1));
        Assert.Equal(504, WalkForwardPlan.BarsForYears(daily, 2));
        Assert.Equal(126, WalkForwardPlan.BarsForYears(daily, 0.5));
    }

    [Fact]
    public void A_strategy_that_only_trades_in_sample_shows_zero_out_of_sample_trades()
    {
        var bars = TestBars.RandomWalk(1000, seed: 11);
        var series = TestBars.Series(bars);
        var cutoff = bars[400].Timestamp;
        var options = new SweepOptions
        {
            Strategy = "in_sample_only",
            StrategyFactory = p => new TradeEveryBarBefore(cutoff, int.Parse(p["hold"], System.Globalization.CultureInfo.InvariantCulture)),
            MaxDegreeOfParallelism = 2,
        };

        var result = new WalkForwardRunner(options).Run(series, ParameterGrid.Parse("hold=1:3"), new WalkForwardOptions(400, 200));

        Assert.Equal(3, result.Windows.Count);
        // In-sample it traded (window 0 tuned on bars 0..399 where it trades every few bars)...
        Assert.NotNull(result.Windows[0].InSampleScore);
        // ...but none of that reaches the out-of-sample report.
        Assert.All(result.Windows, w => Assert.Equal(0, w.OutOfSample.Trades));
        Assert.Empty(result.Trades);
        Assert.Equal(0, result.Metrics.Trades);
        Assert.Equal(options.Backtest.InitialCapital, result.Metrics.FinalEquity);
        Assert.Equal(bars.Skip(400).Select(b => b.Timestamp), result.Equity.Select(p => p.Timestamp));
    }

    [Fact]
    public void Out_of_sample_trades_open_and_close_inside_their_window()
    {
        var bars = TestBars.RandomWalk(1000, seed: 12);
        var series = TestBars.Series(bars);
        var options = new SweepOptions
        {
            Strategy = "always",
            StrategyFactory = p => new TradeEveryBarBefore(DateTime.MaxValue, int.Parse(p["hold"], System.Globalization.CultureInfo.InvariantCulture)),
        };

        var result = new WalkForwardRunner(options).Run(series, ParameterGrid.Parse("hold=2,5"), new WalkForwardOptions(400, 200));

        Assert.All(result.Windows, w =>
        {
            Assert.NotEmpty(w.Trades);
            // Entries are decided no earlier than the first OOS bar, so they fill on the second one at the earliest.
            Assert.All(w.Trades, t => Assert.True(t.EntryTime > w.OutOfSampleFirst && t.ExitTime <= w.OutOfSampleLast));
            Assert.Equal(w.Window.OutOfSampleLength, w.Equity.Count);
            Assert.Equal(w.OutOfSampleFirst, w.Equity[0].Timestamp);
        });

        // Stitching compounds the windows: the stitched growth is the product of the windows' growth.
        var product = result.Windows.Aggregate(1m, (acc, w) => acc * (w.OutOfSample.FinalEquity / options.Backtest.InitialCapital));
        Assert.Equal((double)product, (double)(result.Metrics.FinalEquity / options.Backtest.InitialCapital), 6);
        Assert.Equal(result.Windows.Sum(w => w.Trades.Count), result.Trades.Count);
    }

    [Fact]
    public void The_warmup_guard_feeds_every_bar_but_drops_decisions_before_trading_starts()
    {
        var bars = TestBars.RandomWalk(50, seed: 3);
        var inner = new TradeEveryBarBefore(DateTime.MaxValue, 1);
        var guard = new WarmupGuard(inner, bars[30].Timestamp);

        var run = new BacktestEngine().Run(TestBars.Series(bars), guard);

        Assert.Equal(50, inner.BarsSeen);
        Assert.True(run.Orders.Count > 0);
        Assert.All(run.Orders, o => Assert.True(o.CreatedAt >= bars[30].Timestamp));
    }

    [Fact]
    public void Walk_forward_output_does_not_depend_on_parallelism()
    {
        var series = TestBars.Series(TestBars.RandomWalk(900, seed: 21));
        var grid = ParameterGrid.Parse("lookback=10:30:10,atr_multiplier=2,3");
        string Render(int degree)
        {
            var r = new WalkForwardRunner(new SweepOptions { Strategy = "breakout", MaxDegreeOfParallelism = degree })
                .Run(series, grid, new WalkForwardOptions(300, 150));
            return WalkForwardReportWriter.RenderWindows(r, grid) + BacktestReportWriter.RenderEquityCsv(r.Equity);
        }

        Assert.Equal(Render(1), Render(4));
    }

    /// <summary>Buys 1 share whenever flat and sells after <c>hold</c> bars, but only on bars before <c>until</c>.</summary>
    private sealed class TradeEveryBarBefore(DateTime until, int hold) : IStrategy
    {
        private int _held;

        public int BarsSeen { get; private set; }

        public string Name => "test";

        public void Reset()
        {
            _held = 0;
            BarsSeen = 0;
        }

        public IReadOnlyList<OrderIntent> OnBar(StrategyContext context)
        {
            BarsSeen++;
            if (context.Bar.Timestamp >= until)
            {
                return context.IsLong ? [OrderIntent.Exit(PositionSide.Long, "cutoff")] : [];
            }

            if (context.IsFlat)
            {
                _held = 0;
                return [OrderIntent.Enter(PositionSide.Long, 1, null, "enter")];
            }

            return ++_held >= hold ? [OrderIntent.Exit(PositionSide.Long, "held")] : [];
        }
    }
}
