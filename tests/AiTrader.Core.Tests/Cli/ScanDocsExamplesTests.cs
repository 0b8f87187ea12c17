using System.Text;
using AiTrader.Cli;
using AiTrader.Core.Tests.IO;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Cli;

/// <summary>Every <c>$ aitrader ...</c> line of the scanning how-to runs and exits 0 (lines that say they need a
/// server or keys are skipped), so the documented examples cannot rot.</summary>
[Trait("Category", "Cli")]
public sealed class ScanDocsExamplesTests
{
    private static string HowTo => Path.Combine(TestPaths.RepoRoot, "docs", "howto", "build-a-premarket-watchlist.md");

    private static List<string> Commands()
    {
        var data = new List<string>();
        foreach (var line in File.ReadLines(HowTo))
        {
            var text = line.Trim();
            if (text.StartsWith("$ ", StringComparison.Ordinal) && text.Contains("aitrader ", StringComparison.Ordinal) && !text.Contains("needs", StringComparison.Ordinal))
            {
                data.Add(text[2..]);
            }
        }

        return data;
    }

    [Fact]
    public async Task Documented_commands_run_in_order()
    {
        // In document order and in one data folder: `watchlist show` reads what `watchlist build` saved before it.
        using var dir = new TempDirectory();
        var commands = Commands();
        Assert.True(commands.Count >= 8);
        foreach (var commandLine in commands)
        {
            await RunAsync(commandLine, dir);
        }
    }

    private static async Task RunAsync(string commandLine, TempDirectory dir)
    {
        var env = new Dictionary<string, string?> { ["AITRADER_DATA_DIR"] = dir.Path };
        var tokens = Tokens(commandLine);
        var at = tokens.IndexOf("aitrader");
        foreach (var assignment in tokens.Take(at))
        {
            var eq = assignment.IndexOf('=', StringComparison.Ordinal);
            env[assignment[..eq]] = assignment[(eq + 1)..];
        }

        var args = tokens.Skip(at + 1).ToArray();
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--out")
            {
                args[i + 1] = dir.File(args[i + 1]); // the docs write into the working folder; the test into its own
            }
        }

        (int Code, string Out, string Err) result;
        using (PlatformEnvironment.Use(env))
        {
            result = await CliRunner.Run(args);
        }

        Assert.True(result.Code == 0, $"{commandLine}\n{result.Err}");
    }

    /// <summary>Splits a shell line on spaces, keeping single- and double-quoted text together (quotes removed).</summary>
    private static List<string> Tokens(string line)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        char? quote = null;
        var inToken = false;
        foreach (var c in line)
        {
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
                inToken = true;
            }
            else if (c == ' ')
            {
                if (inToken)
                {
                    tokens.Add(current.ToString());
                    current.Clear();
                    inToken = false;
                }
            }
            else if (c == '#' && !inToken)
            {
                break;
            }
            else
            {
                current.Append(c);
                inToken = true;
            }
        }

        if (inToken)
        {
            tokens.Add(current.ToString());
        }

        return tokens;
    }
}
