using System.Numerics;
using System.Runtime.CompilerServices;

namespace AiTrader.Core.IO;

/// <summary>A finite double in its shortest round-trip form, as UTF-8, byte for byte what
/// <c>double.ToString(CultureInfo.InvariantCulture)</c> prints, at a fraction of its cost.</summary>
/// <remarks>
/// <para>The digits come from Ulf Adams' Ryū (PLDI 2018, "Ryū: fast float-to-string conversion"; the reference C
/// implementation's d2s.c): the shortest decimal that parses back to the same double, and of those the one nearest
/// to it. .NET's formatter (Grisu3 with a Dragon4 fallback) picks the same digits; a test checks millions of
/// values of every magnitude against it. The layout is .NET's general format for the round-trip case: plain
/// digits while the decimal exponent is between −5 and the larger of 15 and the digit count, otherwise
/// <c>d.dddE±XX</c>.</para>
/// <para>A signals CSV writes fifteen doubles a row, and the runtime's formatter cost about 100 ns each: most of
/// the time of <c>aitrader signals</c>.</para>
/// </remarks>
internal static class ShortestDouble
{
    private const int MantissaBits = 52;
    private const int ExponentBits = 11;
    private const int Bias = 1023;
    private const int Pow5InverseBitCount = 125;
    private const int Pow5BitCount = 125;

    // 5^i and 2^k / 5^i, each as its top 125 bits in two 64-bit halves (low, high), computed once.
    private static readonly ulong[] Pow5Inverse = BuildInverseTable(342);
    private static readonly ulong[] Pow5 = BuildTable(326);

    /// <summary>Longest output: "-" + 17 digits + "." + "E-324"-style exponent.</summary>
    public const int MaxLength = 32;

    /// <summary>Writes <paramref name="value"/> (finite) into <paramref name="destination"/> (at least
    /// <see cref="MaxLength"/> bytes) and returns the number of bytes written.</summary>
    public static int Format(double value, Span<byte> destination)
    {
        var bits = BitConverter.DoubleToUInt64Bits(value);
        var negative = (long)bits < 0;
        var ieeeMantissa = bits & ((1UL << MantissaBits) - 1);
        var ieeeExponent = (int)((bits >> MantissaBits) & ((1u << ExponentBits) - 1));
        if (ieeeExponent == (1 << ExponentBits) - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Only finite values are formatted here.");
        }

        var w = 0;
        if (negative)
        {
            destination[w++] = (byte)'-';
        }

        if (ieeeExponent == 0 && ieeeMantissa == 0)
        {
            destination[w++] = (byte)'0';
            return w;
        }

        var (digits, exponent) = ToDecimal(ieeeMantissa, ieeeExponent);
        return w + Layout(digits, exponent, destination[w..]);
    }

    // .NET's FormatGeneral with nMaxDigits = max(digit count, 17): value = 0.d1d2…dn × 10^scale. The digits are
    // written straight into place (no temporary buffer): most values here are "ddd.ddddddddddddd".
    private static int Layout(ulong digits, int exponent, Span<byte> destination)
    {
        var n = DecimalLength(digits);
        var scale = n + exponent;
        if (scale > Math.Max(n, 17) || scale < -3)
        {
            // d.dddE±XX: the digits go one place right, then the first moves back before the point.
            WriteDigits(digits, destination.Slice(1, n));
            destination[0] = destination[1];
            var w = 1;
            if (n > 1)
            {
                destination[1] = (byte)'.';
                w = n + 1;
            }

            destination[w++] = (byte)'E';
            var e = scale - 1;
            destination[w++] = e < 0 ? (byte)'-' : (byte)'+';
            e = Math.Abs(e);
            if (e >= 100)
            {
                destination[w++] = (byte)('0' + (e / 100));
                e %= 100;
            }

            destination[w++] = (byte)('0' + (e / 10));
            destination[w++] = (byte)('0' + (e % 10));
            return w;
        }

        if (scale <= 0)
        {
            // 0.000ddd
            destination[0] = (byte)'0';
            destination[1] = (byte)'.';
            destination.Slice(2, -scale).Fill((byte)'0');
            WriteDigits(digits, destination.Slice(2 - scale, n));
            return 2 - scale + n;
        }

        if (scale >= n)
        {
            // ddd000
            WriteDigits(digits, destination[..n]);
            destination[n..scale].Fill((byte)'0');
            return scale;
        }

        // ddd.ddd: all digits one place right, then the integer part moves back and the point goes between.
        WriteDigits(digits, destination.Slice(1, n));
        for (var i = 0; i < scale; i++)
        {
            destination[i] = destination[i + 1];
        }

        destination[scale] = (byte)'.';
        return n + 1;
    }

