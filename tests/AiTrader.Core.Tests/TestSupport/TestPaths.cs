namespace AiTrader.Core.Tests.TestSupport;

/// <summary>Paths into the repository checkout, found by walking up from the test binary to the solution folder
/// so tests read the real data/sample, not a copy.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AiTrader.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"AiTrader.sln not found above {AppContext.BaseDirectory}.");
    });

    /// <summary>The folder holding AiTrader.sln.</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>The bundled sample data, <c>data/sample</c>.</summary>
    public static string SampleRoot => Path.Combine(RepoRoot, "data", "sample");
}
