using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
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

    /// <summary>Runs a page's commands in order in one fresh working folder; returns what differs from the page. The
    /// page's service (<c>aitrader serve &amp;</c>) listens on a free port that stands in for 5080 in every command and
    /// output, so pages, and other test runs, never share one; it is stopped when the page ends.</summary>
    private async Task<List<string>> RunPageAsync(IReadOnlyList<DocCommand> commands, CancellationToken ct)
    {
        var folder = Directory.CreateTempSubdirectory("aitrader-docs-").FullName;
        var port = FreePort();
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var services = new List<(Process Process, StringBuilder Output)>();
        var failures = new List<string>();
        try
        {
            foreach (var command in commands)
            {
                if (command.Program == ExecutedDocs.FileBlock)
                {
                    await File.WriteAllLinesAsync(Path.Combine(folder, command.Args[0]), command.Shown, ct);
                    continue;
                }

                var clock = Stopwatch.StartNew();
                var args = command.ArgsWith(variables).Select(a => a.Replace(DocumentedAddress, $"127.0.0.1:{port}", StringComparison.Ordinal)).ToList();
                var environment = command.EnvironmentWith(variables);
                if (command.Background)
                {
                    if (!args.Contains("--urls"))
                    {
                        args.AddRange(["--urls", $"http://127.0.0.1:{port}"]);
                    }

                    var started = await StartServiceAsync(args, environment, folder, port, services, ct);
                    log.WriteLine($"{clock.Elapsed.TotalSeconds,5:F1} s  {(started is null ? "answering" : "failed")}  {command}");
                    if (started is not null)
                    {
                        failures.Add($"{command}\n  {started}");
                        break;
                    }

                    continue;
                }

                var (code, output, captured) = await RunAsync(command, args, environment, folder, ct);
                log.WriteLine($"{clock.Elapsed.TotalSeconds,5:F1} s  exit {code}  {command}");
                if (command.Capture is { } name)
                {
                    variables[name] = captured.TrimEnd('\n', '\r');
                }

                var actual = ShownOutput.Lines(output.Replace($"127.0.0.1:{port}", DocumentedAddress, StringComparison.Ordinal), folder);
                var problems = new List<string>();
                if (code != command.ExitCode)
                {
                    problems.Add($"exit code {code}, the page expects {command.ExitCode}");
                }

                // Every command shows a path under the current folder relative to it (DisplayPath), as the page does.
                if (output.Contains(folder, StringComparison.Ordinal))
                {
                    problems.Add($"it printed the absolute path of its working folder ({folder}); a path under the current folder is printed relative to it");
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
            foreach (var (process, _) in services)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                await process.WaitForExitAsync(CancellationToken.None);
                process.Dispose();
            }

            Directory.Delete(folder, recursive: true);
        }

        return failures;
    }

    /// <summary>The service's address as the docs write it (the default of <c>aitrader serve</c>).</summary>
    private const string DocumentedAddress = "127.0.0.1:5080";

    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(2) };

    /// <summary>Starts <c>aitrader serve</c> in the background and waits until it answers <c>/health/live</c>; null when it
    /// does, else what went wrong with the output it printed.</summary>
    private static async Task<string?> StartServiceAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment,
        string folder, int port, List<(Process, StringBuilder)> services, CancellationToken ct)
    {
        var start = Prepare(CliProcess.StartInfo(args, mergeStandardError: true), folder, environment);
        var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        services.Add((process, output));
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < CommandTimeout && !process.HasExited)
        {
            try
            {
                using var live = await Probe.GetAsync(new Uri($"http://127.0.0.1:{port}/health/live"), ct);
                if (live.IsSuccessStatusCode)
                {
                    return null;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }

            await Task.Delay(100, ct);
        }

        lock (output)
        {
            return $"the service did not answer /health/live ({(process.HasExited ? $"it exited with {process.ExitCode}" : "timed out")}); it printed:\n{output}";
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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

    /// <summary>Runs one command (the built <c>aitrader</c>, or curl) with <paramref name="args"/> in
    /// <paramref name="folder"/>; returns its exit code, its stdout and stderr as a terminal shows them (one stream, in the
    /// order written) and, for <c>NAME=$(...)</c>, its stdout apart (the output is then stderr alone).</summary>
    private static async Task<(int Code, string Output, string Captured)> RunAsync(DocCommand command, IReadOnlyList<string> args,
        IReadOnlyDictionary<string, string> environment, string folder, CancellationToken ct)
    {
        var merge = command.Capture is null;
        var start = command.Program == ExecutedDocs.Curl ? CliProcess.Program("curl", args, merge) : CliProcess.StartInfo(args, merge);
        using var process = Process.Start(Prepare(start, folder, environment))!;
        process.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CommandTimeout);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token); // empty when stderr is merged into stdout
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {CommandTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s", "");
        }

        return merge ? (process.ExitCode, await output + await errors, "") : (process.ExitCode, await errors, await output);
    }

    /// <summary>The working folder, stdin, and the environment of a command: none of the variables of .env.example from
    /// this machine (so the defaults apply: state in data/, outputs in artifacts/ of the folder), no COLUMNS, and the
    /// page's own assignments.</summary>
    private static ProcessStartInfo Prepare(ProcessStartInfo start, string folder, IReadOnlyDictionary<string, string> environment)
    {
        start.WorkingDirectory = folder;
        start.RedirectStandardInput = true; // closed at once: no command waits for a person
        foreach (var variable in EnvironmentCheck.Variables)
        {
            start.Environment.Remove(variable.Name);
        }

        start.Environment.Remove("COLUMNS");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }
}
