using System.Text.RegularExpressions;

namespace AiTrader.Integration.Tests.Docs;

/// <summary>Compares the output a page shows with the real output, as docs/README.md ("Executed examples") describes:
/// line by line and exact, after the few normalizations below; a line <c>...</c> alone stands for any number of lines
/// (none included), and <c>...</c> inside a line for any text on that line.</summary>
internal static partial class ShownOutput
{
    /// <summary>The line that stands for lines the page leaves out.</summary>
    public const string Elision = "...";

    /// <summary>What may differ from one run to the next, made equal on both sides: the working folder (the page's
    /// temporary folder; paths under it read as relative paths), the UTC time stamps in generated names
    /// (<c>SPY-breakout-20261205T040613Z</c>, <c>morning/20261205T041006.369686Z</c>) and how long something took (<c>16 ms</c>, <c>1.2 s</c>). Trailing spaces
    /// are not compared.</summary>
    public static string Normalize(string line, string? workingFolder = null)
    {
        if (workingFolder is not null)
        {
            line = line.Replace(workingFolder + "/", "", StringComparison.Ordinal).Replace(workingFolder, ".", StringComparison.Ordinal);
        }

        line = Stamp().Replace(line, "<stamp>");
        line = Duration().Replace(line, "<duration>");
        return line.TrimEnd();
    }

    /// <summary>The real output as lines, normalized, without the trailing empty lines.</summary>
    public static List<string> Lines(string output, string workingFolder)
    {
        var lines = output.ReplaceLineEndings("\n").Split('\n').Select(l => Normalize(l, workingFolder)).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    /// <summary>True when <paramref name="actual"/> (normalized) is what <paramref name="shown"/> shows; else false and,
    /// in <paramref name="firstMiss"/>, the first shown line that could not be matched in order.</summary>
    public static bool Matches(IReadOnlyList<string> shown, IReadOnlyList<string> actual, out string? firstMiss)
    {
        var pattern = shown.Select(l => l == Elision ? null : LinePattern(Normalize(l))).ToList();

        // reach[i, j]: the first i shown lines match the first j real lines; an elision takes any run of lines.
        var reach = new bool[pattern.Count + 1, actual.Count + 1];
        reach[0, 0] = true;
        var furthest = 0;
        for (var i = 1; i <= pattern.Count; i++)
        {
            var any = false;
            for (var j = 0; j <= actual.Count; j++)
            {
                reach[i, j] = pattern[i - 1] is not { } line
                    ? reach[i - 1, j] || (j > 0 && reach[i, j - 1])
                    : j > 0 && reach[i - 1, j - 1] && line.IsMatch(actual[j - 1]);
                any |= reach[i, j];
            }

            if (any)
            {
                furthest = i;
            }
        }

        var matches = reach[pattern.Count, actual.Count];
        firstMiss = matches ? null
            : furthest < pattern.Count ? $"shown line {furthest + 1}: `{shown[furthest]}`"
            : "the real output goes on after the last shown line (end with a `...` line to leave the rest out)";
        return matches;
    }

    /// <summary>A shown line as a whole-line pattern: literal, but for each <c>...</c> inside it, which takes any text.</summary>
    private static Regex LinePattern(string line) =>
        new("^" + string.Join(".*", line.Split(Elision).Select(Regex.Escape)) + "$", RegexOptions.CultureInvariant);

    [GeneratedRegex(@"\b\d{8}T\d{6}(?:\.\d+)?Z\b")]
    private static partial Regex Stamp();

    [GeneratedRegex(@"\b\d+(?:\.\d+)? ?(?:ms|s)\b")]
    private static partial Regex Duration();
}
