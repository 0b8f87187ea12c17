using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Tests.Backtesting;

/// <summary>Session-only fills, volume-capped partial fills, limit orders: each case worked by hand. Costs: 5 bps
/// slippage on market fills, $0.005/share with a $1.00 minimum.</summary>
public class ExecutionRealismTests
{
    private static readonly Symbol Sym = new("TEST");

    /// <summary>Emits the given intents at the close of the given bar indexes, nothing otherwise.</summary>
    private sealed class Scripted(Dictionary<int, OrderIntent[]> script) : IStrategy
    {
        public string Name => "scripted";

        public void Reset()
        {
        }

        public IReadOnlyList<OrderIntent> OnBar(StrategyContext context) =>
            script.TryGetValue(context.BarIndex, out var intents) ? intents : [];
    }

    private static DateTime Ny(int year, int month, int day, int hour, int minute) =>
        ExchangeTime.ToUtc(new DateOnly(year, month, day), new TimeOnly(hour, minute));

    private static Bar Flat(DateTime time, decimal price, decimal volume = 1_000_000m) =>
        new(time, price, price + 1, price - 1, price, volume);

    private static BacktestResult Run(Timeframe timeframe, IReadOnlyList<Bar> bars, Dictionary<int, OrderIntent[]> script,
        ExchangeOptions options) =>
        new BacktestEngine(options).Run(new BarSeries(Sym, timeframe, bars, []), new Scripted(script));

    private static readonly ExchangeOptions Nyse = new(Calendar: NyseCalendar.Instance);

    [Fact]
    public void A_bar_on_an_exchange_holiday_never_fills_the_order_waits_for_the_next_session()
    {
        // 2024-07-04 is Independence Day: a stray bar dated that day must not fill the order decided on July 3.
        Bar[] bars =
        [
            Flat(Ny(2024, 7, 3, 9, 30), 100m),
            Flat(Ny(2024, 7, 4, 9, 30), 101m),
            Flat(Ny(2024, 7, 5, 9, 30), 102m),
        ];
        var result = Run(Timeframe.OneDay, bars, new() { [0] = [OrderIntent.Enter(PositionSide.Long, 10, null, "test")] }, Nyse);

        var fill = Assert.Single(result.Fills, f => f.Side == OrderSide.Buy);
        Assert.Equal(bars[2].Timestamp, fill.Timestamp);
        Assert.Equal(102.051m, fill.Price); // 102 × 1.0005

        // Without a calendar every bar may fill: the holiday bar takes it.
        var anyBar = Run(Timeframe.OneDay, bars, new() { [0] = [OrderIntent.Enter(PositionSide.Long, 10, null, "test")] }, new ExchangeOptions());
        Assert.Equal(bars[1].Timestamp, anyBar.Fills[0].Timestamp);
    }

    [Fact]
    public void Premarket_bars_are_traded_only_with_extended_hours()
    {
        // 09:28 and 09:29 are pre-market, 09:30 is the regular open. The strategy enters on the first bar it sees.
        Bar[] bars =
        [
            Flat(Ny(2024, 3, 5, 9, 28), 50m),
            Flat(Ny(2024, 3, 5, 9, 29), 51m),
            Flat(Ny(2024, 3, 5, 9, 30), 52m),
            Flat(Ny(2024, 3, 5, 9, 31), 53m),
        ];
        var script = new Dictionary<int, OrderIntent[]> { [0] = [OrderIntent.Enter(PositionSide.Long, 10, null, "test")] };

        // Regular session only: the pre-market bars are neither seen nor filled on, so the first decision is at 09:30's
        // close and it fills at 09:31's open, 53 × 1.0005.
        var regular = Run(Timeframe.OneMinute, bars, script, Nyse);
        Assert.Equal(bars[3].Timestamp, regular.Fills[0].Timestamp);
        Assert.Equal(53.0265m, regular.Fills[0].Price);
        Assert.Equal(2, regular.OutsideSessionBars);

        // Extended hours: decided at 09:28's close, filled at 09:29's open, 51 × 1.0005.
        var extended = Run(Timeframe.OneMinute, bars, script, Nyse with { ExtendedHours = true });
        Assert.Equal(bars[1].Timestamp, extended.Fills[0].Timestamp);
        Assert.Equal(51.0255m, extended.Fills[0].Price);
        Assert.Equal(0, extended.OutsideSessionBars);
    }

