namespace AiTrader.MarketData.Watchlists;

/// <summary>One message read from a chat backend: its id, when it was sent (UTC) and its text.</summary>
public sealed record ChatMessage(string Id, DateTime SentUtc, string Text);

/// <summary>Why reading a chat backend failed.</summary>
public sealed class ChatBackendException(string backend, bool rateLimited, bool malformed, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public string Backend { get; } = backend;

    public bool RateLimited { get; } = rateLimited;

    public bool Malformed { get; } = malformed;
}
