namespace AiTrader.MarketData;

/// <summary>The error text for a vendor name nobody knows. The input itself is never repeated: a key pasted into
/// <c>--vendor</c> (or AITRADER_VENDOR_CHAIN) would otherwise reach the terminal, a log or CI output.</summary>
public static class UnknownVendor
{
    /// <summary>"unknown vendor (5 characters, not shown in case it is a key); did you mean 'yahoo'; use one of …".
    /// The suggestion is a known name within two edits of the input, so it echoes nothing the user typed.</summary>
    public static string Message(string? input, IEnumerable<string> known, string what = "vendor")
    {
        ArgumentNullException.ThrowIfNull(known);
        var names = known.ToList();
        var text = input?.Trim() ?? "";
        var guess = names
            .Select(n => (Name: n, Distance: Distance(text.ToLowerInvariant(), n.ToLowerInvariant())))
            .Where(x => x.Distance <= 2 && x.Distance < x.Name.Length)
            .OrderBy(x => x.Distance)
            .Select(x => x.Name)
            .FirstOrDefault();
        var hint = guess is null ? "" : $"; did you mean '{guess}'";
        return $"unknown {what} ({text.Length} characters, not shown in case it is a key){hint}; use one of {string.Join(", ", names)}";
    }

    /// <summary>Levenshtein distance, capped: names are short and anything over 64 characters is no typo of one.</summary>
    private static int Distance(string a, string b)
    {
        if (a.Length > 64 || Math.Abs(a.Length - b.Length) > 2)
        {
            return int.MaxValue;
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
