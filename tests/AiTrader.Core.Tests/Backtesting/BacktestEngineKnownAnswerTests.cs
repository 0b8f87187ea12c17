using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.MarketData;
using AiTrader.Core.Risk.Sizing;
using AiTrader.Core.Signals.Regimes;
using AiTrader.Core.Strategies;
using static AiTrader.Core.Tests.Backtesting.TestBars;

namespace AiTrader.Core.Tests.Backtesting;

/// <summary>Hand-computed backtests. Costs are the defaults: 5 bps slippage, $0.005/share, $1.00 minimum.
/// Strategy: breakout with Lookback 3, AtrPeriod 3, k = 2, risk 2% of equity.</summary>
public class BacktestEngineKnownAnswerTests
{
    private static readonly BreakoutParameters Params = new(Lookback: 3, AtrPeriod: 3, AtrMultiplier: 2m, RiskFraction: 0.02m);

    // TR (vs previous close) and Wilder ATR(3) for each bar, worked by hand:
    //  i   O      H    L    C    TR                                  ATR(3)
    //  0   100    101  99   100  -                                   -
    //  1   100    101  99   100  2                                   -
    //  2   100    101  99   100  2                                   -
    //  3   100    101  99   100  2                                   (2+2+2)/3 = 2
    //  4   100.5  105  100  104  max(5, |105-100|, |100-100|) = 5    (2*2+5)/3 = 3
    //  5   105    107  104  106  max(3, 3, 0) = 3                    (2*3+3)/3 = 3
    //  6   107    112  106  111  max(6, 6, 0) = 6                    (2*3+6)/3 = 4
    //  7   111    117  110  116  max(7, 6, 1) = 7                    (2*4+7)/3 = 5
    //  8   115    116  111  112  max(5, 0, 5) = 5                    (2*5+5)/3 = 5
    //  9   110    111  104  107  max(7, 1, 8) = 8                    (2*5+8)/3 = 6
    // 10   107    110  104  109  max(6, 3, 3) = 6                    (2*6+6)/3 = 6
    // 11   110    118  109  117  max(9, 9, 0) = 9                    (2*6+9)/3 = 7
    // 12   118    120  113  119  max(7, 3, 4) = 7                    (2*7+7)/3 = 7
    // 13   100    102  98   99   gap down
    private static readonly Bar[] Bars =
    [
        Bar(0, 100m, 101m, 99m, 100m),
        Bar(1, 100m, 101m, 99m, 100m),
        Bar(2, 100m, 101m, 99m, 100m),
        Bar(3, 100m, 101m, 99m, 100m),
        Bar(4, 100.5m, 105m, 100m, 104m),
        Bar(5, 105m, 107m, 104m, 106m),
        Bar(6, 107m, 112m, 106m, 111m),
        Bar(7, 111m, 117m, 110m, 116m),
        Bar(8, 115m, 116m, 111m, 112m),
        Bar(9, 110m, 111m, 104m, 107m),
        Bar(10, 107m, 110m, 104m, 109m),
        Bar(11, 110m, 118m, 109m, 117m),
        Bar(12, 118m, 120m, 113m, 119m),
        Bar(13, 100m, 102m, 98m, 99m),
    ];

    private static BacktestResult Run(IReadOnlyList<Bar> bars, bool allowShort = false, params BarFlag[] flags) =>
        new BacktestEngine(new ExchangeOptions(AllowShort: allowShort)).Run(Series(bars, flags), new BreakoutStrategy(Params));

