using System.Globalization;
using AiTrader.Core.Domain;

namespace AiTrader.Core.MarketData;

public static partial class CsvBarParser
{
    /// <summary>Parses a file; the path as given is used in error messages.</summary>
    public static IReadOnlyList<Bar> ParseFile(string path) => ParseFileColumns(path);

    /// <summary>Parses a file into columns; the path as given is used in error messages.</summary>
    public static BarColumns ParseFileColumns(string path)
    {
        if (!File.Exists(path))
        {
            throw new MarketDataException($"{path}: file not found; check the data folder path.");
        }

        if (ParseInChunks(path) is { } parallel)
        {
            return parallel;
        }

        // A large buffer and sequential-scan hint keep the 5849-row files in the low milliseconds; the reader detects a BOM.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16);
        // About 48 bytes a minute row: sized once, the columns rarely need to grow.
        var capacity = (int)Math.Clamp(stream.Length / 44, 16, Array.MaxLength / 2);
        return ParseColumns(reader, path, capacity);
    }

    /// <summary>Parses CSV text; <paramref name="sourceName"/> names the input in error messages.</summary>
    public static IReadOnlyList<Bar> Parse(TextReader reader, string sourceName) => ParseColumns(reader, sourceName);

    /// <summary>Parses CSV text into columns; <paramref name="sourceName"/> names the input in error messages.</summary>
    /// <remarks>Lines are read from a block buffer and parsed in place: nothing is allocated per row. Numbers in the
    /// plain form of the bundled files (<c>123.45</c>) are read straight into packed decimals (<see cref="DecimalColumn"/>);
    /// any other spelling goes through <c>decimal.TryParse</c> as before, so every value is the decimal it always was.</remarks>
    public static BarColumns ParseColumns(TextReader reader, string sourceName, int capacityHint = 1024)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var lines = new LineReader(reader);
        var (columns, headerLine) = ReadHeader(lines, sourceName);
        return ParseRows(lines, columns, sourceName, headerLine, capacityHint);
    }

    /// <summary>Skips blank lines and reads the header; returns its columns and line number.</summary>
    private static (Columns Columns, int Line) ReadHeader(LineReader lines, string sourceName)
    {
        var lineNumber = 0;
        ReadOnlySpan<char> line;
        bool more;
        do
        {
            more = lines.Next(out line);
            lineNumber++;
        }
        while (more && line.Trim().Length == 0);

        if (!more)
        {
            throw Error(sourceName, 1, $"file is empty; expected a header row {DailyHeader} (daily) or {MinuteHeader} (minute)");
        }

        return (Columns.FromHeader(line.ToString(), sourceName, lineNumber), lineNumber);
    }

    /// <summary>Parses the data rows that follow line <paramref name="headerLine"/>: each row in time order after the
    /// previous one, at least one row.</summary>
    private static BarColumns ParseRows(LineReader lines, Columns columns, string sourceName, int headerLine, int capacityHint)
    {
        ReadOnlySpan<char> line;
        var lineNumber = headerLine;
        var builder = new Builder(Math.Max(16, capacityHint), columns);
        var previous = long.MinValue;
        var previousLine = 0;
        Span<Range> ranges = stackalloc Range[Math.Max(columns.FieldCount + 1, 8)];
        // The minute files' own layout (timestamp,open,high,low,close,volume) takes the one-pass row reader; a row it does
        // not take, and every other layout, goes through ParseRow, which also words every error.
        var minuteLayout = !columns.IsDaily && columns is { Time: 0, Open: 1, High: 2, Low: 3, Close: 4, Volume: 5, TradeCount: < 0, Vwap: < 0 };
        var day = new DayCache();
        while (lines.Next(out line))
        {
            lineNumber++;
            if (minuteLayout && TryMinuteRow(line, ref day, builder, out var fastTicks))
            {
                if (builder.Count > 0 && fastTicks <= previous)
                {
                    // Duplicates and rows out of order are reported by the general path below, with their wording.
                    ThrowUnlessAfterPrevious(fastTicks);
                }

                previous = fastTicks;
                previousLine = lineNumber;
                builder.Commit(fastTicks);
                continue;
            }

            if (line.Trim().IsEmpty)
            {
                continue;
            }

            var ticks = ParseRow(line, ranges, columns, sourceName, lineNumber, builder);
            if (builder.Count > 0)
            {
                ThrowUnlessAfterPrevious(ticks);
            }

            previous = ticks;
            previousLine = lineNumber;
            builder.Commit(ticks);
        }

        // A row at or before the previous one: a duplicate or out of order.
        void ThrowUnlessAfterPrevious(long ticks)
        {
            if (ticks == previous)
            {
                throw Error(sourceName, lineNumber,
                    $"duplicate timestamp {columns.Describe(new DateTime(ticks, DateTimeKind.Utc))} (also on line {previousLine}); remove one of the rows");
            }

            if (ticks < previous)
            {
                throw Error(sourceName, lineNumber,
                    $"{columns.TimeColumn} {columns.Describe(new DateTime(ticks, DateTimeKind.Utc))} is not after the previous row (out of order); sort the file by {columns.TimeColumn}");
            }
        }

        if (builder.Count == 0)
        {
            throw Error(sourceName, headerLine, "header only, no data rows; add at least one bar or remove the file");
        }

        return builder.Build();
    }

    /// <summary>The date of the previous minute row: its ten characters and its midnight in UTC ticks, so a row of the
    /// same day (390 in a session) reads only its time of day.</summary>
    private struct DayCache
    {
        public DayText Text;
        public long MidnightTicks;
        public bool Set;
    }

    [System.Runtime.CompilerServices.InlineArray(10)]
    private struct DayText
    {
        private char _first;
    }

    /// <summary>One pass over a minute row in the files' own shape, <c>yyyy-MM-ddTHH:mm:ssZ</c> and five plain numbers
    /// with nothing around them (a trailing '\r' allowed): no split into fields, no trimming, and the date read once per
    /// day. It accepts exactly the rows <see cref="ParseRow"/> reads the same way and gives the same time and packed
    /// values; anything else (spaces, quotes, a sign, an exponent, more columns, a check that fails) returns false
    /// and the row goes through <see cref="ParseRow"/>. The split and the trims were about a third of a 2M-row parse.</summary>
    private static bool TryMinuteRow(ReadOnlySpan<char> line, ref DayCache day, Builder builder, out long ticks)
    {
        ticks = 0;
        if (line.Length > 0 && line[^1] == '\r')
        {
            line = line[..^1];
        }

        if (line.Length < 31 || line[20] != ',' || line[10] != 'T' || line[13] != ':' || line[16] != ':' || line[19] != 'Z')
        {
            return false;
        }

        var date = line[..10];
        if (!day.Set || !date.SequenceEqual((ReadOnlySpan<char>)day.Text))
        {
            if (!TryParseIsoDate(date, out var d))
            {
                return false;
            }

            date.CopyTo(day.Text);
            day.MidnightTicks = d.DayNumber * TimeSpan.TicksPerDay;
            day.Set = true;
        }

        if (!TryDigits(line.Slice(11, 2), out var h) || !TryDigits(line.Slice(14, 2), out var m) || !TryDigits(line.Slice(17, 2), out var sec)
            || h > 23 || m > 59 || sec > 59)
        {
            return false;
        }

        var at = 21;
        if (!PlainField(line, ref at, out var open) || !PlainField(line, ref at, out var high) || !PlainField(line, ref at, out var low)
            || !PlainField(line, ref at, out var close) || !PlainField(line, ref at, out var volume) || at != line.Length + 1)
        {
            return false;
        }

        Value o = new(open, 0m, true), hi = new(high, 0m, true), lo = new(low, 0m, true), c = new(close, 0m, true), v = new(volume, 0m, true);
        if (!Value.SameScaleNonNegative(o, hi, lo, c) || !Value.ConsistentFast(o, hi, lo, c, v))
        {
            return false;
        }

        builder.Set(o, hi, lo, c, v, BarColumns.NoTradeCount, Value.None);
        ticks = day.MidnightTicks + (((h * 3600L) + (m * 60L) + sec) * TimeSpan.TicksPerSecond);
        return true;
    }

    /// <summary>The field from <paramref name="at"/> to the next comma (or the end) as <see cref="TryParsePlain"/> reads it;
    /// <paramref name="at"/> moves past the comma.</summary>
    private static bool PlainField(ReadOnlySpan<char> line, ref int at, out long packed)
    {
        if (at > line.Length)
        {
            packed = 0;
            return false; // the row ended before this field
        }

        var rest = line[at..];
        var end = rest.IndexOf(',');
        var field = end < 0 ? rest : rest[..end];
        at += field.Length + 1;
        return TryParsePlain(field, out packed);
    }

    /// <summary>Parses one row into the builder's next slot (committed by the caller) and returns its time in UTC ticks.</summary>
    private static long ParseRow(ReadOnlySpan<char> line, Span<Range> ranges, Columns columns, string source, int lineNumber, Builder builder)
    {
        var span = line.TrimEnd('\r');
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

        var tradeCount = BarColumns.NoTradeCount;
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

        var vwap = Value.None;
        if (columns.Vwap >= 0 && !span[ranges[columns.Vwap]].Trim().IsEmpty)
        {
            vwap = Number(span, ranges, columns.Vwap, "vwap", source, lineNumber);
        }

        // Same scale and no sign (the bundled files): the packed values compare like the decimals. Otherwise, or when a
        // check fails, the decimals themselves are checked and the message is the one it always was.
        if (!Value.SameScaleNonNegative(open, high, low, close) || !Value.ConsistentFast(open, high, low, close, volume))
        {
            Validate(open.Decimal, high.Decimal, low.Decimal, close.Decimal, volume.Decimal, source, lineNumber);
        }

        builder.Set(open, high, low, close, volume, tradeCount, vwap);
        return timestamp.Ticks;
    }

    private static Value Number(ReadOnlySpan<char> line, Span<Range> ranges, int index, string name, string source, int lineNumber)
    {
        var text = line[ranges[index]].Trim();
        if (TryParsePlain(text, out var packed))
        {
            return new Value(packed, 0m, isPacked: true);
        }

        if (!decimal.TryParse(text, DecimalStyle, CultureInfo.InvariantCulture, out var value))
        {
            throw Error(source, lineNumber, $"'{text}' is not a number in column {name}; use a plain decimal like 123.45");
        }

        return DecimalColumn.TryPack(value, out var p) ? new Value(p, 0m, isPacked: true) : new Value(0, value, isPacked: false);
    }

    /// <summary>Reads <c>digits[.digits]</c> (no sign, no exponent, at most 16 significant digits) straight into a packed
    /// decimal with the mantissa and scale <c>decimal.TryParse</c> gives, without its general machinery. Anything else
    /// returns false and takes the general path.</summary>
    public static bool TryParsePlain(ReadOnlySpan<char> s, out long packed)
    {
        packed = 0;
        if (s.IsEmpty || s.Length > 24)
        {
            return false;
        }

        long mantissa = 0;
        var scale = -1;
        var digits = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            var d = (uint)(c - '0');
            if (d <= 9)
            {
                if ((mantissa != 0 || d != 0) && ++digits > 16)
                {
                    return false;
                }

                mantissa = (mantissa * 10) + d;
                if (scale >= 0)
                {
                    scale++;
                }
            }
            else if (c == '.' && scale < 0 && i > 0 && i < s.Length - 1)
            {
                scale = 0;
            }
            else
            {
                return false;
            }
        }

        packed = DecimalColumn.Pack(mantissa, Math.Max(scale, 0), negative: false);
        return true;
    }

    /// <summary>A parsed number: packed when it fits (<see cref="DecimalColumn"/>), else the decimal itself.</summary>
    private readonly struct Value(long packed, decimal wide, bool isPacked)
    {
        public static readonly Value None = new(DecimalColumn.Missing, 0m, isPacked: true);

        public readonly long Packed = packed;
        public readonly decimal Wide = wide;
        public readonly bool IsPacked = isPacked;

        public bool IsNone => IsPacked && Packed == DecimalColumn.Missing;

        public decimal Decimal => IsPacked ? DecimalColumn.Unpack(Packed) : Wide;

        public static bool SameScaleNonNegative(Value o, Value h, Value l, Value c)
        {
            if (!(o.IsPacked && h.IsPacked && l.IsPacked && c.IsPacked))
            {
                return false;
            }

            // The low byte holds scale and sign: equal low bytes without the sign bit mean the packed longs order like the values.
            var tag = o.Packed & 0xFF;
            return (tag & 0x80) == 0 && (h.Packed & 0xFF) == tag && (l.Packed & 0xFF) == tag && (c.Packed & 0xFF) == tag;
        }

        /// <summary>The checks of <see cref="Validate"/> on same-scale packed prices: true when all pass.</summary>
        public static bool ConsistentFast(Value o, Value h, Value l, Value c, Value v) =>
            h.Packed >= l.Packed && (l.Packed >> 8) > 0 && o.Packed <= h.Packed && o.Packed >= l.Packed
            && c.Packed <= h.Packed && c.Packed >= l.Packed
            && (v.IsPacked ? (v.Packed & 0x80) == 0 || (v.Packed >> 8) == 0 : v.Wide >= 0);
    }

    /// <summary>Rows as they are read: columns grown by doubling, trimmed once at the end.</summary>
    private sealed class Builder
    {
        private readonly DecimalColumn _open, _high, _low, _close, _volume;
        private readonly bool _hasTradeCount, _hasVwap;
        private long[] _ticks;
        private long[]? _tradeCount;
        private DecimalColumn? _vwap;

        public Builder(int capacity, Columns columns)
        {
            _ticks = new long[capacity];
            _open = new DecimalColumn(capacity);
            _high = new DecimalColumn(capacity);
            _low = new DecimalColumn(capacity);
            _close = new DecimalColumn(capacity);
            _volume = new DecimalColumn(capacity);
            _hasTradeCount = columns.TradeCount >= 0;
            _hasVwap = columns.Vwap >= 0;
        }

        public int Count { get; private set; }

        public void Set(Value open, Value high, Value low, Value close, Value volume, long tradeCount, Value vwap)
        {
            var i = Count;
            if (i == _ticks.Length)
            {
                Grow();
            }

            Put(_open, i, open);
            Put(_high, i, high);
            Put(_low, i, low);
            Put(_close, i, close);
            Put(_volume, i, volume);
            if (_hasTradeCount)
            {
                if (_tradeCount is null)
                {
                    _tradeCount = new long[_ticks.Length];
                    Array.Fill(_tradeCount, BarColumns.NoTradeCount);
                }

                _tradeCount[i] = tradeCount;
            }

            if (_hasVwap)
            {
                _vwap ??= new DecimalColumn(_ticks.Length);
                if (vwap.IsNone)
                {
                    _vwap.SetMissing(i);
                }
                else
                {
                    Put(_vwap, i, vwap);
                }
            }
        }

        public void Commit(long ticks) => _ticks[Count++] = ticks;

        public BarColumns Build()
        {
            var n = Count;
            Array.Resize(ref _ticks, n);
            _open.Trim(n);
            _high.Trim(n);
            _low.Trim(n);
            _close.Trim(n);
            _volume.Trim(n);
            if (_tradeCount is not null)
            {
                Array.Resize(ref _tradeCount, n);
            }

            _vwap?.Trim(n);
            return new BarColumns(_ticks, _open, _high, _low, _close, _volume, _tradeCount, _vwap, 0, n);
        }

        private void Grow()
        {
            var size = (int)Math.Min(Array.MaxLength, _ticks.Length * 2L);
            Array.Resize(ref _ticks, size);
            _open.EnsureCapacity(size);
            _high.EnsureCapacity(size);
            _low.EnsureCapacity(size);
            _close.EnsureCapacity(size);
            _volume.EnsureCapacity(size);
            if (_tradeCount is not null)
            {
                var old = _tradeCount.Length;
                Array.Resize(ref _tradeCount, size);
                Array.Fill(_tradeCount, BarColumns.NoTradeCount, old, size - old);
            }

            _vwap?.EnsureCapacity(size);
        }

        private static void Put(DecimalColumn column, int i, Value v)
        {
            if (v.IsPacked)
            {
                column.SetPacked(i, v.Packed);
            }
            else
            {
                column.Set(i, v.Wide);
            }
        }
    }

    /// <summary>Lines of a text reader without a string per line, by the <see cref="TextReader.ReadLine"/> rules (a line
    /// ends at \n, \r or \r\n; a last line without an end still counts), over a block buffer.</summary>
    private sealed class LineReader(TextReader reader)
    {
        private char[] _buffer = new char[1 << 16];
        private int _start;
        private int _end;
        private bool _eof;

        /// <summary>The next line (valid until the next call), or false at the end.</summary>
        public bool Next(out ReadOnlySpan<char> line)
        {
            var searchFrom = 0;
            while (true)
            {
                var pending = _buffer.AsSpan(_start, _end - _start);
                var at = pending[searchFrom..].IndexOfAny('\r', '\n');
                if (at >= 0)
                {
                    at += searchFrom;
                    int consumed;
                    if (pending[at] == '\n')
                    {
                        consumed = at + 1;
                    }
                    else if (at + 1 < pending.Length)
                    {
                        consumed = at + (pending[at + 1] == '\n' ? 2 : 1);
                    }
                    else if (!_eof)
                    {
                        // A \r at the end of the buffer: whether \n follows decides where the next line starts.
                        searchFrom = at;
                        Fill();
                        continue;
                    }
                    else
                    {
                        consumed = at + 1;
                    }

                    line = _buffer.AsSpan(_start, at);
                    _start += consumed;
                    return true;
                }

                if (_eof)
                {
                    if (pending.IsEmpty)
                    {
                        line = default;
                        return false;
                    }

                    line = pending;
                    _start = _end;
                    return true;
                }

                searchFrom = pending.Length;
                Fill();
            }
        }

        private void Fill()
        {
            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            var read = reader.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                _eof = true;
            }
            else
            {
                _end += read;
            }
        }
    }
}
