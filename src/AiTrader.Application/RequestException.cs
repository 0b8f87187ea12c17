namespace AiTrader.Application;

/// <summary>A request the application cannot run as given (a bad value, an empty range, an unknown symbol): the CLI prints
/// it as one line with exit code 2; the service answers 400 with a problem document naming <see cref="Field"/>.</summary>
/// <param name="message">What is wrong and how to fix it, in one line.</param>
/// <param name="field">The request field at fault, when there is one.</param>
public class RequestException(string message, string? field = null) : Exception(message)
{
    public string? Field { get; } = field;
}

/// <summary>A request that was fine but whose upstream source failed it (a vendor's rate limit, an error or an unreadable
/// answer): not the caller's mistake, so the service answers 503 Service Unavailable instead of 400; the CLI prints it as
/// one line with exit code 2, as it does every vendor failure.</summary>
public sealed class UpstreamException(string message, string? field = null) : RequestException(message, field);

/// <summary>A request that is fine but collides with what is under way (a session asking for the run another session job
/// drives or is waiting to drive): the service answers 409 Conflict naming <see cref="RequestException.Field"/>; the CLI
/// prints it as one line with exit code 2.</summary>
public sealed class ConflictException(string message, string? field = null) : RequestException(message, field);
