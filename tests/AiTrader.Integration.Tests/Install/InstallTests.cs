using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using AiTrader.Integration.Tests.TestSupport;

namespace AiTrader.Integration.Tests.Install;

/// <summary>The installable <c>aitrader</c> (docs/howto/install.md): <c>dotnet pack</c> makes a .NET tool package and
/// <c>dotnet tool install</c> from that local folder gives a working command; <c>dotnet publish --self-contained</c>
/// gives a folder that runs with no .NET installed. Either finds its bundled data whatever the current directory: the
/// README's first backtest gives its known result.</summary>
/// <remarks>Slow (Release builds of the CLI into fresh folders): <c>--filter "Category!=Install"</c> leaves them out of a
/// fast loop.</remarks>
[Trait("Category", "Install")]
public sealed class InstallTests : IDisposable
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

        await AssertTheReadmeBacktest(elsewhere, Path.Combine(tools, "aitrader"), output);
        Assert.True(new FileInfo(package).Length > 1_000_000, "the package should carry the bundled data");
    }

    [Fact]
    public async Task The_self_contained_publish_runs_the_readme_backtest_and_serves_with_no_dotnet_on_the_path()
    {
        var app = Path.Combine(_root, "aitrader-linux-x64");
        var elsewhere = Directory.CreateDirectory(Path.Combine(_root, "elsewhere")).FullName;
        // The README's publish, except that the program and the runtime are precompiled separately instead of as one
        // composite image: compiling the whole runtime took four to five minutes on two busy cores, most of the suite's
        // budget, and the composite image holds the same code (the release workflow publishes it; bench.md measures it).
        await Run(TestPaths.RepoRoot, "dotnet", "publish", Path.Combine(TestPaths.RepoRoot, "src", "AiTrader.Cli", "AiTrader.Cli.csproj"),
            "-c", "Release", "-r", "linux-x64", "--self-contained", "-p:PublishReadyToRunComposite=false", "-o", app,
            "--artifacts-path", Path.Combine(_root, "build"), "-nologo", "-v", "q");
        Assert.True(File.Exists(Path.Combine(app, "libcoreclr.so")), "a self-contained folder carries the runtime");

        // No dotnet on the PATH (an empty folder is all of it) and no DOTNET_ROOT: the folder must bring what it needs.
        var emptyPath = Directory.CreateDirectory(Path.Combine(_root, "empty-path")).FullName;
        var bare = new Dictionary<string, string?> { ["PATH"] = emptyPath, ["DOTNET_ROOT"] = null };
        await AssertTheReadmeBacktest(elsewhere, Path.Combine(app, "aitrader"), Path.Combine(_root, "out"), bare);

        // `serve` needs ASP.NET Core from the folder too: it must answer /health/live.
        var port = FreePort();
        var start = Start(elsewhere, Path.Combine(app, "aitrader"), bare, "serve", "--urls", $"http://127.0.0.1:{port}");
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            HttpStatusCode? status = null;
            for (var i = 0; i < 120 && status is null && !process.HasExited; i++)
            {
                try
                {
                    status = (await client.GetAsync(new Uri($"http://127.0.0.1:{port}/health/live"))).StatusCode;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(500);
                }
            }

            Assert.True(status == HttpStatusCode.OK, $"serve did not answer /health/live (status {status}, exited {process.HasExited})");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
        }

        Assert.DoesNotContain("Could not load", await stderr, StringComparison.Ordinal);
    }

    /// <summary>The container image without Docker (no daemon here): the Dockerfile's own <c>dotnet restore</c> and
    /// <c>dotnet publish</c> lines, read from the file, build the app; it starts with the image's environment, entry point
    /// and command (on a free loopback port instead of 0.0.0.0:8080), and the image's own <c>HEALTHCHECK</c> command finds it
    /// healthy; the README's backtest through the entry point gives its known result. Not covered: the base images, the
    /// layers and the non-root user, which only a Docker build shows.</summary>
    [Fact]
    public async Task The_dockerfile_publish_and_health_check_work_outside_docker()
    {
        var dockerfile = Instructions(await File.ReadAllTextAsync(Path.Combine(TestPaths.RepoRoot, "Dockerfile")));
        var app = Path.Combine(_root, "app");
        var build = Path.Combine(_root, "build");
        string[] Dotnet(string verb)
        {
            var run = Assert.Single(dockerfile, i => i.Keyword == "RUN" && i.Text.Contains($"dotnet {verb} ", StringComparison.Ordinal)).Text;
            var words = run[run.IndexOf("dotnet ", StringComparison.Ordinal)..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(w => w.Replace("$TARGETARCH", "x64", StringComparison.Ordinal).Replace("/app", app, StringComparison.Ordinal)).ToList();
            // Fresh build folders, as in the other tests (restore and publish share them, as the image's layers do).
            return [.. words.Skip(1), $"-p:ArtifactsPath={build}", "-nologo", "-v", "q"];
        }

        // The image copies the repository's layout to /source and runs there: the repository root is the same layout.
        await Run(TestPaths.RepoRoot, "dotnet", Dotnet("restore"));
        await Run(TestPaths.RepoRoot, "dotnet", Dotnet("publish"));

        // The image's environment, with its /data volume in this test's folder.
        var data = Path.Combine(_root, "data");
        var environment = dockerfile.Where(i => i.Keyword == "ENV")
            .SelectMany(i => i.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => (string?)kv[1].Replace("/data", data, StringComparison.Ordinal));
        Assert.Equal(data, environment["AITRADER_DATA_DIR"]);

        var entry = JsonSerializer.Deserialize<string[]>(Assert.Single(dockerfile, i => i.Keyword == "ENTRYPOINT").Text)!;
        var command = JsonSerializer.Deserialize<string[]>(Assert.Single(dockerfile, i => i.Keyword == "CMD").Text)!;
        var health = Assert.Single(dockerfile, i => i.Keyword == "HEALTHCHECK").Text;
        var probe = JsonSerializer.Deserialize<string[]>(health[(health.IndexOf("CMD ", StringComparison.Ordinal) + 4)..])!;
        Assert.Equal(["./aitrader"], entry);
        Assert.Contains("http://0.0.0.0:8080", command);

        var port = FreePort();
        var serve = Start(app, Path.Combine(app, "aitrader"), environment,
            [.. command.Select(a => a.Replace("http://0.0.0.0:8080", $"http://127.0.0.1:{port}", StringComparison.Ordinal))]);
        using var process = Process.Start(serve)!;
        var output = process.StandardError.ReadToEndAsync();
        try
        {
            var check = Start(app, probe[0], null, [.. probe.Skip(1).Select(a => a.Replace("127.0.0.1/8080", $"127.0.0.1/{port}", StringComparison.Ordinal))]);
            var healthy = false;
            for (var i = 0; i < 120 && !healthy && !process.HasExited; i++)
            {
                using var attempt = Process.Start(check)!;
                await attempt.WaitForExitAsync();
                healthy = attempt.ExitCode == 0;
                if (!healthy)
                {
                    await Task.Delay(500);
                }
            }

            Assert.True(healthy, $"the image's HEALTHCHECK never passed (serve exited: {process.HasExited})");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
        }

        Assert.DoesNotContain("Could not load", await output, StringComparison.Ordinal);
        await AssertTheReadmeBacktest(_root, Path.Combine(app, entry[0]), Path.Combine(_root, "out"), environment);
    }

    /// <summary>A Dockerfile's instructions: keyword and the rest, continuation lines joined, comments left out.</summary>
    private static List<(string Keyword, string Text)> Instructions(string dockerfile)
    {
        var instructions = new List<(string, string)>();
        var current = "";
        foreach (var raw in dockerfile.ReplaceLineEndings("\n").Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && current.Length == 0))
            {
                continue;
            }

            current += line.EndsWith('\\') ? line[..^1] + " " : line;
            if (!line.EndsWith('\\'))
            {
                var space = current.IndexOf(' ', StringComparison.Ordinal);
                if (space > 0)
                {
                    instructions.Add((current[..space], current[(space + 1)..].Trim()));
                }

                current = "";
            }
        }

        return instructions;
    }

    /// <summary>The README's first command, run from <paramref name="workingDirectory"/>: 70 trades, final equity
    /// $114,648.61.</summary>
    private async Task AssertTheReadmeBacktest(string workingDirectory, string aitrader, string output,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var stdout = await Run(workingDirectory, aitrader, environment,
            "backtest", "--symbol", "SPY", "--start", "2005-01-01", "--strategy", "breakout", "--out", output);

        Assert.Contains("$114,648.61", stdout, StringComparison.Ordinal);
        using var summary = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "summary.json")));
        Assert.Equal(70, summary.RootElement.GetProperty("trades").GetInt32());
        Assert.Equal(114_648.61m, decimal.Round(summary.RootElement.GetProperty("final_equity").GetDecimal(), 2));
        Assert.Equal(71, File.ReadAllLines(Path.Combine(output, "trades.csv")).Length); // header + 70 round trips
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task<string> Run(string workingDirectory, string fileName, params string[] args) =>
        Run(workingDirectory, fileName, null, args);

    /// <summary>Runs a process to its end; fails the test with its output when the exit code is not 0.</summary>
    private async Task<string> Run(string workingDirectory, string fileName, IReadOnlyDictionary<string, string?>? environment,
        params string[] args)
    {
        var start = Start(workingDirectory, fileName, environment, args);
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

    /// <summary>A process in <paramref name="workingDirectory"/> with this test's state folder and no inherited build or
    /// test-platform variables; <paramref name="environment"/> sets (or, with null, removes) more.</summary>
    private ProcessStartInfo Start(string workingDirectory, string fileName, IReadOnlyDictionary<string, string?>? environment,
        params string[] args)
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
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        return start;
    }
}
