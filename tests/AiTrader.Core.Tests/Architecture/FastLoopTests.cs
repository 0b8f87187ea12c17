using System.Reflection;
using System.Text.RegularExpressions;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Architecture;

/// <summary>Keeps the README's fast loop honest: <c>dotnet test tests/AiTrader.Core.Tests --filter
/// "Category!=Cli&amp;Category!=Database"</c> runs no CLI and no database, because every test class that runs the CLI in
/// process carries <c>[Trait("Category", "Cli")]</c> and every one that opens SQLite carries <c>"Database"</c>.</summary>
public sealed partial class FastLoopTests
{
    [Fact]
    public void Every_test_file_that_runs_the_cli_or_a_database_is_kept_out_of_the_fast_loop()
    {
        var root = Path.Combine(TestPaths.RepoRoot, "tests", "AiTrader.Core.Tests");
        var untagged = new List<string>();
        var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}TestSupport{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.EndsWith(nameof(FastLoopTests) + ".cs", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            var needsCli = file.Contains($"{Path.DirectorySeparatorChar}Cli{Path.DirectorySeparatorChar}", StringComparison.Ordinal) || RunsTheCli().IsMatch(text);
            var needsDatabase = OpensADatabase().IsMatch(text);
            var tagged = text.Contains("[Trait(\"Category\", \"Cli\")]", StringComparison.Ordinal)
                || (!needsCli && text.Contains("[Trait(\"Category\", \"Database\")]", StringComparison.Ordinal));
            if ((needsCli || needsDatabase) && !tagged)
            {
                untagged.Add(Path.GetRelativePath(root, file));
            }
        }

        Assert.Empty(untagged);
    }

    [Fact]
    public void The_traits_are_on_the_classes_the_runner_sees()
    {
        // A trait on a class reaches every test in it; checked on a known class of each kind.
        Assert.Equal("Cli", TraitOf(typeof(Cli.CliTests)));
        Assert.Equal("Database", TraitOf(typeof(Application.JobRunnerTests)));
        Assert.Null(TraitOf(typeof(FastLoopTests)));
    }

    private static string? TraitOf(Type type) =>
        CustomAttributeData.GetCustomAttributes(type)
            .Where(a => a.AttributeType == typeof(TraitAttribute) && a.ConstructorArguments[0].Value as string == "Category")
            .Select(a => a.ConstructorArguments[1].Value as string)
            .FirstOrDefault();

    [GeneratedRegex(@"CliRunner\.|AiTraderApp\.")]
    private static partial Regex RunsTheCli();

    [GeneratedRegex(@"Sqlite|JobStore|JournalFactory|Npgsql")]
    private static partial Regex OpensADatabase();
}