    [Fact]
    public void Long_trades_with_trailing_stop_intrabar_stop_and_gap_through_stop()
    {
        var result = Run(Bars);

        // Trade 1. Bar 4 close 104 > 3-bar high of bars 1..3 = 101 -> buy.
        //   stop = 104 - 2*3 = 98; qty = floor(100000 * 0.02 / |104 - 98|) = floor(333.33) = 333 (cash cap floor(100000/104) = 961)
        //   fills at bar 5 open: 105 * 1.0005 = 105.0525; fee = max(1, 333 * 0.005) = 1.665
        //   trailing stop at closes: bar5 106-6 = 100, bar6 111-8 = 103, bar7 116-10 = 106, bar8 112-10 = 102 -> stays 106
        //   bar 9: low 104 <= 106, open 110 above it -> fills at the stop, 106, no slippage; fee 1.665
        //   pnl = 333 * (106 - 105.0525) - (1.665 + 1.665) = 315.5175 - 3.33 = 312.1875
        // Trade 2. Bar 11 close 117 > high of bars 8..10 = 116 -> buy.
        //   equity = 100000 + 312.1875 = 100312.1875; stop = 117 - 2*7 = 103
        //   qty = floor(100312.1875 * 0.02 / 14) = floor(143.30) = 143; fee = max(1, 0.715) = 1
        //   fills at bar 12 open: 118 * 1.0005 = 118.059; stop trails to 119 - 14 = 105
        //   bar 13 opens at 100, through the 105 stop -> fills at the open less slippage: 100 * 0.9995 = 99.95
        //   pnl = 143 * (99.95 - 118.059) - 2 = -2589.587 - 2 = -2591.587
        // Final equity = 100312.1875 - 2591.587 = 97720.6005
        Assert.Equal(2, result.Trades.Count);

        var t1 = result.Trades[0];
        Assert.Equal(PositionSide.Long, t1.Side);
        Assert.Equal(333m, t1.Quantity);
        Assert.Equal(Day(5), t1.EntryTime);
        Assert.Equal(105.0525m, t1.EntryPrice);
        Assert.Equal(Day(9), t1.ExitTime);
        Assert.Equal(106m, t1.ExitPrice);
        Assert.Equal(3.33m, t1.Fees);
        Assert.Equal(312.1875m, t1.Pnl);
        Assert.Equal(ExitReasons.Stop, t1.ExitReason);

        var t2 = result.Trades[1];
        Assert.Equal(143m, t2.Quantity);
        Assert.Equal(Day(12), t2.EntryTime);
        Assert.Equal(118.059m, t2.EntryPrice);
        Assert.Equal(Day(13), t2.ExitTime);
        Assert.Equal(99.95m, t2.ExitPrice);
        Assert.Equal(2m, t2.Fees);
        Assert.Equal(-2591.587m, t2.Pnl);
        Assert.Equal(ExitReasons.Stop, t2.ExitReason);

        Assert.Equal(97720.6005m, result.FinalEquity);
        Assert.Equal(result.Options.InitialCapital + result.Trades.Sum(t => t.Pnl), result.FinalEquity);
    }

    [Fact]
    public void Orders_carry_the_decision_bar_time_and_the_trailing_stop_only_ratchets_up()
    {
        var result = Run(Bars);

        var entries = result.Orders.Where(o => o.Type == OrderType.Market).ToArray();
        Assert.Equal([Day(4), Day(11)], entries.Select(o => o.CreatedAt));
        Assert.All(entries, o => Assert.Equal(OrderSide.Buy, o.Side));
        Assert.Equal([333m, 143m], entries.Select(o => o.Quantity));

        // One stop order per position, placed when its entry fills (98 at bar 5, then 103 at bar 12), amended as it
        // trails: 100, 103, 106 (bar 8 would give 102: not sent), then 105.
        var stops = result.Orders.Where(o => o.Type == OrderType.Stop).ToArray();
        Assert.Equal([98m, 103m], stops.Select(o => o.StopPrice!.Value));
        Assert.Equal([Day(5), Day(12)], stops.Select(o => o.CreatedAt));
        Assert.All(stops, o => Assert.Equal(OrderSide.Sell, o.Side));
        Assert.Equal([100m, 103m, 106m, 105m], result.StopAmendments.Select(a => a.StopPrice));
        Assert.Equal([Day(5), Day(6), Day(7), Day(12)], result.StopAmendments.Select(a => a.Timestamp));
        Assert.Equal([stops[0].Id, stops[0].Id, stops[0].Id, stops[1].Id], result.StopAmendments.Select(a => a.OrderId));

        // Fills: the stop fills reference the stop order that was resting on that bar.
        Assert.Equal(4, result.Fills.Count);
        Assert.Equal(stops[0].Id, result.Fills[1].OrderId);
        Assert.Equal(stops[1].Id, result.Fills[3].OrderId);
        Assert.Equal([1.665m, 1.665m, 1m, 1m], result.Fills.Select(f => f.Fee));
    }

