using System.Globalization;
using AiTrader.Core.Domain;
using AiTrader.Core.Sessions;

namespace AiTrader.Core.MarketData;

/// <summary>Reads bar CSV files: daily <c>date,open,high,low,close,volume</c> or minute <c>timestamp,open,high,low,close,volume</c>.</summary>
/// <remarks>Columns are found by name (case-insensitive, any order, extra columns ignored; optional <c>trade_count</c> and
/// <c>vwap</c>). Every problem is reported as one <see cref="MarketDataException"/> line <c>file:line: problem</c>.</remarks>
public static class CsvBarParser
{
    private const string DailyHeader = "date,open,high,low,close,volume";
    private const string MinuteHeader = "timestamp,open,high,low,close,volume";
    private const NumberStyles DecimalStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;
    private static readonly string[] MinuteFormats = ["yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'"];

    /// <summary>Parses a file; the path as given is used in error messages.</summary>
    public static IReadOnlyList<Bar> ParseFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new MarketDataException($"{path}: file not found; check the data folder path.");
        }

        // A large buffer and sequential-scan hint keep the 5849-row files in the low milliseconds.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var reader = new StreamReader(stream);
        return Parse(reader, path);
    }

    /// <summary>Parses CSV text; <paramref name="sourceName"/> names the input in error messages.</summary>
    public static IReadOnlyList<Bar> Parse(TextReader reader, string sourceName)
    {
        var lineNumber = 0;
        string? line;
        do
        {
            line = reader.ReadLine();
            lineNumber++;
        }
        while (line is not null && line.Trim().Length == 0);

        if (line is null)
        {
            throw Error(sourceName, 1, $"file is empty; expected a header row {DailyHeader} (daily) or {MinuteHeader} (minute)");
        }

        var columns = Columns.FromHeader(line, sourceName, lineNumber);
        var bars = new List<Bar>();
        var previous = DateTime.MinValue;
        var previousLine = 0;
        var headerLine = lineNumber;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.AsSpan().Trim().IsEmpty)
            {
                continue;
            }

            var bar = ParseRow(line, columns, sourceName, lineNumber);
            if (bars.Count > 0)
            {
                if (bar.Timestamp == previous)
                {
                    throw Error(sourceName, lineNumber,
                        $"duplicate timestamp {columns.Describe(bar.Timestamp)} (also on line {previousLine}); remove one of the rows");
                }

                if (bar.Timestamp < previous)
                {
                    throw Error(sourceName, lineNumber,
                        $"{columns.TimeColumn} {columns.Describe(bar.Timestamp)} is not after the previous row (out of order); sort the file by {columns.TimeColumn}");
                }
            }

            previous = bar.Timestamp;
            previousLine = lineNumber;
            bars.Add(bar);
        }

        if (bars.Count == 0)
        {
            throw Error(sourceName, headerLine, "header only, no data rows; add at least one bar or remove the file");
        }

        return bars;
    }

    private static Bar ParseRow(string line, Columns columns, string source, int lineNumber)
    {
        Span<Range> ranges = stackalloc Range[Math.Max(columns.FieldCount + 1, 8)];
        var span = line.AsSpan().TrimEnd('\r');
        var count = span.Split(ranges, ',');
        if (count < columns.FieldCount)
        {
            throw Error(source, lineNumber, $"expected {columns.FieldCount} columns like the header, found {count}");
        }

        var timeText = span[ranges[columns.Time]].Trim();
        DateTime timestamp;
        if (columns.IsDaily)
        {
            if (!TryParseIsoDate(timeText, out var date)
                && !DateOnly.TryParseExact(timeText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
            {
                throw Error(source, lineNumber, $"'{timeText}' is not a date in column date; use yyyy-MM-dd (New York session date)");
            }

            // The New York clock needs the years around the date (9999-12-31 has no next year); no bar predates 1800.
            if (date.Year is < 1800 or > 9998)
            {
                throw Error(source, lineNumber, $"date {date:yyyy-MM-dd} is outside 1800-9998; check the column date");
            }

            timestamp = DailyBarClock.OpenUtc(date);
        }
        else if (!TryParseUtcSeconds(timeText, out timestamp) && !DateTime.TryParseExact(timeText, MinuteFormats, CultureInfo.InvariantCulture,
                     DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out timestamp))
        {
            throw Error(source, lineNumber, $"'{timeText}' is not a UTC timestamp in column timestamp; use ISO-8601 with Z, e.g. 2013-10-07T13:30:00Z");
        }

        var open = Number(span, ranges, columns.Open, "open", source, lineNumber);
        var high = Number(span, ranges, columns.High, "high", source, lineNumber);
        var low = Number(span, ranges, columns.Low, "low", source, lineNumber);
        var close = Number(span, ranges, columns.Close, "close", source, lineNumber);
        var volume = Number(span, ranges, columns.Volume, "volume", source, lineNumber);

        long? tradeCount = null;
        if (columns.TradeCount >= 0)
        {
            var text = span[ranges[columns.TradeCount]].Trim();
            if (!text.IsEmpty)
            {
                if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    throw Error(source, lineNumber, $"'{text}' is not a whole number in column trade_count");
                }

                tradeCount = n;
            }
        }

        decimal? vwap = null;
        if (columns.Vwap >= 0 && !span[ranges[columns.Vwap]].Trim().IsEmpty)
        {
            vwap = Number(span, ranges, columns.Vwap, "vwap", source, lineNumber);
        }

        Validate(open, high, low, close, volume, source, lineNumber);
        return new Bar(timestamp, open, high, low, close, volume, tradeCount, vwap);
    }

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

    private static decimal Number(ReadOnlySpan<char> line, Span<Range> ranges, int index, string name, string source, int lineNumber)
    {
        var text = line[ranges[index]].Trim();
        if (!decimal.TryParse(text, DecimalStyle, CultureInfo.InvariantCulture, out var value))
        {
            throw Error(source, lineNumber, $"'{text}' is not a number in column {name}; use a plain decimal like 123.45");
        }

        return value;
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
