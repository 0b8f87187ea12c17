namespace AiTrader.Core.Domain;

/// <summary>An upper-case exchange ticker such as <c>AAPL</c> or <c>BRK.B</c>.</summary>
public readonly record struct Symbol
{
    public Symbol(string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException("Symbol must not be empty.", nameof(value));
        }

        var trimmed = value.Trim().ToUpperInvariant();
        foreach (var c in trimmed)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '/'))
            {
                throw new ArgumentException($"Symbol '{value}' contains '{c}'; use letters, digits, '.', '-' or '/'.", nameof(value));
            }
        }

        Value = trimmed;
    }

    public string Value { get; }

    public static implicit operator Symbol(string value) => new(value);

    public override string ToString() => Value;
}