    [Fact]
    public void The_resting_stop_trails_up_and_never_down()
    {
        // The level resting at each close, as the strategy sees it: 98 (sent with entry 1 at bar 4, resting from
        // bar 5), 100, 103, 106, then bar 8 would give 102, so it stays 106; filled at bar 9. Entry 2 at bar 11 rests
        // 103 at bar 12 (its move to 105 fills by gap at bar 13).
        var recorder = new StopRecorder(new BreakoutStrategy(Params));
        new BacktestEngine().Run(Series(Bars), recorder);

        decimal?[] expected = [null, null, null, null, null, 98m, 100m, 103m, 106m, null, null, null, 103m, null];
        Assert.Equal(expected, recorder.Seen);
    }

    [Theory]
    [InlineData(MarketRegime.TrendingUp, 333)]   // floor(333 × 1.0)
    [InlineData(MarketRegime.Calm, 249)]         // floor(333 × 0.75) = floor(249.75)
    [InlineData(MarketRegime.Volatile, 83)]      // floor(333 × 0.25) = floor(83.25)
    public void Regime_aware_breakout_sizes_its_entry_by_the_regime_of_the_decision_bar(MarketRegime regime, int expected)
    {
        // Fixed-fractional size of the first entry is 333 (see above); the regime multiplier scales it.
        var strategy = new BreakoutStrategy(Params, new ConstantRegime(regime));
        var result = new BacktestEngine(routing: new RoutingOptions(new SizingOptions(RegimeAware: true))).Run(Series(Bars), strategy);

        Assert.Equal(expected, result.Orders.First(o => o.Type == OrderType.Market).Quantity);
    }

    [Fact]
    public void Breakout_from_the_catalog_with_regime_aware_sizing_carries_a_regime_to_the_sizer()
    {
        // Without a regime every entry is sized as unknown (× 0.5 of fixed fractional); the catalog must wire the
        // Kalman regime in, so some entries (those in a known regime) get a different size than that.
        var bars = RandomWalk(1500, seed: 7);
        var regimeAware = new RoutingOptions(new SizingOptions(RegimeAware: true));
        var wired = new BacktestEngine(routing: regimeAware).Run(Series(bars), StrategyCatalog.Create("breakout", null, regimeHints: true));
        var blind = new BacktestEngine(routing: regimeAware).Run(Series(bars), new BreakoutStrategy(new BreakoutParameters()));

        var wiredSizes = wired.Orders.Where(o => o.Type == OrderType.Market && o.Side == OrderSide.Buy).Select(o => o.Quantity).ToArray();
        var blindSizes = blind.Orders.Where(o => o.Type == OrderType.Market && o.Side == OrderSide.Buy).Select(o => o.Quantity).ToArray();
        Assert.NotEmpty(wiredSizes);
        Assert.NotEqual(blindSizes, wiredSizes);
    }

    private sealed class ConstantRegime(MarketRegime regime) : IStrategySignalSource
    {
        public void Reset()
        {
        }

        public StrategySignal Update(in Bar bar) => new(0.5, 0, (double)bar.Close, regime, 1.0, IsWarmup: false);
    }

    private sealed class StopRecorder(IStrategy inner) : IStrategy
    {
        public List<decimal?> Seen { get; } = [];

        public string Name => inner.Name;

        public void Reset()
        {
            Seen.Clear();
            inner.Reset();
        }

        public IReadOnlyList<OrderIntent> OnBar(StrategyContext context)
        {
            Seen.Add(context.ProtectiveStop);
            return inner.OnBar(context);
        }
    }

