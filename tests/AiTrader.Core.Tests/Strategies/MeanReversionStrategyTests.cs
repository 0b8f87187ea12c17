using AiTrader.Core.Domain;
using AiTrader.Core.Signals.Regimes;
using AiTrader.Core.Strategies;
using static AiTrader.Core.Tests.Backtesting.TestBars;
using static AiTrader.Core.Tests.Strategies.ScriptedSignals;

namespace AiTrader.Core.Tests.Strategies;

/// <summary>The mean-reversion rules with scripted filtered prices, so every residual and z-score is worked out by hand.</summary>
public class MeanReversionStrategyTests
{
    private static readonly MeanReversionParameters Window4 = new() { ZWindow = 4, MaxHoldBars = 3 };

    private readonly List<Bar> _seen = [];

    // Every bar closes at 100; the residual is 100 − filtered.
    private IReadOnlyList<OrderIntent> Step(IStrategy strategy, decimal position = 0m, decimal? stop = null, bool allowShort = false)
    {
        _seen.Add(Bar(_seen.Count, 100m, 101m, 99m, 100m));
        return strategy.OnBar(new StrategyContext(new Symbol("TEST"), Timeframe.OneDay, _seen.AsReadOnly(), position,
            100_000m, 100_000m, stop, allowShort));
    }

    // Bars 0–3: residuals +1, −1, +1, −1 → mean 0, Σ(r − mean)² = 4, sample σ = √(4/3) = 1.1547.
    private static StrategySignal[] Window(MarketRegime regime = MarketRegime.Calm) =>
    [
        Ready(0.5, regime, filtered: 99), Ready(0.5, regime, filtered: 101), Ready(0.5, regime, filtered: 99),
        Ready(0.5, regime, filtered: 101),
    ];

    [Fact]
    public void Enters_on_a_stretched_z_in_calm_with_a_fixed_stop_and_exits_at_the_holding_limit()
    {
        var strategy = new MeanReversionStrategy(Window4, signals: new ScriptedSignals(
        [
            .. Window(),
            Ready(0.5, MarketRegime.Calm, filtered: 102.5), // bar 4: r = −2.5, z = −2.5 / 1.1547 = −2.165
            Ready(0.5, MarketRegime.Calm, filtered: 100.5), // bar 5: r = −0.5
            Ready(0.5, MarketRegime.Calm, filtered: 100.2), // bar 6: r = −0.2
            Ready(0.5, MarketRegime.Calm, filtered: 100.1), // bar 7: r = −0.1
        ]));

        for (var i = 0; i < 4; i++)
        {
            Assert.Empty(Step(strategy)); // z needs 4 past residuals first
        }

        // If σ included the current residual, the window (−1, 1, −1, −2.5) would give σ = 1.436 and z = −1.74: no entry.
        // Stop 100 − 3 × ATR 2 = 94; $1,000 / $6 = 166 shares.
        var entry = Assert.Single(Step(strategy));
        Assert.Equal(PositionSide.Long, entry.PositionSide);
        Assert.Equal(94m, entry.StopPrice);
        Assert.Equal(166m, TestSizing.Shares(entry, 100m));
        Assert.Equal("z -2.17 ≤ -2.00 in calm", entry.Reason);

        // Bar 5: window (−1, 1, −1, −2.5): mean −0.875, Σ dev² = 6.1875, σ = √2.0625 = 1.4361; z = −0.5 / 1.4361 = −0.35 < 0.
        // Held 1 bar; no exit and the stop is never moved.
        Assert.Empty(Step(strategy, position: 166m, stop: 94m));

        // Bar 6: window (1, −1, −2.5, −0.5): mean −0.75, Σ dev² = 6.25, σ = 1.4434; z = −0.2 / 1.4434 = −0.14. Held 2.
        Assert.Empty(Step(strategy, position: 166m, stop: 94m));

        // Bar 7: z still negative (r = −0.1); held 3 ≥ 3.
        var exit = Assert.Single(Step(strategy, position: 166m, stop: 94m));
        Assert.Equal(IntentKind.Exit, exit.Kind);
        Assert.Equal("held 3 bars ≥ max_hold_bars 3", exit.Reason);
    }

