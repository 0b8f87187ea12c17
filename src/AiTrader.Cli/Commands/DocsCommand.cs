using System.CommandLine;
using AiTrader.Core.IO;

namespace AiTrader.Cli.Commands;

/// <summary><c>aitrader docs generate</c> (hidden, for the project's own docs): writes the generated reference pages
/// (<see cref="ReferencePages"/>) into docs/reference of the current folder, the repository root.</summary>
public static class DocsCommand
{
    public static Command Create(TextWriter stdout)
    {
        var output = new Option<string>("--out") { Description = "The folder of the reference pages.", DefaultValueFactory = _ => ReferencePages.Folder };
        var generate = new Command("generate", "Write the reference pages generated from the code (configuration.md, cli-commands.md).") { output };
        generate.SetAction(async (parse, ct) =>
        {
            var folder = parse.GetValue(output)!;
            OutputPath.CheckFolder(folder, "--out");
            var root = (RootCommand)parse.RootCommandResult.Command;
            var pages = ReferencePages.All(root, name => File.Exists(Path.Combine(folder, name)) ? File.ReadAllText(Path.Combine(folder, name)) : null);
            Directory.CreateDirectory(folder);
            foreach (var (name, text) in pages)
            {
                var path = Path.Combine(folder, name);
                var unchanged = File.Exists(path) && await File.ReadAllTextAsync(path, ct) == text;
                if (!unchanged)
                {
                    AtomicFile.WriteAllText(path, text);
                }

                await stdout.WriteLineAsync($"{(unchanged ? "unchanged" : "wrote")} {DisplayPath.Of(path)}");
            }

            return ExitCodes.Ok;
        });
        return new Command("docs", "The project's generated reference pages.") { Hidden = true, Subcommands = { generate } };
    }
}