    [Fact]
    public void Equity_curve_has_one_point_per_bar_marked_at_the_close()
    {
        var result = Run(Bars);

        Assert.Equal(Bars.Select(b => b.Timestamp), result.EquityCurve.Select(p => p.Timestamp));
        Assert.Equal(100000m, result.EquityCurve[4].Equity);   // decided on bar 4, still flat at its close
        Assert.Equal(0m, result.EquityCurve[4].GrossExposure);
        // Bar 5: cash = 100000 - 333*105.0525 - 1.665 = 65015.8525; position 333*106 = 35298
        Assert.Equal(100313.8525m, result.EquityCurve[5].Equity);
        Assert.Equal(35298m / 100313.8525m, result.EquityCurve[5].GrossExposure);
        Assert.Equal(result.FinalEquity, result.EquityCurve[^1].Equity);
    }

    [Fact]
    public void Open_position_is_closed_at_the_last_close_with_end_of_data()
    {
        // Bars 0..7: trade 1 is still open after bar 7; it closes at 116 with no slippage, fee 1.665.
        // pnl = 333 * (116 - 105.0525) - 3.33 = 3645.5175 - 3.33 = 3642.1875
        var result = Run(Bars[..8]);

        var trade = Assert.Single(result.Trades);
        Assert.Equal(ExitReasons.EndOfData, trade.ExitReason);
        Assert.Equal(Day(7), trade.ExitTime);
        Assert.Equal(116m, trade.ExitPrice);
        Assert.Equal(3642.1875m, trade.Pnl);
        Assert.Equal(103642.1875m, result.FinalEquity);
        Assert.Equal(result.FinalEquity, result.EquityCurve[^1].Equity);
        Assert.Equal(0m, result.EquityCurve[^1].GrossExposure);
        Assert.Equal(ExitReasons.EndOfData, result.Orders[^1].Reason);
    }

    [Fact]
    public void Short_side_mirrors_the_long_trades_when_shorting_is_allowed()
    {
        // Prices mirrored p -> 200 - p: same TR/ATR, channel high and low swap.
        // Trade 1: bar 4 close 96 < low 99 -> short 333 (stop 96 + 6 = 102); sells at bar 5 open 95 * 0.9995 = 94.9525.
        //   stop trails down: 100, 97, 94, (bar 8: 88 + 10 = 98, not raised); bar 9 high 96 >= 94, open 90 below -> buys at 94.
        //   pnl = 333 * (94.9525 - 94) - 3.33 = 317.1825 - 3.33 = 313.8525
        // Trade 2: bar 11 close 83 < low 84 -> short floor(100313.8525 * 0.02 / 14) = 143 (stop 97);
        //   sells at bar 12 open 82 * 0.9995 = 81.959; stop 81 + 14 = 95; bar 13 opens at 100, through 95
        //   -> buys at 100 * 1.0005 = 100.05. pnl = 143 * (81.959 - 100.05) - 2 = -2587.013 - 2 = -2589.013
        // Final = 100313.8525 - 2589.013 = 97724.8395
        var result = Run(Mirror(Bars), allowShort: true);

        Assert.Equal(2, result.Trades.Count);
        Assert.All(result.Trades, t => Assert.Equal(PositionSide.Short, t.Side));
        Assert.Equal(94.9525m, result.Trades[0].EntryPrice);
        Assert.Equal(94m, result.Trades[0].ExitPrice);
        Assert.Equal(313.8525m, result.Trades[0].Pnl);
        Assert.Equal(81.959m, result.Trades[1].EntryPrice);
        Assert.Equal(100.05m, result.Trades[1].ExitPrice);
        Assert.Equal(-2589.013m, result.Trades[1].Pnl);
        Assert.Equal(97724.8395m, result.FinalEquity);
        // One stop per position as sent (102, 97), trailed down by amendments (100, 97, 94; 95).
        Assert.Equal([102m, 97m],
            result.Orders.Where(o => o.Type == OrderType.Stop && o.Side == OrderSide.Buy).Select(o => o.StopPrice!.Value));
        Assert.Equal([100m, 97m, 94m, 95m], result.StopAmendments.Select(a => a.StopPrice));

        // Bar 13 (mirrored close 101 > high 96 of bars 10..12) decides a long on the last bar: the order is sent but
        // never fills, so its protective stop (which rests only from the entry's fill) is never placed, and the data's end
        // cancels it.
        var lastEntry = result.Orders[^1];
        Assert.Equal((OrderSide.Buy, OrderType.Market, Day(13)), (lastEntry.Side, lastEntry.Type, lastEntry.CreatedAt));
        Assert.DoesNotContain(result.Fills, f => f.OrderId == lastEntry.Id);
        Assert.Contains(result.Cancellations, c => c.OrderId == lastEntry.Id && c.Reason == CancelReasons.EndOfData);
    }

