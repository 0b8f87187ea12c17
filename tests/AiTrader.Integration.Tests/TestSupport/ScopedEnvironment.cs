namespace AiTrader.Integration.Tests.TestSupport;

/// <summary>Process environment variables set for one test and put back as they were on dispose. Tests that use it
/// belong to the environment collection (the variables are process-wide).</summary>
internal sealed class ScopedEnvironment : IDisposable
{
    private readonly Dictionary<string, string?> _saved = new(StringComparer.Ordinal);

    /// <param name="cleared">Variables unset for the test (a machine's own DATABASE_URL or keys must not leak in).</param>
    public ScopedEnvironment(params string[] cleared)
    {
        foreach (var name in cleared)
        {
            Set(name, null);
        }
    }

    /// <summary>Sets <paramref name="name"/> (unsets it when null) until dispose.</summary>
    public void Set(string name, string? value)
    {
        _saved.TryAdd(name, Environment.GetEnvironmentVariable(name));
        Environment.SetEnvironmentVariable(name, value);
    }

    /// <summary>Sets each variable of <paramref name="values"/>.</summary>
    public void Set(IReadOnlyDictionary<string, string> values)
    {
        foreach (var (name, value) in values)
        {
            Set(name, value);
        }
    }

    public void Dispose()
    {
        foreach (var (name, value) in _saved)
        {
            Environment.SetEnvironmentVariable(name, value);
        }
    }
}
