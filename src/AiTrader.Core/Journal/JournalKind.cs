namespace AiTrader.Core.Journal;

/// <summary>What a journal entry records; written in lower case (<c>decision</c>, <c>block</c>, ...) in every store and export.</summary>
public enum JournalKind
{
    /// <summary>The policy decided to act (or not) on a bar, with its reason.</summary>
    Decision,

    /// <summary>A guardrail refused an order; the reason starts with the rule's name.</summary>
    Block,

    /// <summary>An order was submitted to a broker.</summary>
    Order,

    /// <summary>An order (partly) executed.</summary>
    Fill,

    /// <summary>An order was cancelled (or expired).</summary>
    Cancel,

    /// <summary>The broker rejected an order.</summary>
    Reject,

    /// <summary>A position changed: its new signed quantity and average price.</summary>
    Position,

    /// <summary>The end-of-day summary.</summary>
    Summary,

    /// <summary>A webhook delivery to the service, accepted or refused, with what it asked for and why it was refused.</summary>
    Webhook,
}

/// <summary>The text names of <see cref="JournalKind"/> and their parsing.</summary>
public static class JournalKinds
{
    /// <summary>Every kind's text name, in enum order.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [.. Enum.GetValues<JournalKind>().Select(ToText)];

    /// <summary>The lower-case name, e.g. <c>block</c>.</summary>
    public static string ToText(this JournalKind kind) => kind switch
    {
        JournalKind.Decision => "decision",
        JournalKind.Block => "block",
        JournalKind.Order => "order",
        JournalKind.Fill => "fill",
        JournalKind.Cancel => "cancel",
        JournalKind.Reject => "reject",
        JournalKind.Position => "position",
        JournalKind.Summary => "summary",
        JournalKind.Webhook => "webhook",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown journal kind."),
    };

    /// <summary>Parses a kind name, ignoring case and surrounding blanks.</summary>
    public static bool TryParse(string? text, out JournalKind kind)
    {
        var s = text?.Trim().ToLowerInvariant();
        foreach (var k in Enum.GetValues<JournalKind>())
        {
            if (k.ToText() == s)
            {
                kind = k;
                return true;
            }
        }

        kind = default;
        return false;
    }

    /// <summary>Parses a kind name or throws a <see cref="FormatException"/> listing the valid ones.</summary>
    public static JournalKind Parse(string text) =>
        TryParse(text, out var kind)
            ? kind
            : throw new FormatException($"Unknown journal kind '{text}'; use one of {string.Join(", ", Names)}.");
}
