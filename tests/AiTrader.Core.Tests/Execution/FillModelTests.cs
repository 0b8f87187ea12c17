using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.MarketData;
using AiTrader.Core.Strategies;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Execution;

/// <summary>Issue 11's finding 8: the cash cut in closed form (no step loop), no negative equity on a long-only account,
/// and limits that are one-line input errors instead of overflows.</summary>
[Trait("Category", "Cli")]
public class FillModelTests
{
    private static FillModel Model(decimal perShare = 0.005m, decimal minimum = 1m) =>
        new(new ExchangeOptions(CommissionPerShare: perShare, MinCommission: minimum));

    [Theory]
    // 99 × 100 + $1 minimum = 9,901 fits; 100 shares would cost 10,001.
    [InlineData(10_000, 100, 1_000, 99)]
    // Per-share commission binds: 1,000,000 / (10 + 0.005) = 99,950.02 → 99,950 (99,950 × 10.005 = 999,999.75).
    [InlineData(1_000_000, 10, 1_000_000, 99_950)]
    // A commission larger than the price (penny stock): 100,000 / 0.0051 = 19,607,843.1 → 19,607,843.
    [InlineData(100_000, 0.0001, 1_000_000_000, 19_607_843)]
    // Wanted is the limit.
    [InlineData(100_000, 10, 50, 50)]
    // The minimum alone eats the cash.
    [InlineData(1, 0.5, 10, 0)]
    public void The_cash_cut_is_the_largest_affordable_whole_number_of_shares(double cash, double price, double wanted, int expected)
    {
        Assert.Equal((decimal)expected, Model().AffordableQuantity((decimal)wanted, (decimal)price, (decimal)cash));
    }

    [Fact]
    public void The_closed_form_agrees_with_counting_down_one_share_at_a_time()
    {
        // The old step loop, kept here as the independent answer on small numbers.
        static decimal ByStepping(FillModel model, decimal wanted, decimal price, decimal cash)
        {
            var q = Math.Min(wanted, Math.Max(0, decimal.Floor(cash / price)));
            while (q > 0 && q * price + model.Commission(q) > cash)
            {
                q--;
            }

            return q;
        }

        var random = new Random(20261204);
        for (var i = 0; i < 3_000; i++)
        {
            var model = Model(random.Next(0, 4) * 0.0025m, random.Next(0, 3) * 0.5m);
            var price = Math.Round((decimal)(random.NextDouble() * 50 + 0.01), 4);
            var cash = Math.Round((decimal)(random.NextDouble() * 2_000), 2);
            var wanted = random.Next(0, 400);
            Assert.Equal(ByStepping(model, wanted, price, cash), model.AffordableQuantity(wanted, price, cash));
        }
    }

    [Fact]
    public void Prices_near_zero_and_balances_near_the_limit_neither_divide_by_zero_nor_overflow()
    {
        var model = Model(perShare: 0m, minimum: 0m);
        Assert.Equal(0m, model.AffordableQuantity(10, 0m, 1_000m)); // a slipped price that rounds to zero buys nothing
        Assert.Equal(10m, model.AffordableQuantity(10, 0.00000001m, 1_000m));
        Assert.Equal(1_000_000_000m, model.AffordableQuantity(1_000_000_000, 0.00000001m, ExchangeOptions.MaxCapital));
        Assert.Equal(5m, model.AffordableQuantity(5, 0.00000001m, 79_000_000_000_000_000_000_000_000_000m)); // quotient past decimal's range
    }

    [Fact]
    public void A_long_only_run_on_penny_prices_with_a_commission_above_the_price_never_goes_below_zero()
    {
        // Prices around a cent, $0.005 a share: each share costs more in commission than it is worth. Cash pays for the
        // commission too, so cash and equity stay at or above zero whatever the strategy does.
        // A seeded series around 100, scaled down 25,000 times: closes near $0.004, a tenth of a cent apart.
        var bars = new SyntheticBarGenerator(5).Generate(new DateTime(2024, 1, 2, 14, 30, 0, DateTimeKind.Utc), Timeframe.OneDay, 600).Bars
            .Select(b => b with { Open = b.Open / 25_000m, High = b.High / 25_000m, Low = b.Low / 25_000m, Close = b.Close / 25_000m })
            .ToList();
        var result = new BacktestEngine(new ExchangeOptions(InitialCapital: 1_000_000m))
            .Run(new BarSeries(new Symbol("PENNY"), Timeframe.OneDay, bars, []), StrategyCatalog.Create("breakout", new Dictionary<string, string> { ["lookback"] = "5" }));

        Assert.NotEmpty(result.Trades);
        Assert.All(result.EquityCurve, p => Assert.True(p.Equity >= 0, $"equity {p.Equity} at {p.Timestamp:O}"));
        Assert.True(result.FinalEquity >= 0);
    }

    [Fact]
    public void A_buy_cut_by_cash_is_protected_by_a_stop_for_the_shares_it_bought()
    {
        // Minute bars and the default breakout: entries sized on the signal bar's close often cannot be paid for at the
        // next open, so part of the buy is cancelled. Its stop used to keep the ordered quantity, and when it fired it
        // sold the whole position yet showed as partially filled, its "rest" cancelled because the position closed.
        var bars = new SyntheticBarGenerator(7).Generate(new DateTime(2024, 1, 2, 14, 30, 0, DateTimeKind.Utc), Timeframe.OneMinute, 20_000).Bars;
        var result = new BacktestEngine(new ExchangeOptions())
            .Run(new BarSeries(new Symbol("SYN"), Timeframe.OneMinute, bars, []), StrategyCatalog.Create("breakout"));

        var cut = result.Cancellations.Where(c => c.Reason == CancelReasons.InsufficientCash).Select(c => c.OrderId).ToHashSet();
        Assert.NotEmpty(cut);
        var stops = result.Orders.Where(o => o.Type == OrderType.Stop).ToDictionary(o => o.Id);
        var filled = result.Fills.Where(f => stops.ContainsKey(f.OrderId)).GroupBy(f => f.OrderId).ToDictionary(g => g.Key, g => g.Sum(f => f.Quantity));
        Assert.NotEmpty(filled);
        foreach (var (id, quantity) in filled)
        {
            // A stop that fired closed the position: it filled exactly what it was placed for, nothing left to cancel.
            Assert.Equal(stops[id].Quantity, quantity);
            Assert.DoesNotContain(result.Cancellations, c => c.OrderId == id);
        }

        // And each cut entry's stop (the next stop order on the symbol) covers exactly what the entry bought.
        foreach (var entry in result.Orders.Where(o => cut.Contains(o.Id)))
        {
            var bought = result.Fills.Where(f => f.OrderId == entry.Id).Sum(f => f.Quantity);
            if (bought == 0)
            {
                continue;
            }

            var stop = result.Orders.First(o => o.Type == OrderType.Stop && o.CreatedAt >= entry.CreatedAt);
            Assert.Equal(bought, stop.Quantity);
        }
    }

    [Theory]
    [InlineData("backtest --symbol SPY --capital 5000000000000")]
    [InlineData("sweep --symbol SPY --grid lookback=20 --capital 5000000000000")]
    public async Task A_capital_beyond_any_account_is_one_line_and_exit_2(string command)
    {
        var (code, _, err) = await CliRunner.Run(command.Split(' '));
        Assert.Equal(2, code);
        Assert.Contains("--capital must be at most 1,000,000,000,000", err, StringComparison.Ordinal);
        Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
