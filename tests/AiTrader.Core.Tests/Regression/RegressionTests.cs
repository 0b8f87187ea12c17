namespace AiTrader.Core.Tests.Regression;

/// <summary>Change detectors in the spirit of LEAN's regression algorithms: every strategy at its defaults on real
/// sample bars must reproduce the trade count, final equity, fees, drawdown, Sharpe, win rate and exact order list
/// recorded in pins.json. A failure says behaviour changed, not that it is wrong; see docs/howto/update-regression-pins.md.</summary>
public sealed class RegressionTests
{
    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in RegressionCase.All)
        {
            data.Add(c.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Backtest_reproduces_its_pin(string caseName)
    {
        var c = RegressionCase.All.Single(x => x.Name == caseName);
        var now = RegressionPin.Of(c, c.Run());
        if (RegressionPinFile.Updating)
        {
            RegressionPinFile.Save(now);
            return;
        }

        var how = $"If the change is intended, run `{RegressionPinFile.UpdateVariable}=1 dotnet test --filter Regression` and review the diff of {RegressionPinFile.RelativePath}.";
        Assert.True(RegressionPinFile.Load().TryGetValue(caseName, out var pinned), $"{caseName} has no pin. {how}");
        var diff = RegressionPin.Diff(pinned, now);
        Assert.True(diff.Count == 0,
            $"{caseName} no longer matches its pin:\n  {string.Join("\n  ", diff)}\n{how}");
    }

    [Fact]
    public void Pins_file_has_no_pins_for_cases_that_no_longer_exist()
    {
        if (RegressionPinFile.Updating)
        {
            return; // the update run prunes them
        }

        var known = RegressionCase.All.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        var stale = RegressionPinFile.Load().Keys.Where(k => !known.Contains(k)).ToArray();
        Assert.True(stale.Length == 0, $"stale pins in {RegressionPinFile.RelativePath}: {string.Join(", ", stale)}");
    }

    [Fact]
    public void Case_names_are_unique()
    {
        var names = RegressionCase.All.Select(c => c.Name).ToArray();
        Assert.Equal(names.Length, names.Distinct(StringComparer.Ordinal).Count());
    }
}
