using System.Text.RegularExpressions;

namespace AiTrader.Core.Watchlists;

/// <summary>Pulls tickers out of chat text: every cashtag (<c>$AAPL</c>, <c>$BRK.B</c>) and every bare all-capital
/// word of 1-5 letters (with an optional share class) that is not a common word or trading abbreviation.</summary>
/// <remarks>Bare words are a guess ("CEO", "USA" and "GO" are words too), so a source validates them against a listing
/// when one is available; cashtags are what the writer meant and are only checked for being a ticker. Bounded: at
/// most <see cref="MaxPerMessage"/> tickers per message.</remarks>
public static partial class TickerExtractor
{
    public const int MaxPerMessage = 50;

    private static readonly HashSet<string> CommonWords = new(StringComparer.Ordinal)
    {
        "A", "I", "AM", "AN", "AND", "ARE", "AS", "AT", "BE", "BUT", "BY", "DO", "FOR", "GO", "IF", "IN", "IS", "IT", "ME",
        "MY", "NO", "NOT", "OF", "OK", "ON", "OR", "SO", "THE", "TO", "UP", "US", "WE", "YES", "YOU", "ALL", "NEW", "NOW",
        "OUT", "OFF", "GET", "HAS", "HAD", "HOLD", "BUY", "SELL", "LONG", "SHORT", "CALL", "CALLS", "PUT", "PUTS", "ATH",
        "ATM", "OTM", "ITM", "EOD", "EOW", "IMO", "IMHO", "LOL", "FYI", "CEO", "CFO", "IPO", "ETF", "SEC", "FED", "USA",
        "USD", "EPS", "PE", "PM", "AH", "ET", "EST", "EDT", "GDP", "CPI", "FOMC", "NYSE", "DD", "TA", "PT", "SL", "TP",
        "RSI", "VWAP", "EMA", "SMA", "MACD", "HOD", "LOD", "YOLO", "WSB", "AI", "API", "TLDR",
    };

    /// <summary>The tickers in <paramref name="text"/>, in order of first appearance, without the <c>$</c>.</summary>
    public static IReadOnlyList<string> Extract(string? text)
    {
        var found = new List<string>();
        if (string.IsNullOrEmpty(text))
        {
            return found;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Token().Matches(text))
        {
            var cashtag = m.Groups["cash"].Success;
            var ticker = cashtag ? m.Groups["cash"].Value.ToUpperInvariant() : m.Groups["bare"].Value;
            if (!cashtag && CommonWords.Contains(ticker))
            {
                continue;
            }

            if (seen.Add(ticker))
            {
                found.Add(ticker);
                if (found.Count == MaxPerMessage)
                {
                    break;
                }
            }
        }

        return found;
    }

    // A cashtag may be any case; a bare ticker must be capitals standing alone (not inside a word, URL or number).
    [GeneratedRegex(@"(?<![\w$/.])(?:\$(?<cash>[A-Za-z]{1,6}(?:[./-][A-Za-z]{1,2})?)|(?<bare>[A-Z]{1,5}(?:[./-][A-Z]{1,2})?))(?![\w/]|\.[A-Za-z])")]
    private static partial Regex Token();
}
