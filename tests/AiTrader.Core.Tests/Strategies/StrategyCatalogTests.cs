using AiTrader.Core.Strategies;

namespace AiTrader.Core.Tests.Strategies;

public class StrategyCatalogTests
{
    [Fact]
    public void Lists_breakout()
    {
        Assert.Contains("breakout", StrategyCatalog.Names);
    }

    [Fact]
    public void Creates_breakout_with_defaults()
    {
        var strategy = Assert.IsType<BreakoutStrategy>(StrategyCatalog.Create("breakout"));
        Assert.Equal("breakout", strategy.Name);
        Assert.Equal(new BreakoutParameters(20, 14, 3m, 0.01m), strategy.Parameters);
    }

    [Fact]
    public void Parses_parameters_in_any_common_spelling()
    {
        var strategy = (BreakoutStrategy)StrategyCatalog.Create("Breakout", new Dictionary<string, string>
        {
            ["lookback"] = "55",
            ["atr-period"] = "20",
            ["AtrMultiplier"] = "2.5",
            ["risk_fraction"] = "0.005",
        });

        Assert.Equal(new BreakoutParameters(55, 20, 2.5m, 0.005m), strategy.Parameters);
    }

    [Fact]
    public void Unknown_strategy_lists_the_known_ones_on_one_line()
    {
        var ex = Assert.Throws<ArgumentException>(() => StrategyCatalog.Create("scalper"));
        Assert.Contains("'scalper'", ex.Message);
        Assert.Contains("breakout", ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Theory]
    [InlineData("lookback", "abc", "lookback")]
    [InlineData("lookback", "0", "lookback")]
    [InlineData("atr_period", "1.5", "atr_period")]
    [InlineData("atr_multiplier", "-1", "atr_multiplier")]
    [InlineData("risk_fraction", "2", "risk_fraction")]
    [InlineData("window", "10", "window")]
    public void Bad_parameters_are_named(string key, string value, string named)
    {
        var ex = Assert.Throws<ArgumentException>(
            () => StrategyCatalog.Create("breakout", new Dictionary<string, string> { [key] = value }));
        Assert.Contains($"'{named}'", ex.Message);
    }
}