    // The digits of v into text (exactly DecimalLength(v) ≤ 17 bytes), two at a time from the right; the value is
    // split at 10^8 so the two halves convert independently with 32-bit arithmetic instead of one chain of 64-bit
    // divisions.
    private static void WriteDigits(ulong v, Span<byte> text)
    {
        var i = text.Length;
        if (v >= 100_000_000)
        {
            var high = v / 100_000_000;
            var low = (uint)(v - (high * 100_000_000));
            for (var k = 0; k < 4; k++)
            {
                var pair = low % 100;
                low /= 100;
                text[--i] = DigitPairs[(int)(2 * pair) + 1];
                text[--i] = DigitPairs[(int)(2 * pair)];
            }

            v = high;
        }

        var rest = (uint)v; // < 10^9
        while (rest >= 100)
        {
            var pair = rest % 100;
            rest /= 100;
            text[--i] = DigitPairs[(int)(2 * pair) + 1];
            text[--i] = DigitPairs[(int)(2 * pair)];
        }

        if (rest >= 10)
        {
            text[--i] = DigitPairs[(int)(2 * rest) + 1];
            text[--i] = DigitPairs[(int)(2 * rest)];
        }
        else
        {
            text[--i] = (byte)('0' + rest);
        }
    }

    private static ReadOnlySpan<byte> DigitPairs =>
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"u8;

    private static readonly ulong[] PowersOf10 =
    [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000,
        100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000,
        10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000, 10_000_000_000_000_000_000,
    ];

    // Digits of v > 0: log10 from the bit length (1233/4096 ≈ log10 2), corrected by one comparison.
    private static int DecimalLength(ulong v)
    {
        var guess = ((BitOperations.Log2(v) + 1) * 1233) >> 12;
        return guess + (v >= PowersOf10[guess] ? 1 : 0);
    }

    // Ryū's d2d: the shortest decimal digits and exponent of a positive finite double given by its IEEE fields.
    private static (ulong Digits, int Exponent) ToDecimal(ulong ieeeMantissa, int ieeeExponent)
    {
        int e2;
        ulong m2;
        if (ieeeExponent == 0)
        {
            e2 = 1 - Bias - MantissaBits - 2;
            m2 = ieeeMantissa;
        }
        else
        {
            e2 = ieeeExponent - Bias - MantissaBits - 2;
            m2 = (1UL << MantissaBits) | ieeeMantissa;
        }

        var even = (m2 & 1) == 0;
        var acceptBounds = even;

        var mv = 4 * m2;
        var mmShift = ieeeMantissa != 0 || ieeeExponent <= 1 ? 1u : 0u;

        ulong vr, vp, vm;
        int e10;
        var vmIsTrailingZeros = false;
        var vrIsTrailingZeros = false;
        if (e2 >= 0)
        {
            var q = Log10Pow2(e2) - (e2 > 3 ? 1 : 0);
            e10 = q;
            var k = Pow5InverseBitCount + Pow5Bits(q) - 1;
            var i = -e2 + q + k;
            vr = MulShift(4 * m2, Pow5Inverse, q, i);
            vp = MulShift((4 * m2) + 2, Pow5Inverse, q, i);
            vm = MulShift((4 * m2) - 1 - mmShift, Pow5Inverse, q, i);
            if (q <= 21)
            {
                // Only one of mp, mv and mm can be a multiple of 5, if any.
                var mvMod5 = (uint)(mv % 5);
                if (mvMod5 == 0)
                {
                    vrIsTrailingZeros = MultipleOfPowerOf5(mv, q);
                }
                else if (acceptBounds)
                {
                    vmIsTrailingZeros = MultipleOfPowerOf5(mv - 1 - mmShift, q);
                }
                else
                {
                    vp -= MultipleOfPowerOf5(mv + 2, q) ? 1UL : 0UL;
                }
            }
        }
        else
        {
            var q = Log10Pow5(-e2) - (-e2 > 1 ? 1 : 0);
            e10 = q + e2;
            var i = -e2 - q;
            var k = Pow5Bits(i) - Pow5BitCount;
            var j = q - k;
            vr = MulShift(4 * m2, Pow5, i, j);
            vp = MulShift((4 * m2) + 2, Pow5, i, j);
            vm = MulShift((4 * m2) - 1 - mmShift, Pow5, i, j);
            if (q <= 1)
            {
                // mv = 4·m2 has at least two trailing zero bits.
                vrIsTrailingZeros = true;
                if (acceptBounds)
                {
                    vmIsTrailingZeros = mmShift == 1;
                }
                else
                {
                    --vp;
                }
            }
            else if (q < 63)
            {
                vrIsTrailingZeros = MultipleOfPowerOf2(mv, q);
            }
        }

        var removed = 0;
        var lastRemovedDigit = 0;
        ulong output;
        if (vmIsTrailingZeros || vrIsTrailingZeros)
        {
            // The general case (rare).
            while (true)
            {
                var vpDiv10 = vp / 10;
                var vmDiv10 = vm / 10;
                if (vpDiv10 <= vmDiv10)
                {
                    break;
                }

                var vmMod10 = (int)(vm - (10 * vmDiv10));
                var vrDiv10 = vr / 10;
                var vrMod10 = (int)(vr - (10 * vrDiv10));
                vmIsTrailingZeros &= vmMod10 == 0;
                vrIsTrailingZeros &= lastRemovedDigit == 0;
                lastRemovedDigit = vrMod10;
                vr = vrDiv10;
                vp = vpDiv10;
                vm = vmDiv10;
                ++removed;
            }

            if (vmIsTrailingZeros)
            {
                while (true)
                {
                    var vmDiv10 = vm / 10;
                    var vmMod10 = (int)(vm - (10 * vmDiv10));
                    if (vmMod10 != 0)
                    {
                        break;
                    }

                    var vpDiv10 = vp / 10;
                    var vrDiv10 = vr / 10;
                    var vrMod10 = (int)(vr - (10 * vrDiv10));
                    vrIsTrailingZeros &= lastRemovedDigit == 0;
                    lastRemovedDigit = vrMod10;
                    vr = vrDiv10;
                    vp = vpDiv10;
                    vm = vmDiv10;
                    ++removed;
                }
            }

            if (vrIsTrailingZeros && lastRemovedDigit == 5 && vr % 2 == 0)
            {
                // Round to even when the exact value ends in …50…0.
                lastRemovedDigit = 4;
            }

            output = vr + ((vr == vm && (!acceptBounds || !vmIsTrailingZeros)) || lastRemovedDigit >= 5 ? 1UL : 0UL);
        }
        else
        {
            // The common case.
            var roundUp = false;
            var vpDiv100 = vp / 100;
            var vmDiv100 = vm / 100;
            if (vpDiv100 > vmDiv100)
            {
                var vrDiv100 = vr / 100;
                var vrMod100 = (int)(vr - (100 * vrDiv100));
                roundUp = vrMod100 >= 50;
                vr = vrDiv100;
                vp = vpDiv100;
                vm = vmDiv100;
                removed += 2;
            }

            while (true)
            {
                var vpDiv10 = vp / 10;
                var vmDiv10 = vm / 10;
                if (vpDiv10 <= vmDiv10)
                {
                    break;
                }

                var vrDiv10 = vr / 10;
                var vrMod10 = (int)(vr - (10 * vrDiv10));
                roundUp = vrMod10 >= 5;
                vr = vrDiv10;
                vp = vpDiv10;
                vm = vmDiv10;
                ++removed;
            }

            output = vr + (vr == vm || roundUp ? 1UL : 0UL);
        }

        return (output, e10 + removed);
    }

