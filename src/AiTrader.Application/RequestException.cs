namespace AiTrader.Application;

/// <summary>A request the application cannot run as given (a bad value, an empty range, an unknown symbol): the CLI prints
/// it as one line with exit code 2; the service answers 400 with a problem document naming <see cref="Field"/>.</summary>
/// <param name="message">What is wrong and how to fix it, in one line.</param>
/// <param name="field">The request field at fault, when there is one.</param>
public sealed class RequestException(string message, string? field = null) : Exception(message)
{
    public string? Field { get; } = field;
}
