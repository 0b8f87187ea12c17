using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace AiTrader.Core.IO;

/// <summary>Writes CSV text straight to UTF-8 bytes in a reused buffer: numbers and times are formatted into the buffer
/// (no string per field or per line), so a two-million-row file costs its bytes and nothing else.</summary>
/// <remarks>Output is byte for byte what the string forms give: decimals as <c>decimal.ToString(InvariantCulture)</c>,
/// doubles as <c>double.ToString(format, InvariantCulture)</c>, times as <c>yyyy-MM-ddTHH:mm:ssZ</c>.</remarks>
public sealed class Utf8CsvWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly byte[] _buffer;
    private int _used;

    // The date part of the last timestamp written ("2013-10-07T"): rows of one day share it.
    private long _dayTicks = -1;
    private readonly byte[] _datePrefix = new byte[11];

    // The last decimal written and its bytes: an equity curve repeats its value on every bar the account is flat (most
    // rows of a minute-bar run), and copying 8 bytes is far cheaper than formatting again. Compared bit for bit, so
    // 1.0 and 1.00 (equal values, different text) never share an entry.
    private UInt128 _lastDecimalBits;
    private readonly byte[] _lastDecimalText = new byte[32];
    private int _lastDecimalLength;

    public Utf8CsvWriter(Stream stream, int bufferSize = 1 << 16)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _buffer = new byte[Math.Max(bufferSize, 256)];
    }

    /// <summary>ASCII or UTF-8 text as it is (a header, a fixed word).</summary>
    public Utf8CsvWriter Raw(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > _buffer.Length - _used)
        {
            Flush();
            if (utf8.Length > _buffer.Length)
            {
                _stream.Write(utf8);
                return this;
            }
        }

        utf8.CopyTo(_buffer.AsSpan(_used));
        _used += utf8.Length;
        return this;
    }

    /// <summary>A string, UTF-8 encoded, as it is (quote it first when it may hold a comma).</summary>
    public Utf8CsvWriter Text(string text) => Raw(Encoding.UTF8.GetBytes(text));

    public Utf8CsvWriter Char(char ascii)
    {
        Ensure(1);
        _buffer[_used++] = (byte)ascii;
        return this;
    }

    public Utf8CsvWriter Comma() => Char(',');

    public Utf8CsvWriter NewLine() => Char('\n');

    /// <summary>Invariant decimal with its natural scale, as <c>ToString(CultureInfo.InvariantCulture)</c>.</summary>
    public Utf8CsvWriter Decimal(decimal value)
    {
        Ensure(64);
        var target = _buffer.AsSpan(_used);
        var bits = System.Runtime.CompilerServices.Unsafe.BitCast<decimal, UInt128>(value);
        if (_lastDecimalLength > 0 && bits == _lastDecimalBits)
        {
            _lastDecimalText.AsSpan(0, _lastDecimalLength).CopyTo(target);
            _used += _lastDecimalLength;
            return this;
        }

        var written = TryFormatSmall(value, target);
        if (written == 0)
        {
            value.TryFormat(target, out written, default, CultureInfo.InvariantCulture);
        }

        if (written <= _lastDecimalText.Length)
        {
            target[..written].CopyTo(_lastDecimalText);
            _lastDecimalBits = bits;
            _lastDecimalLength = written;
        }

        _used += written;
        return this;
    }

    /// <summary>The common case by hand: a decimal whose unscaled integer fits in 64 bits (every price, cash and equity
    /// figure) is its digits with a point inserted <c>scale</c> places from the right, which is what the general
    /// formatter prints (natural scale, trailing zeros kept, "0." before a pure fraction) at a fraction of the cost of
    /// its arbitrary-precision path; an equity.csv of two million rows spent most of its time there. Returns 0 for
    /// anything else (96-bit magnitudes, negative zero), which the caller formats the general way.</summary>
    internal static int TryFormatSmall(decimal value, Span<byte> target)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        if (bits[2] != 0)
        {
            return 0;
        }

        var unscaled = ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
        var negative = bits[3] < 0;
        if (negative && unscaled == 0)
        {
            return 0;
        }

        var scale = (bits[3] >> 16) & 0xFF;
        Span<byte> digits = stackalloc byte[32]; // 20 digits of a ulong, or scale + 1 (at most 29)
        var n = 0;
        do
        {
            var q = unscaled / 10;
            digits[n++] = (byte)('0' + (int)(unscaled - (q * 10)));
            unscaled = q;
        }
        while (unscaled != 0);

        // Digits are least significant first; pad with zeros so there is at least one digit before the point.
        while (n <= scale)
        {
            digits[n++] = (byte)'0';
        }

        var length = n + (negative ? 1 : 0) + (scale > 0 ? 1 : 0);
        if (length > target.Length)
        {
            return 0;
        }

        var w = 0;
        if (negative)
        {
            target[w++] = (byte)'-';
        }

        for (var i = n - 1; i >= 0; i--)
        {
            target[w++] = digits[i];
            if (i == scale && scale > 0)
            {
                target[w++] = (byte)'.';
            }
        }

        return w;
    }

    /// <summary>A double in an invariant .NET format (e.g. "R", "0.######"), as <c>ToString(format, InvariantCulture)</c>.</summary>
    public Utf8CsvWriter Double(double value, string? format = null)
    {
        Ensure(64);
        if (!value.TryFormat(_buffer.AsSpan(_used), out var written, format, CultureInfo.InvariantCulture))
        {
            return Text(value.ToString(format, CultureInfo.InvariantCulture));
        }

        _used += written;
        return this;
    }

    /// <summary>A finite double in shortest round-trip form, byte for byte <c>ToString(InvariantCulture)</c>, through
    /// <see cref="ShortestDouble"/> (about half the runtime formatter's cost).</summary>
    public Utf8CsvWriter RoundTrip(double value)
    {
        if (!double.IsFinite(value))
        {
            return Double(value);
        }

        Ensure(ShortestDouble.MaxLength);
        _used += ShortestDouble.Format(value, _buffer.AsSpan(_used));
        return this;
    }

    public Utf8CsvWriter Integer(long value)
    {
        Ensure(24);
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_used), out var written);
        _used += written;
        return this;
    }

    /// <summary><c>yyyy-MM-ddTHH:mm:ssZ</c> of a UTC time (a non-UTC kind is rejected, as in the string writers).</summary>
    public Utf8CsvWriter Timestamp(DateTime utc)
    {
        if (utc.Kind != DateTimeKind.Utc)
        {
            throw new ArgumentException($"Expected a UTC timestamp, got {utc:O} with Kind={utc.Kind}.", nameof(utc));
        }

        Ensure(20);
        var day = utc.Ticks / TimeSpan.TicksPerDay;
        if (day != _dayTicks)
        {
            _dayTicks = day;
            Encoding.ASCII.GetBytes(utc.ToString("yyyy-MM-dd'T'", CultureInfo.InvariantCulture), _datePrefix);
        }

        var span = _buffer.AsSpan(_used, 20);
        _datePrefix.CopyTo(span);
        var secondOfDay = (int)(utc.Ticks % TimeSpan.TicksPerDay / TimeSpan.TicksPerSecond);
        TwoDigits(span[11..], secondOfDay / 3600);
        span[13] = (byte)':';
        TwoDigits(span[14..], secondOfDay / 60 % 60);
        span[16] = (byte)':';
        TwoDigits(span[17..], secondOfDay % 60);
        span[19] = (byte)'Z';
        _used += 20;
        return this;
    }

    /// <summary>Writes what is buffered to the stream.</summary>
    public void Flush()
    {
        if (_used > 0)
        {
            _stream.Write(_buffer, 0, _used);
            _used = 0;
        }
    }

    public void Dispose() => Flush();

    private void Ensure(int bytes)
    {
        if (_buffer.Length - _used < bytes)
        {
            Flush();
        }
    }

    private static void TwoDigits(Span<byte> target, int value)
    {
        target[0] = (byte)('0' + (value / 10));
        target[1] = (byte)('0' + (value % 10));
    }
}
