using System.Text;

namespace AiTrader.Core.Reporting;

/// <summary>Escapes text for HTML element content and quoted attribute values.</summary>
/// <remarks>Only the five markup characters are replaced; unlike WebUtility.HtmlEncode, letters such as '·', 'é' or
/// '→' stay readable in the file (it is UTF-8).</remarks>
public static class HtmlText
{
    /// <summary><paramref name="text"/> with &amp;, &lt;, &gt;, &quot; and ' replaced by entities.</summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.AsSpan().IndexOfAny("&<>\"'") < 0)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            sb.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => null,
            } ?? c.ToString());
        }

        return sb.ToString();
    }
}