    [Fact]
    public void No_short_is_opened_when_shorting_is_not_allowed()
    {
        var result = Run(Mirror(Bars), allowShort: false);

        Assert.Empty(result.Trades);
        Assert.Empty(result.Fills);
        // Only the unfillable long decided on the last bar (see the test above) is sent; no short entry ever is.
        Assert.DoesNotContain(result.Orders, o => o.Type == OrderType.Market && o.Side == OrderSide.Sell);
        Assert.Equal([Day(13)], result.Orders.Select(o => o.CreatedAt).Distinct());
        Assert.Equal(100000m, result.FinalEquity);
    }

    [Fact]
    public void Opposite_breakout_exits_by_signal_and_reverses_into_a_short_when_allowed()
    {
        // k = 10 keeps the stop far away so the channel exit decides.
        // Bar 4: close 104 > 101 -> long; stop 104 - 10*3 = 74; qty = floor(2000 / 30) = 66; fills bar 5 at 105.0525.
        // Bar 6: close 98 < low of bars 3..5 (99) -> exit. TR6 = max(7.5, 1.5, 9) = 9, ATR6 = (2*3 + 9)/3 = 5.
        //   With shorts: stop 98 + 50 = 148; equity = (100000 - 66*105.0525 - 1) + 66*98 = 93065.535 + 6468 = 99533.535;
        //   qty = floor(99533.535 * 0.02 / 50) = floor(39.81) = 39.
        // Bar 7 open 97: sell 66 to close and sell 39 short, both at 97 * 0.9995 = 96.9515.
        //   long pnl = 66 * (96.9515 - 105.0525) - 2 = -534.666 - 2 = -536.666
        //   short closed at end of data at 96: pnl = 39 * (96.9515 - 96) - 2 = 37.1085 - 2 = 35.1085
        Bar[] bars =
        [
            .. Bars[..6],
            Bar(6, 104m, 104.5m, 97m, 98m),
            Bar(7, 97m, 98m, 95m, 96m),
        ];
        var p = Params with { AtrMultiplier = 10m };

        var reversing = new BacktestEngine(new ExchangeOptions(AllowShort: true)).Run(Series(bars), new BreakoutStrategy(p));
        Assert.Equal(2, reversing.Trades.Count);
        Assert.Equal(ExitReasons.Signal, reversing.Trades[0].ExitReason);
        Assert.Equal(96.9515m, reversing.Trades[0].ExitPrice);
        Assert.Equal(-536.666m, reversing.Trades[0].Pnl);
        Assert.Equal(PositionSide.Short, reversing.Trades[1].Side);
        Assert.Equal(39m, reversing.Trades[1].Quantity);
        Assert.Equal(96.9515m, reversing.Trades[1].EntryPrice);
        Assert.Equal(35.1085m, reversing.Trades[1].Pnl);
        Assert.Equal(ExitReasons.EndOfData, reversing.Trades[1].ExitReason);
        Assert.Equal(99498.4425m, reversing.FinalEquity);   // 100000 - 536.666 + 35.1085

        var longOnly = new BacktestEngine().Run(Series(bars), new BreakoutStrategy(p));
        var trade = Assert.Single(longOnly.Trades);
        Assert.Equal(ExitReasons.Signal, trade.ExitReason);
        Assert.Equal(99463.334m, longOnly.FinalEquity);     // 100000 - 536.666
    }

