using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.Execution;
using AiTrader.Core.MarketData;
using AiTrader.Core.Sessions;
using AiTrader.Core.Strategies;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Backtesting;

/// <summary>A position held across AAPL's 2014-06-09 7:1 split must show no phantom loss on adjusted data.</summary>
public sealed class SplitAcrossBacktestTests
{
    /// <summary>Buys on the first bar with a fixed share count and holds to the end.</summary>
    private sealed class BuyAndHold(decimal shares) : IStrategy
    {
        public string Name => "buy_and_hold";

        public void Reset()
        {
        }

        public IReadOnlyList<OrderIntent> OnBar(StrategyContext context) =>
            context.BarIndex == 0 ? [OrderIntent.Enter(PositionSide.Long, shares, null, "test entry")] : [];
    }

    private static async Task<(decimal Before, decimal After, BacktestResult Result)> RunAcrossSplit(PriceAdjustment adjustment)
    {
        var source = new CsvBarSource(TestPaths.SampleRoot, NyseCalendar.Instance);
        var series = await source.GetBarsAsync(new BarRequest(
            new Symbol("AAPL"), Timeframe.OneDay,
            ExchangeTime.ToUtc(new DateOnly(2014, 6, 2), TimeOnly.MinValue),
            ExchangeTime.ToUtc(new DateOnly(2014, 6, 13), TimeOnly.MinValue),
            adjustment));
        var engine = new BacktestEngine(new ExchangeOptions(InitialCapital: 100_000m, SlippageBps: 0m));
        var result = engine.Run(series, new BuyAndHold(10m));
        decimal EquityOn(DateOnly d) =>
            result.EquityCurve.Single(p => ExchangeTime.SessionDate(p.Timestamp) == d).Equity;
        return (EquityOn(new DateOnly(2014, 6, 6)), EquityOn(new DateOnly(2014, 6, 9)), result);
    }

    [Fact]
    public async Task Split_adjusted_series_shows_no_phantom_loss_on_the_ex_date()
    {
        var (before, after, result) = await RunAcrossSplit(PriceAdjustment.Split);

        // 10 shares bought at the 2014-06-03 open. Adjusted for the 7:1 (2014) and 4:1 (2020) splits, the
        // 06-06 close 645.57 becomes 645.57/28 = 23.0561 and the 06-09 close 93.70 becomes 93.70/4 = 23.425:
        // the holding gains 10 x (23.425 - 23.0561) = 3.689 that day, a real +1.6% move, not a -85% drop.
        Assert.Equal(10m * (23.425m - 23.0561m), after - before);
        Assert.All(result.Trades, t => Assert.Equal(ExitReasons.EndOfData, t.ExitReason));
    }

    [Fact]
    public async Task Raw_series_would_book_the_split_as_a_loss()
    {
        // The counter-check that makes the test above meaningful: on raw prices the same holding
        // "loses" 10 x (93.70 - 645.57) on the ex-date.
        var (before, after, _) = await RunAcrossSplit(PriceAdjustment.Raw);
        Assert.Equal(10m * (93.70m - 645.57m), after - before);
    }
}
