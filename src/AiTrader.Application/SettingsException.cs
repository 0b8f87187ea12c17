namespace AiTrader.Application;

/// <summary>Malformed settings found at start-up: one line per problem, each naming its variable.</summary>
public sealed class SettingsException(IReadOnlyList<string> problems) : Exception(string.Join(" ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
