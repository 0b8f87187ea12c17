using System.Diagnostics.CodeAnalysis;

namespace AiTrader.Core.Domain;

/// <summary>An upper-case exchange ticker such as <c>AAPL</c> or <c>BRK.B</c>: the one parser of tickers in the platform.</summary>
/// <remarks>
/// A ticker is a root of 1-10 letters or digits, optionally followed by one share-class separator and a class of 1-5
/// letters or digits. The separators vendors use for a class (<c>BRK.B</c> at Alpaca, <c>BRK-B</c> at Yahoo,
/// <c>BRK/B</c> in some listings) all mean the same share, so they normalize to one form, <c>BRK.B</c>. Nothing else is
/// accepted: no path separators, no <c>..</c>, no spaces or control characters, so a symbol is always safe to use as a
/// file or folder name.
/// </remarks>
public readonly record struct Symbol
{
    /// <summary>Longest root (the part before a class separator).</summary>
    public const int MaxRootLength = 10;

    /// <summary>Longest share class (the part after the separator).</summary>
    public const int MaxClassLength = 5;

    /// <exception cref="ArgumentException"><paramref name="value"/> is not a ticker.</exception>
    public Symbol(string value)
    {
        if (!TryNormalize(value, out var normalized, out var error))
        {
            throw new ArgumentException(error, nameof(value));
        }

        Value = normalized;
    }

    public string Value { get; }

    /// <summary>Parses <paramref name="text"/> as a ticker; false with a one-line reason when it is not one.</summary>
    public static bool TryParse(string? text, out Symbol symbol, [NotNullWhen(false)] out string? error)
    {
        if (TryNormalize(text, out var normalized, out error))
        {
            symbol = new Symbol(normalized);
            return true;
        }

        symbol = default;
        return false;
    }

    private static bool TryNormalize(string? text, out string normalized, [NotNullWhen(false)] out string? error)
    {
        normalized = "";
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "Symbol must not be empty.";
            return false;
        }

        var trimmed = text.Trim();
        Span<char> buffer = stackalloc char[MaxRootLength + 1 + MaxClassLength];
        var length = 0;
        var separatorAt = -1;
        foreach (var raw in trimmed)
        {
            var c = char.ToUpperInvariant(raw);
            if (char.IsAsciiLetterOrDigit(c))
            {
                var partLength = separatorAt < 0 ? length : length - separatorAt - 1;
                if (partLength >= (separatorAt < 0 ? MaxRootLength : MaxClassLength))
                {
                    error = $"Symbol '{Shown(trimmed)}' is too long; a ticker has at most {MaxRootLength} letters or digits, plus a share class of at most {MaxClassLength} (e.g. BRK.B).";
                    return false;
                }

                buffer[length++] = c;
            }
            else if (c is '.' or '-' or '/')
            {
                if (separatorAt >= 0 || length == 0)
                {
                    error = $"Symbol '{Shown(trimmed)}' is not a ticker: use letters and digits, with at most one '.', '-' or '/' before a share class (e.g. BRK.B).";
                    return false;
                }

                separatorAt = length;
                buffer[length++] = '.';
            }
            else
            {
                error = $"Symbol '{Shown(trimmed)}' contains '{Printable(c)}'; use letters and digits, with at most one '.', '-' or '/' before a share class (e.g. BRK.B).";
                return false;
            }
        }

        if (separatorAt == length - 1)
        {
            error = $"Symbol '{Shown(trimmed)}' ends with a class separator; give the share class after it (e.g. BRK.B).";
            return false;
        }

        normalized = new string(buffer[..length]);
        error = null;
        return true;
    }

    /// <summary>At most 24 printable characters of the rejected input, so an error line stays one short line.</summary>
    private static string Shown(string text)
    {
        var shown = new string(text.Select(c => char.IsControl(c) ? '?' : c).Take(24).ToArray());
        return text.Length > 24 ? shown + "…" : shown;
    }

    private static string Printable(char c) => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString();

    public static implicit operator Symbol(string value) => new(value);

    public override string ToString() => Value;
}
