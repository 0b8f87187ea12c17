using System.Diagnostics;
using AiTrader.Cli;

namespace AiTrader.Integration.Tests.TestSupport;

/// <summary>The built <c>aitrader</c> as its own process: <c>dotnet aitrader.dll ...</c> from the CLI's build output (its
/// deps.json resolves its packages), in the configuration the tests were built in.</summary>
internal static class CliProcess
{
    /// <summary>The CLI's aitrader.dll in src/AiTrader.Cli/bin/&lt;configuration&gt;/net10.0.</summary>
    public static string Dll { get; } = Path.Combine(TestPaths.RepoRoot, "src", "AiTrader.Cli", "bin",
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug",
        "net10.0", Path.GetFileName(typeof(AiTraderApp).Assembly.Location));

    /// <summary><c>dotnet aitrader.dll args</c> with stdout and stderr redirected. With <paramref name="mergeStandardError"/>
    /// stderr goes into the stdout pipe (through <c>/bin/sh</c>), so the two arrive in the order the process wrote them, as
    /// a terminal shows them.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args, bool mergeStandardError = false) =>
        Program("dotnet", args.Prepend(Dll), mergeStandardError);

    /// <summary><paramref name="fileName"/> with <paramref name="args"/>, stdout and stderr redirected; with
    /// <paramref name="mergeStandardError"/> as <see cref="StartInfo"/> does it.</summary>
    public static ProcessStartInfo Program(string fileName, IEnumerable<string> args, bool mergeStandardError = false)
    {
        var start = new ProcessStartInfo(mergeStandardError ? "/bin/sh" : fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (mergeStandardError)
        {
            foreach (var a in new[] { "-c", "exec \"$0\" \"$@\" 2>&1", fileName })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        return start;
    }
}
