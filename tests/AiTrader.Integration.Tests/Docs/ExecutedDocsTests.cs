using System.Diagnostics;
using System.Globalization;
using AiTrader.Application;
using AiTrader.Integration.Tests.TestSupport;
using Xunit.Abstractions;

namespace AiTrader.Integration.Tests.Docs;

/// <summary>The docs are executed (docs/README.md, "Executed examples"): every <c>$ aitrader ...</c> line of a
/// <c>console</c> block in README.md and docs/ runs against the built CLI, and the output the page shows under it is
/// what the command prints. Each page runs as one session in its own temporary working folder (its state and outputs
/// there, nothing in the repository, no keys, no database, no network); pages run side by side.</summary>
[Trait("Category", "Cli")]
public sealed class ExecutedDocsTests(ITestOutputHelper log)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Pages a newcomer follows verbatim: each must keep executed examples.</summary>
    private static readonly string[] MustBeExecuted =
        ["README.md", "docs/tutorials/first-backtest.md", "docs/tutorials/paper-session.md", "docs/tutorials/sweep.md"];

    [Fact]
    public void The_readme_and_the_tutorials_keep_executed_examples_that_show_their_output()
    {
        var silent = MustBeExecuted.Where(p => ExecutedDocs.Commands(p).Count == 0).ToList();
        Assert.True(silent.Count == 0, $"no executed block on {string.Join(", ", silent)}");
        var unshown = MustBeExecuted.Skip(1).SelectMany(ExecutedDocs.Commands).Where(c => c.Shown.Count == 0).ToList();
        Assert.True(unshown.Count == 0, $"a tutorial shows what each command prints: {string.Join("; ", unshown)}");
    }

    [Fact]
    public async Task Every_executed_block_prints_what_its_page_shows()
    {
        // The pages with the most commands start first: a long page started last would set the run's length.
        var pages = ExecutedDocs.Pages().Select(p => (Page: p, Commands: ExecutedDocs.Commands(p))).Where(p => p.Commands.Count > 0)
            .OrderByDescending(p => p.Commands.Count).ToList();
        var failures = new List<string>[pages.Count];
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, pages.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            async (i, ct) => failures[i] = await RunPageAsync(pages[i].Commands, ct));
        log.WriteLine($"{pages.Sum(p => p.Commands.Count)} commands on {pages.Count} pages in {clock.Elapsed.TotalSeconds:F1} s");

        var all = failures.SelectMany(f => f).ToList();
        Assert.True(all.Count == 0, $"{all.Count} executed example(s) differ from their page:\n\n" + string.Join("\n\n", all));
    }

    /// <summary>Runs a page's commands in order in one fresh working folder; returns what differs from the page.</summary>
    private async Task<List<string>> RunPageAsync(IReadOnlyList<DocCommand> commands, CancellationToken ct)
    {
        var folder = Directory.CreateTempSubdirectory("aitrader-docs-").FullName;
        var failures = new List<string>();
        try
        {
            foreach (var command in commands)
            {
                var clock = Stopwatch.StartNew();
                var (code, output) = await RunAsync(command, folder, ct);
                log.WriteLine($"{clock.Elapsed.TotalSeconds,5:F1} s  exit {code}  {command}");
                var actual = ShownOutput.Lines(output, folder);
                var problems = new List<string>();
                if (code != command.ExitCode)
                {
                    problems.Add($"exit code {code}, the page expects {command.ExitCode}");
                }

                if (command.Shown.Count > 0 && !ShownOutput.Matches(command.Shown, actual, out var miss))
                {
                    problems.Add($"the output differs from the page at {miss}");
                }

                if (problems.Count > 0)
                {
                    failures.Add($"{command}\n  {string.Join("\n  ", problems)}\n  real output (normalized):\n" + Excerpt(actual));
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        return failures;
    }

    /// <summary>The real output, indented; a long one as its first and last 40 lines.</summary>
    private static string Excerpt(List<string> lines)
    {
        const int Keep = 40;
        var shown = lines.Count <= 2 * Keep + 1
            ? lines
            : [.. lines.Take(Keep), $"({lines.Count - 2 * Keep} lines left out of this message)", .. lines.TakeLast(Keep)];
        return string.Join("\n", shown.Select(l => "    " + l));
    }

    /// <summary>Runs one command as the built <c>aitrader</c> in <paramref name="folder"/>, with the state, artifacts and
    /// bar cache in it and none of the variables of .env.example from this machine; returns its exit code and its stdout
    /// and stderr as a terminal shows them (one stream, in the order written).</summary>
    private static async Task<(int Code, string Output)> RunAsync(DocCommand command, string folder, CancellationToken ct)
    {
        var start = CliProcess.StartInfo(command.Args, mergeStandardError: true);
        start.WorkingDirectory = folder;
        start.RedirectStandardInput = true; // closed at once: no command waits for a person
        foreach (var variable in EnvironmentCheck.Variables)
        {
            start.Environment.Remove(variable.Name);
        }

        start.Environment.Remove("COLUMNS");
        start.Environment["AITRADER_DATA_DIR"] = Path.Combine(folder, "data");
        start.Environment["AITRADER_ARTIFACTS_DIR"] = Path.Combine(folder, "artifacts");
        start.Environment["AITRADER_BAR_CACHE"] = Path.Combine(folder, "data", "cache", "bars");
        foreach (var (name, value) in command.Environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CommandTimeout);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token); // empty: stderr is merged into stdout
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {CommandTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }

        return (process.ExitCode, await output + await errors);
    }
}
