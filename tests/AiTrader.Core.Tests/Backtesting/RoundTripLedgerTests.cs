using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;

namespace AiTrader.Core.Tests.Backtesting;

/// <summary>Fills paired into round trips per symbol (what the paper broker books and the trading loop reports).</summary>
public sealed class RoundTripLedgerTests
{
    private static readonly Symbol Aaa = new("AAA");
    private static readonly Symbol Bbb = new("BBB");
    private static readonly DateTime T0 = new(2013, 10, 7, 14, 0, 0, DateTimeKind.Utc);

    private static Fill F(Symbol symbol, OrderSide side, decimal quantity, decimal price, decimal fee, int minute) =>
        new($"o-{minute}", symbol, side, quantity, price, fee, T0.AddMinutes(minute));

    [Fact]
    public void Interleaved_symbols_close_their_own_trades_net_of_every_fee_in_closing_order()
    {
        var ledger = new RoundTripLedger();

        Assert.Null(ledger.Book(F(Aaa, OrderSide.Buy, 10, 100m, 1m, 0)));
        Assert.Null(ledger.Book(F(Bbb, OrderSide.Buy, 5, 50m, 1m, 1)));
        Assert.Null(ledger.Book(F(Aaa, OrderSide.Buy, 10, 102m, 1m, 2))); // adds to AAA's trade
        Assert.Null(ledger.Book(F(Aaa, OrderSide.Sell, 5, 104m, 1m, 3))); // partly out
        var b = ledger.Book(F(Bbb, OrderSide.Sell, 5, 40m, 1m, 4), "stop");
        var a = ledger.Book(F(Aaa, OrderSide.Sell, 15, 101m, 1m, 5), "signal");

        // BBB: 5 × (40 − 50) − 2 = −52. AAA: 5 × 104 + 15 × 101 − (10 × 100 + 10 × 102) − 4 = 11.
        Assert.Equal(new TradeRecord(Bbb, PositionSide.Long, 5, T0.AddMinutes(1), 50m, T0.AddMinutes(4), 40m, -52m, 2m, "stop"), b);
        Assert.Equal((Aaa, 20m, 101m, 101.75m, 11m, 4m), (a!.Symbol, a.Quantity, a.EntryPrice, a.ExitPrice, a.Pnl, a.Fees));
        Assert.Equal([b!, a], ledger.Closed);
        Assert.Equal(0m, ledger.PositionOf(Aaa));
    }

    [Fact]
    public void A_fill_through_flat_closes_the_trade_with_its_fee_and_opens_the_next_with_the_rest()
    {
        var ledger = new RoundTripLedger();
        ledger.Book(F(Aaa, OrderSide.Buy, 10, 100m, 1m, 0));

        var closed = ledger.Book(F(Aaa, OrderSide.Sell, 15, 110m, 2m, 1));
        var reversed = ledger.Book(F(Aaa, OrderSide.Buy, 5, 105m, 1m, 2));

        Assert.Equal(97m, closed!.Pnl); // 10 × 10 − 1 − 2
        Assert.Equal((PositionSide.Short, 5m, 110m, 105m, 24m), (reversed!.Side, reversed.Quantity, reversed.EntryPrice, reversed.ExitPrice, reversed.Pnl));
    }

    [Fact]
    public void A_carried_position_closes_without_a_record_and_later_trades_are_recorded()
    {
        var ledger = new RoundTripLedger();
        ledger.Carry(Aaa, 7);

        Assert.Equal(7m, ledger.PositionOf(Aaa));
        Assert.Null(ledger.Book(F(Aaa, OrderSide.Sell, 7, 90m, 1m, 0)));
        ledger.Book(F(Aaa, OrderSide.Buy, 3, 90m, 1m, 1));
        var next = ledger.Book(F(Aaa, OrderSide.Sell, 3, 95m, 1m, 2));

        Assert.Equal(13m, next!.Pnl);
        Assert.Equal([next], ledger.Closed);
        ledger.Carry(Bbb, 1);
        Assert.Throws<InvalidOperationException>(() => ledger.Carry(Bbb, 2));
    }
}