    [Fact]
    public void Flagged_spike_bar_is_skipped_and_does_not_trigger_an_entry()
    {
        // Flat bars, then a bad print at bar 4 that would break out above 101.
        var bars = Enumerable.Range(0, 10)
            .Select(i => i == 4 ? Bar(4, 100m, 150m, 99m, 149m) : Bar(i, 100m, 101m, 99m, 100m))
            .ToArray();

        var unflagged = Run(bars);
        Assert.Contains(unflagged.Orders, o => o.CreatedAt == Day(4) && o.Type == OrderType.Market);

        var flag = new BarFlag(Day(4), "price spike");
        var result = Run(bars, false, flag);
        Assert.Empty(result.Orders);
        Assert.Empty(result.Trades);
        Assert.Equal([flag], result.SkippedBars);
        Assert.Equal(10, result.EquityCurve.Count);
        Assert.All(result.EquityCurve, p => Assert.Equal(100000m, p.Equity));
    }

    [Fact]
    public void Pending_order_waits_past_a_flagged_bar_and_equity_is_marked_at_the_last_good_close()
    {
        // The bar-5 open is flagged: the bar-4 entry fills at bar 6's open instead, 107 * 1.0005 = 107.0535.
        var flag = new BarFlag(Day(5), "bad open");
        var result = Run(Bars, false, flag);

        var entry = result.Fills[0];
        Assert.Equal(Day(6), entry.Timestamp);
        Assert.Equal(107.0535m, entry.Price);
        Assert.Equal(333m, entry.Quantity);
        Assert.Equal(100000m, result.EquityCurve[5].Equity);   // still flat, nothing marked at the bad print
        Assert.Equal([flag], result.SkippedBars);
        Assert.Equal(result.Options.InitialCapital + result.Trades.Sum(t => t.Pnl), result.FinalEquity);
    }

    [Fact]
    public void Flagged_bar_with_an_open_position_is_marked_at_the_last_good_close()
    {
        // Long 333 from bar 5; bar 7 is flagged, so bar 7's equity uses bar 6's close 111:
        // cash 65015.8525 + 333 * 111 = 65015.8525 + 36963 = 101978.8525
        var result = Run(Bars, false, new BarFlag(Day(7), "bad print"));

        Assert.Equal(101978.8525m, result.EquityCurve[7].Equity);
        Assert.Equal(result.EquityCurve[6].Equity, result.EquityCurve[7].Equity);
    }

    [Fact]
    public void Buy_is_cut_to_what_cash_pays_for_when_the_next_open_gaps_up()
    {
        // Risk 100%: the sizer asks for min(floor(1000 / |104 - 98|) = 166, cash cap floor(1000 / 104) = 9) = 9 shares,
        // but bar 5 opens at 120: 120 * 1.0005 = 120.06 per share; 9 cost 1080.54 > 1000, and 8 cost
        // 960.48 + 1.00 fee = 961.48, so 8 is all that 1000 of cash pays for.
        Bar[] bars = [.. Bars[..5], Bar(5, 120m, 121m, 119m, 120m)];
        var strategy = new BreakoutStrategy(Params with { RiskFraction = 1m });

        var result = new BacktestEngine(new ExchangeOptions(InitialCapital: 1000m)).Run(Series(bars), strategy);

        Assert.Equal(9m, result.Orders[0].Quantity);
        Assert.Equal(8m, result.Fills[0].Quantity);
        Assert.Equal(120.06m, result.Fills[0].Price);
        Assert.True(result.EquityCurve.All(p => p.Equity > 0));
    }

    [Fact]
    public void Unsorted_bars_are_rejected_with_the_offending_index()
    {
        Bar[] bars = [Bars[1], Bars[0]];
        var ex = Assert.Throws<ArgumentException>(() => Run(bars));
        Assert.Contains("bar 1", ex.Message);
    }
}