    [Fact]
    public void Exits_back_at_the_mean()
    {
        var strategy = new MeanReversionStrategy(Window4, signals: new ScriptedSignals(
        [
            .. Window(),
            Ready(0.5, MarketRegime.Calm, filtered: 102.5),
            Ready(0.5, MarketRegime.Calm, filtered: 99.7), // bar 5: r = +0.3, z = 0.3 / 1.4361 = 0.21 ≥ 0
        ]));
        for (var i = 0; i < 4; i++)
        {
            Step(strategy);
        }

        Assert.Single(Step(strategy));
        var exit = Assert.Single(Step(strategy, position: 166m, stop: 94m));
        Assert.Equal("z 0.21 ≥ 0.00: back to the mean", exit.Reason);
    }

    [Theory]
    [InlineData(MarketRegime.TrendingDown)]
    [InlineData(MarketRegime.Volatile)]
    [InlineData(MarketRegime.Unknown)]
    public void No_entry_outside_the_calm_whitelist(MarketRegime regime)
    {
        var strategy = new MeanReversionStrategy(Window4, signals: new ScriptedSignals(
            [.. Window(regime), Ready(0.5, regime, filtered: 102.5)]));
        for (var i = 0; i < 5; i++)
        {
            Assert.Empty(Step(strategy));
        }
    }

    [Fact]
    public void No_entry_while_the_filter_warms_up()
    {
        var warm = new StrategySignal(0.5, 0, 102.5, MarketRegime.Calm, 2.0, IsWarmup: true);
        var strategy = new MeanReversionStrategy(Window4, signals: new ScriptedSignals([.. Window(), warm]));
        for (var i = 0; i < 5; i++)
        {
            Assert.Empty(Step(strategy));
        }
    }

    [Fact]
    public void Shorts_mirror_when_allowed()
    {
        StrategySignal[] script =
        [
            .. Window(),
            Ready(0.5, MarketRegime.Calm, filtered: 97.5), // bar 4: r = +2.5, z = +2.165
            Ready(0.5, MarketRegime.Calm, filtered: 100.3), // bar 5: window (−1, 1, −1, 2.5): mean 0.375, Σ dev² = 8.6875, σ = √2.8958 = 1.7017; z = −0.3 / 1.7017 = −0.18 ≤ 0
        ];
        var longOnly = new MeanReversionStrategy(Window4, signals: new ScriptedSignals(script));
        for (var i = 0; i < 5; i++)
        {
            Assert.Empty(Step(longOnly));
        }

        _seen.Clear();
        var strategy = new MeanReversionStrategy(Window4, signals: new ScriptedSignals(script));
        for (var i = 0; i < 4; i++)
        {
            Step(strategy, allowShort: true);
        }

        var entry = Assert.Single(Step(strategy, allowShort: true));
        Assert.Equal(PositionSide.Short, entry.PositionSide);
        Assert.Equal(106m, entry.StopPrice); // 100 + 3 × 2
        Assert.Equal("z 2.17 ≥ 2.00 in calm", entry.Reason);

        var exit = Assert.Single(Step(strategy, position: -166m, stop: 106m, allowShort: true));
        Assert.Equal(PositionSide.Short, exit.PositionSide);
        Assert.Equal("z -0.18 ≤ 0.00: back to the mean", exit.Reason);
    }

    [Theory]
    [InlineData(0.0, 0.0, 20, 20, "entry_z")]
    [InlineData(2.0, 2.0, 20, 20, "exit_z")]
    [InlineData(2.0, 0.0, 1, 20, "z_window")]
    [InlineData(2.0, 0.0, 20, -1, "max_hold_bars")]
    public void Out_of_range_parameters_are_named(double entryZ, double exitZ, int window, int maxHold, string named)
    {
        var ex = Assert.Throws<ArgumentException>(() => new MeanReversionStrategy(
            new MeanReversionParameters { EntryZ = entryZ, ExitZ = exitZ, ZWindow = window, MaxHoldBars = maxHold }));
        Assert.Contains($"'{named}'", ex.Message);
    }
}
