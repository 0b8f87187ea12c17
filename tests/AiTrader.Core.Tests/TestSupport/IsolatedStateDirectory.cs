namespace AiTrader.Core.Tests.TestSupport;

/// <summary>For one CLI test: AITRADER_DATA_DIR points at a fresh temporary folder (runs, snapshots, the JSONL journal)
/// and DATABASE_URL (with any other variables named) is cleared, so the run touches nothing of the machine's; all are
/// restored and the folder deleted on dispose. Tests that use it belong to the environment collection (they change
/// process-wide variables).</summary>
public sealed class IsolatedStateDirectory : IDisposable
{
    private readonly Dictionary<string, string?> _saved = new(StringComparer.Ordinal);

    /// <param name="alsoCleared">More variables of the machine's that must not reach the test (API keys, a watchlist).</param>
    public IsolatedStateDirectory(params string[] alsoCleared)
    {
        Set("AITRADER_DATA_DIR", Path);
        foreach (var name in alsoCleared.Prepend("DATABASE_URL"))
        {
            Set(name, null);
        }
    }

    /// <summary>The state directory (AITRADER_DATA_DIR while the test runs).</summary>
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "aitrader-state-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }

        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }

    private void Set(string name, string? value)
    {
        _saved.TryAdd(name, Environment.GetEnvironmentVariable(name));
        Environment.SetEnvironmentVariable(name, value);
    }
}
