using System.Text.RegularExpressions;
using AiTrader.Core.Tests.TestSupport;

namespace AiTrader.Core.Tests.Architecture;

/// <summary>The container and the systemd unit name every folder the service writes to, under the one folder their user
/// may write: a folder left to its default is relative to the working folder (the container's /app is read-only to its
/// user, so the first vendor fetch there failed to write its cache).</summary>
public sealed partial class DeploymentFilesTests
{
    /// <summary>The variables of the folders the platform writes whose defaults are relative to the working folder
    /// (AITRADER_BAR_CACHE defaults under the data folder, AITRADER_SAMPLE_DATA is only read).</summary>
    private static readonly string[] WrittenFolders = ["AITRADER_DATA_DIR", "AITRADER_ARTIFACTS_DIR", "AITRADER_CACHE_DIR"];

    [Fact]
    public void The_container_puts_every_written_folder_in_its_data_volume()
    {
        var dockerfile = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "Dockerfile")).Replace("\\\n", " ", StringComparison.Ordinal);
        var final = dockerfile[dockerfile.LastIndexOf("FROM ", StringComparison.Ordinal)..];
        var env = Assignments(string.Join(' ', EnvLine().Matches(final).Select(m => m.Groups[1].Value)));
        Assert.Contains("VOLUME /data", final, StringComparison.Ordinal);
        Assert.All(WrittenFolders, name => Assert.True(env.TryGetValue(name, out var value) && Under(value, "/data"),
            $"the Dockerfile's final stage sets {name} under /data (it has '{env.GetValueOrDefault(name)}')"));
    }

    [Fact]
    public void The_systemd_unit_puts_every_written_folder_in_its_state_directory()
    {
        var unit = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "deploy", "systemd", "aitrader.service"));
        var env = Assignments(string.Join(' ', EnvironmentLine().Matches(unit).Select(m => m.Groups[1].Value)));
        Assert.Contains("StateDirectory=aitrader", unit, StringComparison.Ordinal);
        Assert.All(WrittenFolders, name => Assert.True(env.TryGetValue(name, out var value) && Under(value, "/var/lib/aitrader"),
            $"the unit sets {name} under /var/lib/aitrader (it has '{env.GetValueOrDefault(name)}')"));
    }

    private static bool Under(string path, string root) => path == root || path.StartsWith(root + "/", StringComparison.Ordinal);

    private static Dictionary<string, string> Assignments(string text) =>
        text.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(word => word.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);

    [GeneratedRegex(@"^ENV\s+(.+)$", RegexOptions.Multiline)]
    private static partial Regex EnvLine();

    [GeneratedRegex(@"^Environment=(.+)$", RegexOptions.Multiline)]
    private static partial Regex EnvironmentLine();
}
