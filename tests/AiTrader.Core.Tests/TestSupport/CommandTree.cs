using System.CommandLine;

namespace AiTrader.Core.Tests.TestSupport;

/// <summary>Walks the <c>aitrader</c> command tree for the tests that go over every command.</summary>
public static class CommandTree
{
    /// <summary>The paths of the commands that run something (<c>apikey create</c>, ...); a command with subcommands
    /// only groups them.</summary>
    public static IEnumerable<string> Leaves(Command command, string prefix = "")
    {
        foreach (var sub in command.Subcommands)
        {
            var path = prefix.Length == 0 ? sub.Name : $"{prefix} {sub.Name}";
            if (sub.Subcommands.Count == 0)
            {
                yield return path;
            }
            else
            {
                foreach (var leaf in Leaves(sub, path))
                {
                    yield return leaf;
                }
            }
        }
    }
}
