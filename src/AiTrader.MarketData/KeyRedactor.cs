using System.Text.RegularExpressions;

namespace AiTrader.MarketData;

/// <summary>Removes API keys and secrets from text before it reaches an exception message or a log.</summary>
public sealed partial class KeyRedactor(IEnumerable<string> secrets)
{
    private readonly string[] _secrets = secrets.Where(s => s.Length > 0).Distinct().OrderByDescending(s => s.Length).ToArray();

    /// <summary>Replaces every known secret and any key-like query parameter value with ***, and folds the text to one line.</summary>
    public string Scrub(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var s = text;
        foreach (var secret in _secrets)
        {
            s = s.Replace(secret, "***", StringComparison.Ordinal);
            var escaped = Uri.EscapeDataString(secret);
            if (escaped != secret)
            {
                s = s.Replace(escaped, "***", StringComparison.Ordinal);
            }
        }

        // Also catches keys we were not told about (e.g. a key echoed back in a vendor's error text).
        s = KeyParameter().Replace(s, "$1=***");
        return OneLine(s, int.MaxValue);
    }

    /// <summary>Collapses whitespace runs (including newlines) so a message stays on one line.</summary>
    public static string OneLine(string text, int maxLength = 300)
    {
        var s = Whitespace().Replace(text, " ").Trim();
        return s.Length <= maxLength ? s : string.Concat(s.AsSpan(0, maxLength - 1), "…");
    }

    [GeneratedRegex(@"(?i)\b(apikey|api_key|token|key|secret|apca-api-key-id|apca-api-secret-key)=([^&\s""']+)")]
    private static partial Regex KeyParameter();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
