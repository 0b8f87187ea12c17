using AiTrader.Core.IO;

namespace AiTrader.Core.Tests.IO;

/// <summary>One way to show a path: relative to the current folder inside it, absolute outside it.</summary>
public sealed class DisplayPathTests
{
    [Theory]
    [InlineData("/work/run/artifacts/backtests/SPY", "/work/run", "artifacts/backtests/SPY")]
    [InlineData("artifacts/sweeps/x/sweep.csv", "/work/run", "artifacts/sweeps/x/sweep.csv")]
    [InlineData("./data/journal.db", "/work/run", "data/journal.db")]
    [InlineData("/work/run", "/work/run", ".")]
    [InlineData("/work/other/out", "/work/run", "/work/other/out")]
    [InlineData("../out", "/work/run", "/work/out")]
    [InlineData("/work/runner/out", "/work/run", "/work/runner/out")] // a sibling whose name starts with the folder's
    [InlineData("/work/run/..data/x", "/work/run", "..data/x")] // inside, though its name starts with two dots
    public void Shows_a_path_inside_the_current_folder_relative_and_any_other_absolute(string path, string current, string shown) =>
        Assert.Equal(shown, DisplayPath.Of(path, current));
}
