using AiTrader.Core.Backtesting.Sweeps;

namespace AiTrader.Core.Tests.Sweeps;

public class ParameterGridTests
{
    [Fact]
    public void Ranges_and_lists_expand_in_grid_order()
    {
        var grid = ParameterGrid.Parse("lookback=10:60:10,atr_mult=2,3,4");

        Assert.Equal(["lookback", "atr_mult"], grid.Names);
        Assert.Equal(["10", "20", "30", "40", "50", "60"], grid.Parameters[0].Values);
        Assert.Equal(["2", "3", "4"], grid.Parameters[1].Values);
        Assert.Equal(18, grid.Count);
    }

    [Fact]
    public void Decimal_ranges_step_exactly_and_print_canonically()
    {
        var grid = ParameterGrid.Parse("risk=0.005:0.02:0.005, k = 0.1:0.3:0.1, m=2.50,1.0");

        Assert.Equal(["0.005", "0.01", "0.015", "0.02"], grid.Parameters[0].Values);
        Assert.Equal(["0.1", "0.2", "0.3"], grid.Parameters[1].Values);
        Assert.Equal(["2.5", "1"], grid.Parameters[2].Values);
    }

    [Fact]
    public void A_range_stops_at_the_last_step_not_past_the_end_and_a_to_b_steps_by_one()
    {
        Assert.Equal(["10", "25", "40"], ParameterGrid.Parse("n=10:50:15").Parameters[0].Values);
        Assert.Equal(["3", "4", "5"], ParameterGrid.Parse("n=3:5").Parameters[0].Values);
        Assert.Equal(["-1", "0", "1"], ParameterGrid.Parse("n=-1:1:1").Parameters[0].Values);
        Assert.Equal(["7"], ParameterGrid.Parse("n=7:7:2").Parameters[0].Values);
    }

    [Fact]
    public void Ranges_and_lists_mix_within_one_parameter()
    {
        var grid = ParameterGrid.Parse("n=5,10:20:5,50");
        Assert.Equal(["5", "10", "15", "20", "50"], grid.Parameters[0].Values);
    }

    [Fact]
    public void The_product_varies_the_last_parameter_fastest()
    {
        var grid = ParameterGrid.Parse("a=1,2,b=x,y,z");

        var combos = grid.Combinations().Select(c => c.ToString()).ToArray();

        Assert.Equal(
            ["a=1 b=x", "a=1 b=y", "a=1 b=z", "a=2 b=x", "a=2 b=y", "a=2 b=z"],
            combos);
        Assert.Equal(Enumerable.Range(0, 6), grid.Combinations().Select(c => c.Index));
        for (var i = 0; i < grid.Count; i++)
        {
            Assert.Equal(i, grid.IndexOf(grid.Digits(i)));
        }
    }

    [Fact]
    public void Grid_values_override_base_parameters()
    {
        var combo = ParameterGrid.Parse("lookback=30").Combination(0);
        var merged = combo.ToParameters(new Dictionary<string, string> { ["LOOKBACK"] = "20", ["risk"] = "0.02" });

        Assert.Equal("30", merged["lookback"]);
        Assert.Equal("0.02", merged["risk"]);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("10:60:10", "'10:60:10' comes before any parameter name")]
    [InlineData("lookback=", "'lookback=' has no value")]
    [InlineData("=5", "'=5' needs a parameter name")]
    [InlineData("look back=5", "'look back=5' needs a parameter name")]
    [InlineData("lookback=10:x:10", "'x' is not a number")]
    [InlineData("lookback=10:60:0", "'lookback=10:60:0': step must be greater than 0")]
    [InlineData("lookback=10:60:-5", "'lookback=10:60:-5': step must be greater than 0")]
    [InlineData("lookback=60:10:10", "start 60 is after end 10")]
    [InlineData("lookback=1:2:3:4", "'lookback=1:2:3:4' is not a range")]
    [InlineData("lookback=10,,20", "empty token")]
    [InlineData("lookback=10,", "empty token")]
    [InlineData("lookback=10,lookback=20", "'lookback=20' names parameter 'lookback' a second time")]
    [InlineData("atr_mult=2,atr-mult=3", "a second time")]
    [InlineData("lookback=10,10", "repeats value 10")]
    [InlineData("lookback=10=20", "more than one '='")]
    [InlineData("lookback=1:1000000:1", "more than 10000")]
    [InlineData("a=1:1000,b=1:1000", "more than 100000 combinations")]
    public void Malformed_grids_fail_with_one_line_naming_the_token(string text, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => ParameterGrid.Parse(text));
        Assert.Contains(expected, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }
}
