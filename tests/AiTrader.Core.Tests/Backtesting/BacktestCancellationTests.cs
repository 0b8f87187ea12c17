using AiTrader.Core.Backtesting;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;
using AiTrader.Core.Strategies;

namespace AiTrader.Core.Tests.Backtesting;

/// <summary>Issue 17: a cancelled backtest (a cell of a cancelled sweep, its strategy wrapped in a
/// <see cref="CancellableStrategy"/>) stops part-way, at the next look at the token, whether its bars are columns or a list.</summary>
public sealed class BacktestCancellationTests
{
    private const int Bars = 50_000;
    private const int CancelAt = 10_000;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_run_cancelled_at_bar_10000_stops_within_one_block_of_bars(bool columns)
    {
        var generated = new SyntheticBarGenerator(4).Generate(new DateTime(2015, 1, 5, 14, 30, 0, DateTimeKind.Utc), Timeframe.OneMinute, Bars).Bars;
        IReadOnlyList<Bar> bars = columns ? BarColumns.From(generated) : generated.ToList();
        var series = new BarSeries(new Symbol("SYN"), Timeframe.OneMinute, bars, []);
        using var cancel = new CancellationTokenSource();
        var strategy = new CancellingStrategy(cancel, CancelAt);
        var engine = new BacktestEngine();

        Assert.ThrowsAny<OperationCanceledException>(() => engine.Run(series, new CancellableStrategy(strategy, cancel.Token)));

        // The bar the cancel came on is seen; after it, at most the rest of its block of bars.
        Assert.InRange(strategy.Seen, CancelAt, CancelAt + CancellableStrategy.BarsBetweenChecks);
        Assert.True(strategy.Seen < Bars, $"the run went on to bar {strategy.Seen}");

        // Without a cancel the same run sees every bar (the synthetic bars are all traded), and the wrapper changes nothing.
        var whole = new CancellingStrategy(null, CancelAt);
        engine.Run(series, new CancellableStrategy(whole, CancellationToken.None));
        Assert.Equal(Bars, whole.Seen);
    }

    private sealed class CancellingStrategy(CancellationTokenSource? cancel, int at) : IStrategy
    {
        public int Seen { get; private set; }

        public string Name => "cancelling";

        public void Reset() => Seen = 0;

        public IReadOnlyList<OrderIntent> OnBar(StrategyContext context)
        {
            if (++Seen == at)
            {
                cancel?.Cancel();
            }

            return [];
        }
    }
}
