using System.Text.Json;

namespace AiTrader.MarketData.Watchlists;

/// <summary>One message read from a chat backend: its id, when it was sent (UTC) and its text.</summary>
public sealed record ChatMessage(string Id, DateTime SentUtc, string Text);

/// <summary>Why reading a chat backend failed.</summary>
public sealed class ChatBackendException(bool rateLimited, bool malformed, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public bool RateLimited { get; } = rateLimited;

    public bool Malformed { get; } = malformed;
}

/// <summary>How a chat backend's error answer is quoted in a one-line message.</summary>
internal static class ChatErrorText
{
    /// <summary>"(text)": the body's JSON string property <paramref name="field"/> (Discord's <c>message</c>, Signal's
    /// <c>error</c>) when it has one, else the body itself, on one line and at most 120 characters.</summary>
    public static string Quote(string body, string field)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(field, out var text)
                && text.ValueKind == JsonValueKind.String)
            {
                return $"({Short(text.GetString() ?? "")})";
            }
        }
        catch (JsonException)
        {
        }

        return $"({Short(body)})";
    }

    private static string Short(string text)
    {
        var one = text.ReplaceLineEndings(" ").Trim();
        return one.Length > 120 ? one[..120] + "…" : one;
    }
}
