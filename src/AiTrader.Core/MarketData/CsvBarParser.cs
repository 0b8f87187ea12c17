using System.Globalization;
using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.MarketData;

/// <summary>Reads bar CSV files: daily <c>date,open,high,low,close,volume</c> or minute <c>timestamp,open,high,low,close,volume</c>.</summary>
/// <remarks>Columns are found by name (case-insensitive, any order, extra columns ignored; optional <c>trade_count</c> and
/// <c>vwap</c>). Every problem is reported as one <see cref="MarketDataException"/> line <c>file:line: problem</c>.</remarks>
public static partial class CsvBarParser
{
    private const string DailyHeader = "date,open,high,low,close,volume";
    private const string MinuteHeader = "timestamp,open,high,low,close,volume";
    private const NumberStyles DecimalStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;
    private static readonly string[] MinuteFormats = ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'"];

    // Fast paths for the exact bundled formats; the general parsers are several times slower per row and remain the
    // fallback for other valid spellings.
    private static bool TryParseIsoDate(ReadOnlySpan<char> s, out DateOnly date)
    {
        date = default;
        if (s.Length != 10 || s[4] != '-' || s[7] != '-'
            || !TryDigits(s[..4], out var y) || !TryDigits(s.Slice(5, 2), out var m) || !TryDigits(s.Slice(8, 2), out var d)
            || y < 1 || m is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, m))
        {
            return false;
        }

        date = new DateOnly(y, m, d);
        return true;
    }

    private static bool TryParseUtcSeconds(ReadOnlySpan<char> s, out DateTime timestamp)
    {
        timestamp = default;
        if (s.Length != 20 || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z'
            || !TryParseIsoDate(s[..10], out var date)
            || !TryDigits(s.Slice(11, 2), out var h) || !TryDigits(s.Slice(14, 2), out var min) || !TryDigits(s.Slice(17, 2), out var sec)
            || h > 23 || min > 59 || sec > 59)
        {
            return false;
        }

        timestamp = date.ToDateTime(new TimeOnly(h, min, sec), DateTimeKind.Utc);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }

    private static void Validate(decimal open, decimal high, decimal low, decimal close, decimal volume, string source, int lineNumber)
    {
        string? problem = null;
        if (high < low)
        {
            problem = $"high {high} is below low {low}";
        }
        else if (low <= 0)
        {
            problem = $"low {low} is not a positive price";
        }
        else if (open > high || open < low)
        {
            problem = $"open {open} is outside the bar's range low {low} .. high {high}";
        }
        else if (close > high || close < low)
        {
            problem = $"close {close} is outside the bar's range low {low} .. high {high}";
        }
        else if (volume < 0)
        {
            problem = $"volume {volume} is negative";
        }

        if (problem is not null)
        {
            throw Error(source, lineNumber, problem + "; fix or remove the row");
        }
    }

    private static MarketDataException Error(string source, int lineNumber, string problem) =>
        new($"{source}:{lineNumber}: {problem}");

    /// <summary>Column positions resolved from the header row.</summary>
    private sealed class Columns
    {
        public bool IsDaily { get; private init; }
        public int Time { get; private init; }
        public int Open { get; private init; }
        public int High { get; private init; }
        public int Low { get; private init; }
        public int Close { get; private init; }
        public int Volume { get; private init; }
        public int TradeCount { get; private init; } = -1;
        public int Vwap { get; private init; } = -1;
        public int FieldCount { get; private init; }

        public string TimeColumn => IsDaily ? "date" : "timestamp";

        public string Describe(DateTime timestamp) => IsDaily
            ? ExchangeTime.SessionDate(timestamp).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        public static Columns FromHeader(string header, string source, int lineNumber)
        {
            var names = header.TrimEnd('\r').Split(',');
            var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < names.Length; i++)
            {
                index.TryAdd(names[i].Trim().Trim('"'), i);
            }

            bool isDaily;
            if (index.ContainsKey("timestamp"))
            {
                isDaily = false;
            }
            else if (index.ContainsKey("date"))
            {
                isDaily = true;
            }
            else
            {
                throw Error(source, lineNumber,
                    $"missing column 'date' or 'timestamp' (expected {DailyHeader} or {MinuteHeader}); is the first line a header?");
            }

            var expected = isDaily ? DailyHeader : MinuteHeader;
            int Require(string name) => index.TryGetValue(name, out var i)
                ? i
                : throw Error(source, lineNumber, $"missing column '{name}' (expected {expected})");
            int Optional(string name) => index.TryGetValue(name, out var i) ? i : -1;

            var time = Require(isDaily ? "date" : "timestamp");
            var open = Require("open");
            var high = Require("high");
            var low = Require("low");
            var close = Require("close");
            var volume = Require("volume");
            var tradeCount = Optional("trade_count");
            var vwap = Optional("vwap");

            // Rows only need to reach the right-most column we read; unused trailing columns may be absent.
            var fieldCount = new[] { time, open, high, low, close, volume, tradeCount, vwap }.Max() + 1;
            return new Columns
            {
                IsDaily = isDaily,
                Time = time,
                Open = open,
                High = high,
                Low = low,
                Close = close,
                Volume = volume,
                TradeCount = tradeCount,
                Vwap = vwap,
                FieldCount = fieldCount,
            };
        }
    }
}
