namespace AiTrader.Core.Tests.TestSupport;

/// <summary>For one CLI test: AITRADER_DATA_DIR points at a fresh temporary folder (runs, snapshots, the JSONL journal)
/// and DATABASE_URL is cleared, so the run touches nothing of the machine's; both are restored and the folder deleted on
/// dispose. Tests that use it belong to the environment collection (they change process-wide variables).</summary>
public sealed class IsolatedStateDirectory : IDisposable
{
    private readonly string? _savedDataDir = Environment.GetEnvironmentVariable("AITRADER_DATA_DIR");
    private readonly string? _savedDatabase = Environment.GetEnvironmentVariable("DATABASE_URL");

    public IsolatedStateDirectory()
    {
        Environment.SetEnvironmentVariable("AITRADER_DATA_DIR", Path);
        Environment.SetEnvironmentVariable("DATABASE_URL", null);
    }

    /// <summary>The state directory (AITRADER_DATA_DIR while the test runs).</summary>
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "aitrader-state-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("AITRADER_DATA_DIR", _savedDataDir);
        Environment.SetEnvironmentVariable("DATABASE_URL", _savedDatabase);
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