    // (m × table[index]) >> shift for the 128-bit table entry, 64 < shift < 128 (Ryū's mulShift64), with two
    // 64 × 64 → 128-bit multiplications.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MulShift(ulong m, ulong[] table, int index, int shift)
    {
        var lowHigh = Math.BigMul(m, table[2 * index], out _);
        var highHigh = Math.BigMul(m, table[(2 * index) + 1], out var highLow);
        var sum = highLow + lowHigh;
        highHigh += sum < lowHigh ? 1UL : 0UL;
        var distance = shift - 64;
        return (highHigh << (64 - distance)) | (sum >> distance);
    }

    // ⌈log2 5^e⌉ for 1 ≤ e ≤ 3528 (1 for e = 0).
    private static int Pow5Bits(int e) => (int)(((uint)e * 1217359) >> 19) + 1;

    // ⌊log10 2^e⌋ and ⌊log10 5^e⌋.
    private static int Log10Pow2(int e) => (int)(((uint)e * 78913) >> 18);

    private static int Log10Pow5(int e) => (int)(((uint)e * 732923) >> 20);

    private static bool MultipleOfPowerOf5(ulong value, int p)
    {
        var count = 0;
        while (value % 5 == 0)
        {
            value /= 5;
            count++;
        }

        return count >= p;
    }

    private static bool MultipleOfPowerOf2(ulong value, int p) => (value & ((1UL << p) - 1)) == 0;

    private static ulong[] BuildInverseTable(int count)
    {
        var table = new ulong[2 * count];
        for (var i = 0; i < count; i++)
        {
            var pow = BigInteger.Pow(5, i);
            var j = (int)pow.GetBitLength() - 1 + Pow5InverseBitCount;
            var inverse = (BigInteger.One << j) / pow + 1;
            table[2 * i] = (ulong)(inverse & ulong.MaxValue);
            table[(2 * i) + 1] = (ulong)(inverse >> 64);
        }

        return table;
    }

    private static ulong[] BuildTable(int count)
    {
        var table = new ulong[2 * count];
        for (var i = 0; i < count; i++)
        {
            var pow = BigInteger.Pow(5, i);
            var shift = (int)pow.GetBitLength() - Pow5BitCount;
            var top = shift >= 0 ? pow >> shift : pow << -shift;
            table[2 * i] = (ulong)(top & ulong.MaxValue);
            table[(2 * i) + 1] = (ulong)(top >> 64);
        }

        return table;
    }
}
