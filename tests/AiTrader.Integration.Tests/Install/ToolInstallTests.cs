using System.Diagnostics;
using System.Text;
using System.Text.Json;
using AiTrader.Integration.Tests.TestSupport;

namespace AiTrader.Integration.Tests.Install;

/// <summary>The installable <c>aitrader</c>: <c>dotnet pack</c> makes a .NET tool package, <c>dotnet tool install</c>
/// from that local folder gives a working command, and the installed command finds its bundled data whatever the current
/// directory: the README's first backtest gives its known result (docs/howto/install.md).</summary>
/// <remarks>Slow (a Release build of the CLI into fresh folders, then an install): <c>--filter "Category!=Install"</c>
/// leaves it out of a fast loop.</remarks>
[Trait("Category", "Install")]
public sealed class ToolInstallTests : IDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(4);
    private readonly string _root = Directory.CreateTempSubdirectory("aitrader-install-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task The_packed_tool_installs_and_runs_the_readme_backtest_from_another_directory()
    {
        var nupkg = Path.Combine(_root, "nupkg");
        var tools = Path.Combine(_root, "tools");
        var elsewhere = Directory.CreateDirectory(Path.Combine(_root, "elsewhere")).FullName;
        var output = Path.Combine(_root, "out");

        // Fresh build folders (--artifacts-path): nothing stale under src/*/obj can leak in, and the checkout's own
        // builds are untouched.
        await Run(TestPaths.RepoRoot, "dotnet", "pack", Path.Combine(TestPaths.RepoRoot, "src", "AiTrader.Cli", "AiTrader.Cli.csproj"),
            "-c", "Release", "-o", nupkg, "--artifacts-path", Path.Combine(_root, "build"), "-nologo", "-v", "q");
        var package = Assert.Single(Directory.GetFiles(nupkg, "aitrader.*.nupkg"));

        // Only the local folder as a source: the install is offline and cannot pick a same-named package elsewhere.
        var config = Path.Combine(_root, "nuget.config");
        await File.WriteAllTextAsync(config,
            $"""<?xml version="1.0" encoding="utf-8"?><configuration><packageSources><clear /><add key="local" value="{nupkg}" /></packageSources></configuration>""");
        var install = await Run(elsewhere, "dotnet", "tool", "install", "--tool-path", tools, "aitrader", "--configfile", config);
        Assert.Contains("aitrader", install, StringComparison.Ordinal);

        // The current directory has no data/sample anywhere above it, so the data found must be the package's own.
        for (var dir = new DirectoryInfo(elsewhere); dir is not null; dir = dir.Parent)
        {
            Assert.False(Directory.Exists(Path.Combine(dir.FullName, "data", "sample", "daily")), $"{dir.FullName} holds data/sample: pick another temp folder");
        }

        var stdout = await Run(elsewhere, Path.Combine(tools, "aitrader"),
            "backtest", "--symbol", "SPY", "--start", "2005-01-01", "--strategy", "breakout", "--out", output);

        Assert.Contains("$114,648.61", stdout, StringComparison.Ordinal);
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "summary.json")));
        Assert.Equal(70, summary.RootElement.GetProperty("trades").GetInt32());
        Assert.Equal(114_648.61m, decimal.Round(summary.RootElement.GetProperty("final_equity").GetDecimal(), 2));
        Assert.Equal(71, File.ReadAllLines(Path.Combine(output, "trades.csv")).Length); // header + 70 round trips
        Assert.True(new FileInfo(package).Length > 1_000_000, "the package should carry the bundled data");
    }

    /// <summary>Runs a process to its end; fails the test with its output when the exit code is not 0.</summary>
    private async Task<string> Run(string workingDirectory, string fileName, params string[] args)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        // The test host runs under MSBuild's and the test platform's variables; a nested build must not inherit them.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase) || k == "DOTNET_HOST_PATH").ToList())
        {
            start.Environment.Remove(name);
        }

        // Nothing points the installed tool at the checkout's data; its state stays in this test's folder.
        start.Environment.Remove("AITRADER_SAMPLE_DATA");
        start.Environment.Remove("DATABASE_URL");
        start.Environment["AITRADER_DATA_DIR"] = Path.Combine(_root, "state");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(StepTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(fileName)} {string.Join(' ', args)} took longer than {StepTimeout}.");
        }

        var text = new StringBuilder().Append(await stdout).Append(await stderr).ToString();
        Assert.True(process.ExitCode == 0, $"{Path.GetFileName(fileName)} {string.Join(' ', args)} exited {process.ExitCode}:\n{text}");
        return text;
    }
}
