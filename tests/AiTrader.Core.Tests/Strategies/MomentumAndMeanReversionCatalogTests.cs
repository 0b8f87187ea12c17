using AiTrader.Core.Signals.Regimes;
using AiTrader.Core.Strategies;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Strategies;

[Trait("Category", "Cli")]
public class MomentumAndMeanReversionCatalogTests
{
    [Fact]
    public void Lists_all_three_strategies()
    {
        Assert.Equal(["breakout", "mean_reversion", "momentum"], StrategyCatalog.Names);
    }

    [Fact]
    public void Creates_both_with_defaults()
    {
        var momentum = Assert.IsType<MomentumStrategy>(StrategyCatalog.Create("momentum"));
        Assert.Equal(new MomentumParameters(), momentum.Parameters);
        Assert.Equal(0.80, momentum.Parameters.EntryProbability);
        Assert.Equal(0.50, momentum.Parameters.ExitProbability);
        Assert.Equal("trending_up|calm", momentum.Parameters.Regimes.ToString());

        var meanReversion = Assert.IsType<MeanReversionStrategy>(StrategyCatalog.Create("mean_reversion"));
        Assert.Equal(new MeanReversionParameters(), meanReversion.Parameters);
        Assert.Equal("calm", meanReversion.Parameters.Regimes.ToString());
    }

    [Fact]
    public void Parses_parameters_in_any_common_spelling()
    {
        var momentum = (MomentumStrategy)StrategyCatalog.Create("Momentum", new Dictionary<string, string>
        {
            ["prob_entry"] = "0.9",
            ["prob-exit"] = "0.4",
            ["Regimes"] = "Trending-Up|volatile",
            ["atr_mult"] = "2.5",
            ["risk"] = "0.02",
            ["atr_period"] = "10",
        });
        Assert.Equal(new MomentumParameters
        {
            EntryProbability = 0.9,
            ExitProbability = 0.4,
            Regimes = RegimeSet.Of(MarketRegime.TrendingUp, MarketRegime.Volatile),
            AtrMultiplier = 2.5m,
            RiskFraction = 0.02m,
            AtrPeriod = 10,
        }, momentum.Parameters);

        var meanReversion = (MeanReversionStrategy)StrategyCatalog.Create("mean_reversion", new Dictionary<string, string>
        {
            ["entry_z"] = "2.5",
            ["exit_z"] = "-0.5",
            ["z_window"] = "30",
            ["max_hold_bars"] = "0",
            ["k"] = "4",
            ["regimes"] = "calm|trending_down",
        });
        Assert.Equal(new MeanReversionParameters
        {
            EntryZ = 2.5,
            ExitZ = -0.5,
            ZWindow = 30,
            MaxHoldBars = 0,
            AtrMultiplier = 4m,
            Regimes = RegimeSet.Of(MarketRegime.Calm, MarketRegime.TrendingDown),
        }, meanReversion.Parameters);
    }

    [Theory]
    [InlineData("momentum", "prob_entry", "abc", "prob_entry")]
    [InlineData("momentum", "prob_entry", "1.2", "prob_entry")]
    [InlineData("momentum", "prob_exit", "0.9", "prob_exit")]
    [InlineData("momentum", "regimes", "sideways", "regimes")]
    [InlineData("momentum", "regimes", "unknown", "regimes")]
    [InlineData("momentum", "lookback", "20", "lookback")]
    [InlineData("mean_reversion", "entry_z", "-1", "entry_z")]
    [InlineData("mean_reversion", "z_window", "1.5", "z_window")]
    [InlineData("mean_reversion", "max_hold_bars", "-2", "max_hold_bars")]
    [InlineData("mean_reversion", "atr_multiplier", "0", "atr_multiplier")]
    public void Bad_parameters_are_named_on_one_line(string strategy, string key, string value, string named)
    {
        var ex = Assert.Throws<ArgumentException>(
            () => StrategyCatalog.Create(strategy, new Dictionary<string, string> { [key] = value }));
        Assert.Contains($"'{named}'", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void Unknown_parameters_list_the_known_ones()
    {
        var ex = Assert.Throws<ArgumentException>(
            () => StrategyCatalog.Create("mean_reversion", new Dictionary<string, string> { ["lookback"] = "3" }));
        Assert.Contains("entry_z, exit_z, z_window, regimes, atr_period, atr_multiplier, max_hold_bars, risk_fraction", ex.Message);
    }

    [Fact]
    public void Describe_gives_names_and_defaults_that_parse_back_to_the_defaults()
    {
        Assert.Equal(["prob_entry", "prob_exit", "regimes", "atr_period", "atr_multiplier", "risk_fraction"],
            StrategyCatalog.Describe("momentum").Select(p => p.Name));
        Assert.Equal(["0.8", "0.5", "trending_up|calm", "14", "3", "0.01"],
            StrategyCatalog.Describe("momentum").Select(p => p.Default));
        Assert.Equal(["2.0", "0.0", "20", "calm", "14", "3", "20", "0.01"],
            StrategyCatalog.Describe("mean_reversion").Select(p => p.Default));
        Assert.Equal(["lookback", "atr_period", "atr_multiplier", "risk_fraction"],
            StrategyCatalog.Describe("breakout").Select(p => p.Name));
        Assert.All(StrategyCatalog.Names.SelectMany(StrategyCatalog.Describe), p => Assert.False(string.IsNullOrWhiteSpace(p.Description)));

        foreach (var name in StrategyCatalog.Names)
        {
            var defaults = StrategyCatalog.Describe(name).ToDictionary(p => p.Name, p => p.Default);
            var fromDefaults = StrategyCatalog.Create(name, defaults);
            var plain = StrategyCatalog.Create(name);
            Assert.Equal(Parameters(plain), Parameters(fromDefaults));
        }

        Assert.Throws<ArgumentException>(() => StrategyCatalog.Describe("scalper"));
    }

    [Fact]
    public async Task Aitrader_strategies_prints_every_parameter()
    {
        var (code, text, _) = await CliRunner.Run("strategies");

        Assert.Equal(0, code);
        foreach (var name in StrategyCatalog.Names)
        {
            Assert.Contains(name, text);
            foreach (var p in StrategyCatalog.Describe(name))
            {
                Assert.Contains(p.Name, text);
            }
        }

        Assert.Contains("trending_up|calm", text);
    }

    private static object Parameters(IStrategy strategy) => strategy switch
    {
        BreakoutStrategy b => b.Parameters,
        MomentumStrategy m => m.Parameters,
        MeanReversionStrategy r => r.Parameters,
        _ => throw new InvalidOperationException(strategy.Name),
    };
}
