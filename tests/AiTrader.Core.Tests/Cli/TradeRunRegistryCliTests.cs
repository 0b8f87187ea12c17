using AiTrader.Core.Agents;
using AiTrader.Core.Tests.Journal;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Cli;

/// <summary>Which run a <c>trade</c> command drives: unique ids, the unfinished run resumed only with its own settings,
/// one process per run.</summary>
[Trait("Category", "Cli")]
[Collection(EnvironmentCollection.Name)]
public sealed class TradeRunRegistryCliTests : IDisposable
{
    private static readonly string[] Replay = ["trade", "--paper", "--replay", "2013-10-07:2013-10-07", "--symbols", "SPY", "--interval", "1Min"];
    private readonly IsolatedStateDirectory _state = new();

    public void Dispose() => _state.Dispose();

    private static string RunIdOf(string output) => output.Split('\n')[0].Split(' ', 3)[1].TrimEnd(':');

    [Fact]
    public async Task Two_runs_started_in_the_same_second_never_share_an_id_and_a_finished_run_is_not_reopened()
    {
        var first = await CliRunner.Run(Replay);
        var second = await CliRunner.Run(Replay);
        Assert.True(first.Code == 0 && second.Code == 0, first.Err + second.Err);
        Assert.NotEqual(RunIdOf(first.Out), RunIdOf(second.Out));
        Assert.DoesNotContain("resuming", second.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_state.Path, "paper", RunIdOf(first.Out) + ".json")));
        Assert.True(File.Exists(Path.Combine(_state.Path, "paper", RunIdOf(second.Out) + ".json")));
    }

    [Fact]
    public async Task An_unfinished_run_is_resumed_by_the_same_command_and_refused_to_another_with_the_difference_named()
    {
        // A run that crashed: its record says running and nobody holds its lock.
        var registry = new RunRegistry(_state.Path);
        var first = await CliRunner.Run([.. Replay, "--run-id", "crashed"]);
        Assert.True(first.Code == 0, first.Err);
        registry.SetStatus("crashed", RunManifest.Running);

        var other = await CliRunner.Run([.. Replay, "--capital", "50000"]);
        Assert.Equal(2, other.Code);
        Assert.Contains("run crashed did not finish and was started with other settings (capital: the run has 100000, this command 50000)", other.Err, StringComparison.Ordinal);
        Assert.Contains("--new-run", other.Err, StringComparison.Ordinal);

        var same = await CliRunner.Run(Replay);
        Assert.True(same.Code == 0, same.Err);
        Assert.StartsWith("run crashed: resuming paper replay", same.Out, StringComparison.Ordinal);

        var fresh = await CliRunner.Run([.. Replay, "--capital", "50000", "--new-run"]);
        Assert.True(fresh.Code == 0, fresh.Err);
        Assert.NotEqual("crashed", RunIdOf(fresh.Out));

        var byId = await CliRunner.Run([.. Replay, "--run-id", "crashed", "--strategy", "momentum"]);
        Assert.Equal(2, byId.Code);
        Assert.Contains("run crashed was started with other settings (strategy: the run has breakout, this command momentum)", byId.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_another_process_drives_is_refused_with_one_line()
    {
        using (RunLock.Acquire(_state.Path, "busy"))
        {
            var (code, _, err) = await CliRunner.Run([.. Replay, "--run-id", "busy"]);
            Assert.Equal(2, code);
            Assert.Contains("run busy is being driven by another process (pid ", err, StringComparison.Ordinal);
            Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        var (after, _, afterErr) = await CliRunner.Run([.. Replay, "--run-id", "busy"]);
        Assert.True(after == 0, afterErr);
    }
}
