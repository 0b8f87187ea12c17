using System.Collections.Concurrent;
using System.Diagnostics;

namespace AiTrader.Integration.Tests.TestSupport;

/// <summary>A CLI process whose merged output is collected line by line as it comes.</summary>
internal sealed class RunningCli
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly SemaphoreSlim _newLine = new(0);

    public RunningCli(ProcessStartInfo start)
    {
        Process = new Process { StartInfo = start };
        Process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                _lines.Enqueue(line);
                _newLine.Release();
            }
        };
        Process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                _errors.Enqueue(line);
            }
        };
        Process.Start();
        Process.BeginOutputReadLine();
        if (start.RedirectStandardError)
        {
            Process.BeginErrorReadLine();
        }
    }

    public Process Process { get; }

    public string Text => string.Join('\n', _lines);

    public IReadOnlyList<string> Lines => [.. _lines];

    /// <summary>What the process wrote to stderr, when it was not merged into stdout.</summary>
    public string Err => string.Join('\n', _errors);

    public async Task WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!_lines.Any(match))
        {
            try
            {
                await _newLine.WaitAsync(TimeSpan.FromMilliseconds(500), cts.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"no such line within {timeout.TotalSeconds} s; the process wrote:\n{Text}");
            }

            Assert.False(Process.HasExited && !_lines.Any(match), $"the process ended (exit {(Process.HasExited ? Process.ExitCode : 0)}) without the line:\n{Text}");
        }
    }

    public async Task<int> ExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await Process.WaitForExitAsync(cts.Token);
        Process.WaitForExit();
        return Process.ExitCode;
    }
}
