using AiTrader.Core.Domain;
using AiTrader.Core.Risk.Sizing;
using AiTrader.Core.Signals.Regimes;
using AiTrader.Core.Strategies;
using static AiTrader.Core.Tests.Backtesting.TestBars;
using static AiTrader.Core.Tests.Strategies.ScriptedSignals;

namespace AiTrader.Core.Tests.Strategies;

/// <summary><see cref="ILearnsFromOwnTrades"/>: on a shared account the driver reports the round trips, and the cash is
/// no longer read.</summary>
public class ReportedTradesTests
{
    private readonly List<Bar> _seen = [];

    [Fact]
    public void Reported_trades_set_p_and_b_and_cash_moved_by_other_symbols_is_ignored()
    {
        var sizer = new SizingOptions(KellyFraction: 0.5m).Build(0.01m);
        var strategy = EntryOnFifthBar(sizer);
        strategy.Reset();
        strategy.UseReportedTrades();
        foreach (var pnl in new[] { 200m, 200m, -100m, 200m, -100m, 200m, 200m, -100m, 200m, -100m })
        {
            strategy.OnTradeClosed(pnl);
        }

        // Flat all along while other symbols' fills move the shared cash: read off the cash, these would be four trades.
        foreach (var cash in new[] { 100_000m, 97_000m, 101_000m, 99_500m })
        {
            Assert.Empty(Step(strategy, cash));
        }

        // p = 6/10, b = 200 / 100 = 2: f* = 0.4, half 0.2; $100,000 × 0.2 / (3 × ATR 20) = 333 shares.
        var entry = Assert.Single(Step(strategy, 100_000m));
        Assert.Equal(333m, entry.Quantity);
        Assert.EndsWith("; size: kelly: p 0.60, b 2.00 (trades) → f* 0.4000 × 0.5 = 0.2000 of equity at risk: 333 shares", entry.Reason);
    }

    [Fact]
    public void Reports_are_refused_until_asked_for_and_reset_goes_back_to_reading_the_cash()
    {
        ILearnsFromOwnTrades[] strategies = [new MomentumStrategy(), new MeanReversionStrategy()];
        foreach (var strategy in strategies)
        {
            Assert.Throws<InvalidOperationException>(() => strategy.OnTradeClosed(10m));
            strategy.UseReportedTrades();
            strategy.OnTradeClosed(10m);
            strategy.Reset();
            Assert.Throws<InvalidOperationException>(() => strategy.OnTradeClosed(10m));
        }
    }

    [Fact]
    public void Without_reports_a_lone_strategy_still_reads_its_round_trips_off_the_cash()
    {
        var sizer = new SizingOptions(KellyFraction: 0.5m).Build(0.01m);
        var strategy = EntryOnFifthBar(sizer, windowBars: 14);
        strategy.Reset();

        // Eleven flat observations, ten cash changes: +200 six times, −100 four times (as the reports above).
        var cash = 100_000m;
        Assert.Empty(Step(strategy, cash));
        foreach (var pnl in new[] { 200m, 200m, -100m, 200m, -100m, 200m, 200m, -100m, 200m, -100m })
        {
            cash += pnl;
            Assert.Empty(Step(strategy, cash));
        }

        for (var i = 0; i < 3; i++)
        {
            Assert.Empty(Step(strategy, cash));
        }

        // Cash 100,800: f* 0.4, half 0.2: 100,800 × 0.2 / 60 = 336 shares.
        var entry = Assert.Single(Step(strategy, cash));
        Assert.EndsWith("kelly: p 0.60, b 2.00 (trades) → f* 0.4000 × 0.5 = 0.2000 of equity at risk: 336 shares", entry.Reason);
    }

    // Every bar closes at 100. The residuals alternate +1, −1 (σ = √(4/3) over four), then −3 on the last bar: z −2.6,
    // an entry with its stop 3 × ATR 20 = 60 below.
    private static MeanReversionStrategy EntryOnFifthBar(IPositionSizer sizer, int windowBars = 4)
    {
        var script = Enumerable.Range(0, windowBars)
            .Select(i => Ready(0.5, MarketRegime.Calm, atr: 20.0, filtered: i % 2 == 0 ? 99.0 : 101.0))
            .Append(Ready(0.5, MarketRegime.Calm, atr: 20.0, filtered: 103.0))
            .ToArray();
        return new MeanReversionStrategy(new MeanReversionParameters { ZWindow = 4 }, sizer, new ScriptedSignals(script));
    }

    private IReadOnlyList<OrderIntent> Step(IStrategy strategy, decimal cash)
    {
        _seen.Add(Bar(_seen.Count, 100m, 101m, 99m, 100m));
        return strategy.OnBar(new StrategyContext(new Symbol("TEST"), Timeframe.OneDay, _seen.AsReadOnly(), 0m, cash, cash,
            null, allowShort: false));
    }
}