    [Fact]
    public void A_market_order_takes_at_most_its_share_of_each_bars_volume_and_the_rest_fills_on_later_bars()
    {
        // 10% of 1,000 shares = 100 per bar: 250 fill as 100 @ 20.01, 100 @ 21.0105, 50 @ 22.011.
        Bar[] bars =
        [
            Flat(Ny(2024, 3, 5, 10, 0), 19m, 1_000m),
            Flat(Ny(2024, 3, 5, 10, 1), 20m, 1_000m),
            Flat(Ny(2024, 3, 5, 10, 2), 21m, 1_000m),
            Flat(Ny(2024, 3, 5, 10, 3), 22m, 1_000m),
            Flat(Ny(2024, 3, 5, 10, 4), 23m, 1_000m),
        ];
        var result = Run(Timeframe.OneMinute, bars, new() { [0] = [OrderIntent.Enter(PositionSide.Long, 250, null, "big")] },
            Nyse with { MaxVolumeShare = 0.1m });

        Assert.Equal([100m, 100m, 50m], result.Fills.Take(3).Select(f => f.Quantity));
        Assert.Equal([20.01m, 21.0105m, 22.011m], result.Fills.Take(3).Select(f => f.Price));
        Assert.All(result.Fills.Take(3), f => Assert.Equal(result.Orders[0].Id, f.OrderId));
        Assert.Equal([1m, 1m, 1m], result.Fills.Take(3).Select(f => f.Fee)); // 100 × 0.005 = 0.50 → $1 minimum
        Assert.Empty(result.Cancellations);

        // One round trip of 250 shares at the volume-weighted entry: (2001 + 2101.05 + 1100.55) / 250 = 20.8104.
        var trade = Assert.Single(result.Trades);
        Assert.Equal(250m, trade.Quantity);
        Assert.Equal(20.8104m, trade.EntryPrice);
        Assert.Equal(result.Options.InitialCapital + trade.Pnl, result.FinalEquity);
    }

    [Fact]
    public void The_unfilled_remainder_is_cancelled_at_the_end_of_the_session()
    {
        // Two bars left in the session fill 100 + 100; the other 50 are cancelled at that session's close, 16:00 New York.
        Bar[] bars =
        [
            Flat(Ny(2024, 3, 5, 15, 57), 30m, 1_000m),
            Flat(Ny(2024, 3, 5, 15, 58), 30m, 1_000m),
            Flat(Ny(2024, 3, 5, 15, 59), 30m, 1_000m),
            Flat(Ny(2024, 3, 6, 9, 30), 31m, 1_000m),
            Flat(Ny(2024, 3, 6, 9, 31), 31m, 1_000m),
        ];
        var result = Run(Timeframe.OneMinute, bars, new() { [0] = [OrderIntent.Enter(PositionSide.Long, 250, null, "big")] },
            Nyse with { MaxVolumeShare = 0.1m });

        var entryFills = result.Fills.Where(f => f.OrderId == result.Orders[0].Id).ToArray();
        Assert.Equal([100m, 100m], entryFills.Select(f => f.Quantity));
        var cancel = Assert.Single(result.Cancellations);
        Assert.Equal((result.Orders[0].Id, 50m, Ny(2024, 3, 5, 16, 0), CancelReasons.SessionEnd),
            (cancel.OrderId, cancel.Quantity, cancel.Timestamp, cancel.Reason));
        Assert.Equal(200m, Assert.Single(result.Trades).Quantity);
    }

    [Fact]
    public void An_exit_cancels_the_rest_of_an_entry_that_is_still_filling()
    {
        // Entry 250 capped at 100 per bar: 100 fill on bar 1; the exit decided at bar 1's close cancels the other 150,
        // so bar 2 sells the 100 held and nothing is bought back.
        Bar[] bars =
        [
            Flat(Ny(2024, 3, 5, 10, 0), 20m, 1_000m),
            Flat(Ny(2024, 3, 5, 10, 1), 20m, 1_000m),
            Flat(Ny(2024, 3, 5, 10, 2), 20m, 1_000m),
            Flat(Ny(2024, 3, 5, 10, 3), 20m, 1_000m),
        ];
        var result = Run(Timeframe.OneMinute, bars, new()
        {
            [0] = [OrderIntent.Enter(PositionSide.Long, 250, null, "in")],
            [1] = [OrderIntent.Exit(PositionSide.Long, "out")],
        }, Nyse with { MaxVolumeShare = 0.1m });

        Assert.Equal([(OrderSide.Buy, 100m), (OrderSide.Sell, 100m)], result.Fills.Select(f => (f.Side, f.Quantity)));
        var cancel = Assert.Single(result.Cancellations);
        Assert.Equal((result.Orders[0].Id, 150m, bars[1].Timestamp, CancelReasons.Exit),
            (cancel.OrderId, cancel.Quantity, cancel.Timestamp, cancel.Reason));
        Assert.Equal(100m, Assert.Single(result.Trades).Quantity);
    }

    [Fact]
    public void A_limit_buy_fills_only_when_the_price_trades_through_the_limit()
    {
        // Limit 99. Bar 1 low 99.5: no. Bar 2 low exactly 99: touched, not traded through: no.
        // Bar 3 opens 100, low 98.9: fills at the limit, 99, no slippage.
        Bar[] bars =
        [
            new(Ny(2024, 3, 5, 10, 0), 100m, 101m, 99.6m, 100m, 1_000_000m),
            new(Ny(2024, 3, 5, 10, 1), 100m, 101m, 99.5m, 100m, 1_000_000m),
            new(Ny(2024, 3, 5, 10, 2), 100m, 101m, 99m, 100m, 1_000_000m),
            new(Ny(2024, 3, 5, 10, 3), 100m, 101m, 98.9m, 100m, 1_000_000m),
            new(Ny(2024, 3, 5, 10, 4), 100m, 101m, 99m, 100m, 1_000_000m),
        ];
        var result = Run(Timeframe.OneMinute, bars,
            new() { [0] = [OrderIntent.EnterLimit(PositionSide.Long, 10, 99m, null, "dip")] }, Nyse);

        var order = result.Orders[0];
        Assert.Equal((OrderType.Limit, 99m), (order.Type, order.LimitPrice));
        var fill = result.Fills[0];
        Assert.Equal((bars[3].Timestamp, 99m, 10m), (fill.Timestamp, fill.Price, fill.Quantity));
    }

