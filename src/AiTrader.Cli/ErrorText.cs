using System.Text.RegularExpressions;

namespace AiTrader.Cli;

/// <summary>Turns parser and runtime messages into the one line a person reads: no .NET type names, no
/// <c>(Parameter 'x')</c>, no <c>Actual value was</c>, no line breaks.</summary>
public static partial class ErrorText
{
    /// <summary>A System.CommandLine parse error in the user's words: <c>--capital 'abc' is not a number</c>
    /// instead of <c>... as expected type 'System.Decimal'</c>.</summary>
    public static string ForParseError(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var m = CannotParse().Match(message);
        if (m.Success)
        {
            var value = m.Groups["value"].Value;
            var name = m.Groups["name"].Value;
            var kind = m.Groups["kind"].Value;
            var what = Kind(m.Groups["type"].Value);
            return kind == "option"
                ? $"{name} '{value}' is not {what}"
                : $"'{value}' is not {what} (the {name} argument)";
        }

        return Clean(message);
    }

    /// <summary>An exception's message as one clean line.</summary>
    public static string ForException(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        return Clean(ex.Message);
    }

    /// <summary>True for a file or folder the user named that cannot be used (missing, forbidden, not a real folder).</summary>
    public static bool IsPathProblem(Exception ex) =>
        ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or PathTooLongException
            or DriveNotFoundException;

    /// <summary>Strips what .NET appends to argument exceptions and folds the message onto one line.</summary>
    public static string Clean(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var text = ActualValue().Replace(message, "");
        text = ParameterSuffix().Replace(text, "");
        text = SystemType().Replace(text, t => Kind(t.Groups["type"].Value));
        return text.ReplaceLineEndings(" ").Trim();
    }

    private static string Kind(string type) => type switch
    {
        "System.Decimal" or "System.Double" or "System.Single" => "a number",
        "System.Int32" or "System.Int64" or "System.Int16" or "System.UInt32" or "System.UInt64" or "System.Byte" => "a whole number",
        "System.Boolean" => "true or false",
        "System.DateOnly" or "System.DateTime" or "System.DateTimeOffset" => "a date (YYYY-MM-DD)",
        "System.TimeSpan" => "a duration (hh:mm:ss)",
        _ => "a valid value",
    };

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for (?<kind>option|command|argument) '(?<name>[^']*)' as expected type '(?<type>[^']*)'\.?$", RegexOptions.Singleline)]
    private static partial Regex CannotParse();

    [GeneratedRegex(@"\s*Actual value was .*$", RegexOptions.Singleline)]
    private static partial Regex ActualValue();

    [GeneratedRegex(@"\s*\(Parameter '[^']*'\)")]
    private static partial Regex ParameterSuffix();

    [GeneratedRegex(@"(?:expected type )?'(?<type>System\.[\w.`]+)'")]
    private static partial Regex SystemType();
}
