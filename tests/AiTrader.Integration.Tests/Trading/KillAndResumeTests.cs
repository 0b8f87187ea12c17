using System.Diagnostics;
using System.Text;
using AiTrader.Core.Journal;
using AiTrader.Integration.Tests.TestSupport;
using AiTrader.Storage;

namespace AiTrader.Integration.Tests.Trading;

/// <summary>Kill -9 a paper replay in the middle of its week and run the same command again: it resumes the unfinished
/// run, and the journal ends up equal to an uninterrupted run's, with no order lost or sent twice. The runs are real
/// <c>aitrader</c> processes; the kill is SIGKILL, so nothing gets a chance to clean up.</summary>
public sealed class KillAndResumeTests : IDisposable
{
    private static readonly string[] Replay =
        ["trade", "--paper", "--replay", "2013-10-07:2013-10-11", "--symbols", "SPY,IBM,BAC", "--interval", "1Min"];

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "aitrader-kill-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_killed_replay_resumed_by_the_same_command_journals_exactly_what_an_uninterrupted_run_does()
    {
        var killedDir = Path.Combine(_dir, "killed");
        var straightDir = Path.Combine(_dir, "straight");

        // Paced so the week takes seconds; killed once a dozen fills are out (mid-week: the week has over a hundred).
        var killed = await RunAsync(killedDir, [.. Replay, "--speed", "20000"], killAfterFills: 12);
        Assert.True(killed.Killed, "the run finished before it could be killed: " + killed.Output);
        var resumed = await RunAsync(killedDir, Replay);
        Assert.True(resumed.Code == 0, resumed.Output);
        Assert.Contains("resuming paper replay", resumed.Output, StringComparison.Ordinal);
        Assert.Contains(" restart ", resumed.Output, StringComparison.Ordinal);
        var straight = await RunAsync(straightDir, Replay);
        Assert.True(straight.Code == 0, straight.Output);

        // A third run of the command after a finished run starts a new run, it does not re-open the finished one.
        var again = await RunAsync(straightDir, Replay);
        Assert.DoesNotContain("resuming", again.Output, StringComparison.Ordinal);

        var afterKill = await EntriesAsync(killedDir);
        var reference = await EntriesAsync(straightDir, runIndex: 0);
        Assert.True(reference.Count > 300, $"{reference.Count} journal entries");
        Assert.Equal(reference.Select(e => e.Key).Order(StringComparer.Ordinal), afterKill.Select(e => e.Key).Order(StringComparer.Ordinal));
        var byKey = reference.ToDictionary(e => e.Key);
        foreach (var entry in afterKill)
        {
            Assert.Equal(byKey[entry.Key], entry);
        }

        // Every order and fill once.
        Assert.Equal(afterKill.Count, afterKill.Select(e => e.Key).Distinct().Count());
    }

    /// <summary>This run's journal entries with the run id taken out of keys and order ids, so two runs compare.</summary>
    private static async Task<List<(string Key, JournalKind Kind, DateTime Timestamp, string? Symbol, decimal? Quantity, decimal? Price, string Reason)>> EntriesAsync(
        string dataDir, int runIndex = 0)
    {
        await using var journal = JournalFactory.Create(null, Path.Combine(dataDir, "data"));
        var all = await journal.QueryAsync(JournalQuery.All);
        var runs = all.Where(e => e.EventKey is not null && e.EventKey.Contains(":premarket:", StringComparison.Ordinal))
            .Select(e => e.EventKey![..e.EventKey!.IndexOf(":premarket:", StringComparison.Ordinal)]).Distinct().ToList();
        var run = runs[runIndex];
        return all.Where(e => e.EventKey?.StartsWith(run + ":", StringComparison.Ordinal) == true)
            .Select(e => (e.EventKey![(run.Length + 1)..].Replace(run, "RUN", StringComparison.Ordinal), e.Kind, e.Timestamp,
                (string?)e.Symbol?.Value, e.Quantity, e.Price, e.Reason.Replace(run, "RUN", StringComparison.Ordinal)))
            .ToList();
    }

    private static async Task<(int Code, bool Killed, string Output)> RunAsync(string dataDir, string[] args, int killAfterFills = 0)
    {
        var start = CliProcess.StartInfo(args);
        start.Environment["AITRADER_DATA_DIR"] = Path.Combine(dataDir, "data");
        start.Environment.Remove("DATABASE_URL");
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var fills = 0;
        var killed = false;
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            output.AppendLine(line);
            if (killAfterFills > 0 && line.Contains(" fill ", StringComparison.Ordinal) && ++fills == killAfterFills)
            {
                process.Kill(entireProcessTree: true); // SIGKILL
                killed = true;
                break;
            }
        }

        await process.WaitForExitAsync(timeout.Token);
        output.Append(await stderr);
        return (process.ExitCode, killed, output.ToString());
    }
}