    [Fact]
    public void A_limit_order_that_opens_through_its_price_fills_at_the_better_open()
    {
        // Buy limit 99, bar opens at 97 (low 96.5): fills at 97. Sell limit 105, bar opens at 106: fills at 106.
        Bar[] bars =
        [
            new(Ny(2024, 3, 5, 10, 0), 100m, 101m, 99.5m, 100m, 1_000_000m),
            new(Ny(2024, 3, 5, 10, 1), 97m, 98m, 96.5m, 97.5m, 1_000_000m),
            new(Ny(2024, 3, 5, 10, 2), 106m, 107m, 105.5m, 106m, 1_000_000m),
            new(Ny(2024, 3, 5, 10, 3), 100m, 101m, 99m, 100m, 1_000_000m),
        ];
        var buy = Run(Timeframe.OneMinute, bars,
            new() { [0] = [OrderIntent.EnterLimit(PositionSide.Long, 10, 99m, null, "dip")] }, Nyse);
        Assert.Equal((bars[1].Timestamp, 97m), (buy.Fills[0].Timestamp, buy.Fills[0].Price));

        var sell = Run(Timeframe.OneMinute, bars,
            new() { [1] = [OrderIntent.EnterLimit(PositionSide.Short, 10, 105m, null, "pop")] }, Nyse with { AllowShort = true });
        Assert.Equal((bars[2].Timestamp, 106m, OrderSide.Sell), (sell.Fills[0].Timestamp, sell.Fills[0].Price, sell.Fills[0].Side));
    }

    [Fact]
    public void A_limit_order_is_a_day_order()
    {
        // Daily bars: decided on Mar 4, works on Mar 5 (low 99.5 > 99: no fill), cancelled at Mar 5's close, so Mar 6
        // trading through 99 does not fill it.
        Bar[] bars =
        [
            new(Ny(2024, 3, 4, 9, 30), 100m, 101m, 99.5m, 100m, 1_000_000m),
            new(Ny(2024, 3, 5, 9, 30), 100m, 101m, 99.5m, 100m, 1_000_000m),
            new(Ny(2024, 3, 6, 9, 30), 100m, 101m, 95m, 100m, 1_000_000m),
        ];
        var result = Run(Timeframe.OneDay, bars,
            new() { [0] = [OrderIntent.EnterLimit(PositionSide.Long, 10, 99m, null, "dip")] }, Nyse);

        Assert.Empty(result.Fills);
        var cancel = Assert.Single(result.Cancellations);
        Assert.Equal((10m, Ny(2024, 3, 5, 16, 0), CancelReasons.SessionEnd), (cancel.Quantity, cancel.Timestamp, cancel.Reason));
    }

    [Fact]
    public void A_triggered_stop_keeps_selling_at_later_opens_when_volume_caps_it()
    {
        // Long 150 (bought in two capped fills); stop 95 triggers on bar 3 (low 94, opened 96 above it): 100 sell at 95,
        // the other 50 at bar 4's open 93 × 0.9995 = 92.9535.
        Bar[] bars =
        [
            Flat(Ny(2024, 3, 5, 10, 0), 100m, 1_000m),
            Flat(Ny(2024, 3, 5, 10, 1), 100m, 1_000m),
            Flat(Ny(2024, 3, 5, 10, 2), 100m, 1_000m),
            new(Ny(2024, 3, 5, 10, 3), 96m, 97m, 94m, 94.5m, 1_000m),
            new(Ny(2024, 3, 5, 10, 4), 93m, 94m, 92m, 93m, 1_000m),
            Flat(Ny(2024, 3, 5, 10, 5), 93m, 1_000m),
        ];
        var result = Run(Timeframe.OneMinute, bars,
            new() { [0] = [OrderIntent.Enter(PositionSide.Long, 150, 95m, "in")] }, Nyse with { MaxVolumeShare = 0.1m });

        var stopId = result.Orders.Single(o => o.Type == OrderType.Stop).Id;
        var stopFills = result.Fills.Where(f => f.OrderId == stopId).ToArray();
        Assert.Equal([(100m, 95m), (50m, 92.9535m)], stopFills.Select(f => (f.Quantity, f.Price)));
        var trade = Assert.Single(result.Trades);
        Assert.Equal((ExitReasons.Stop, bars[4].Timestamp, 150m), (trade.ExitReason, trade.ExitTime, trade.Quantity));
    }
}
