using System.Runtime.CompilerServices;

namespace AiTrader.Core.Domain;

/// <summary>Exact decimals stored compactly: each value as one <see cref="long"/> holding its mantissa, sign and scale
/// (8 bytes instead of 16), so a million prices cost 8 MB and a value round-trips bit for bit (scale included:
/// <c>123.4500</c> stays <c>123.4500</c>).</summary>
/// <remarks>Prices and volumes read from CSV files have at most a few decimals and well under 17 digits, so they always
/// pack; a value that does not (a 20-digit volume, a split-adjusted volume with 28 decimals) switches the whole column to
/// plain <see cref="decimal"/>s, so nothing is ever rounded.</remarks>
public sealed class DecimalColumn
{
    /// <summary>Largest mantissa that packs: 2^55 − 1 (about 3.6e16).</summary>
    public const long MaxPackedMantissa = (1L << 55) - 1;

    /// <summary>The packed form of a missing value (never produced by <see cref="TryPack"/>).</summary>
    public const long Missing = long.MinValue;

    private long[]? _packed;
    private decimal[]? _wide;
    private bool[]? _missingWide;

    public DecimalColumn(int capacity)
    {
        _packed = new long[Math.Max(capacity, 0)];
    }

    private DecimalColumn(long[]? packed, decimal[]? wide, bool[]? missingWide)
    {
        _packed = packed;
        _wide = wide;
        _missingWide = missingWide;
    }

    /// <summary>Wraps an already packed array (the binary cache's).</summary>
    public static DecimalColumn FromPacked(long[] packed) => new(packed, null, null);

    /// <summary>Wraps plain decimals (the binary cache's wide form).</summary>
    public static DecimalColumn FromWide(decimal[] wide, bool[]? missing) => new(null, wide, missing);

    /// <summary>The packed values, or null when the column holds plain decimals.</summary>
    public long[]? Packed => _packed;

    /// <summary>The plain decimals, or null when the column is packed.</summary>
    public decimal[]? Wide => _wide;

    /// <summary>Which values are missing in the wide form (null: none).</summary>
    public bool[]? MissingWide => _missingWide;

    public int Capacity => _packed?.Length ?? _wide!.Length;

    /// <summary>Grows the column to hold at least <paramref name="capacity"/> values.</summary>
    public void EnsureCapacity(int capacity)
    {
        if (capacity <= Capacity)
        {
            return;
        }

        var size = Math.Max(capacity, (int)Math.Min(Array.MaxLength, Capacity * 2L));
        if (_packed is not null)
        {
            Array.Resize(ref _packed, size);
        }
        else
        {
            Array.Resize(ref _wide, size);
            if (_missingWide is not null)
            {
                Array.Resize(ref _missingWide, size);
            }
        }
    }

    /// <summary>Shrinks the storage to exactly <paramref name="count"/> values (after loading).</summary>
    public void Trim(int count)
    {
        if (_packed is not null && _packed.Length != count)
        {
            Array.Resize(ref _packed, count);
        }
        else if (_wide is not null && _wide.Length != count)
        {
            Array.Resize(ref _wide, count);
            if (_missingWide is not null)
            {
                Array.Resize(ref _missingWide, count);
            }
        }
    }

    public decimal this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _packed is { } p ? Unpack(p[index]) : _wide![index];
    }

    /// <summary>True when the value at <paramref name="index"/> was set as missing.</summary>
    public bool IsMissing(int index) => _packed is { } p ? p[index] == Missing : _missingWide?[index] == true;

    /// <summary>The value as a double (for indicators and charts; money stays in <see cref="this[int]"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double AsDouble(int index) => _packed is { } p ? UnpackDouble(p[index]) : (double)_wide![index];

    /// <summary>The exact sum of the values in [<paramref name="from"/>, <paramref name="to"/>): whole non-negative
    /// values (volumes) add up as integers, the rest as decimals.</summary>
    public decimal Sum(int from, int to)
    {
        if (_packed is not { } p)
        {
            decimal wide = 0;
            for (var i = from; i < to; i++)
            {
                wide += _wide![i];
            }

            return wide;
        }

        decimal sum = 0;
        long whole = 0;
        for (var i = from; i < to; i++)
        {
            var packed = p[i];
            if ((packed & 0x9F) == 0)
            {
                // Scale 0, not negative: the mantissa is the value. Below 2^55 each, so flushing at 2^62 cannot overflow.
                whole += packed >> 8;
                if (whole >= 1L << 62)
                {
                    sum += whole;
                    whole = 0;
                }
            }
            else
            {
                sum += Unpack(packed);
            }
        }

        return sum + whole;
    }

    /// <summary>The index of the largest (<paramref name="largest"/>) or smallest value in [<paramref name="from"/>,
    /// <paramref name="to"/>), the first one on a tie: compared as doubles, and exactly where two are within a
    /// double's rounding of each other.</summary>
    public int IndexOfExtreme(int from, int to, bool largest)
    {
        var at = from;
        var best = AsDouble(from);
        var packed = _packed;
        for (var i = from + 1; i < to; i++)
        {
            // The same packed value is the same decimal, never strictly better: equal highs and lows are common in
            // minute bars, and this skips their exact (decimal) comparison.
            if (packed is not null && packed[i] == packed[at])
            {
                continue;
            }

            var v = AsDouble(i);
            var better = Math.Abs(v - best) <= 1e-12 * Math.Abs(best)
                ? (largest ? this[i] > this[at] : this[i] < this[at])
                : (largest ? v > best : v < best);
            if (better)
            {
                (best, at) = (v, i);
            }
        }

        return at;
    }

    /// <summary>Stores <paramref name="value"/> at <paramref name="index"/> (within capacity).</summary>
    public void Set(int index, decimal value)
    {
        if (_packed is { } p)
        {
            if (TryPack(value, out var packed))
            {
                p[index] = packed;
                return;
            }

            Widen();
        }

        _wide![index] = value;
        if (_missingWide is not null)
        {
            _missingWide[index] = false;
        }
    }

    /// <summary>Stores an already packed value (from the CSV reader's fast path).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetPacked(int index, long packed)
    {
        if (_packed is { } p)
        {
            p[index] = packed;
        }
        else if (packed == Missing)
        {
            SetMissing(index);
        }
        else
        {
            _wide![index] = Unpack(packed);
        }
    }

    /// <summary>Marks the value at <paramref name="index"/> as missing.</summary>
    public void SetMissing(int index)
    {
        if (_packed is { } p)
        {
            p[index] = Missing;
            return;
        }

        _missingWide ??= new bool[_wide!.Length];
        _missingWide[index] = true;
    }

    private void Widen()
    {
        var p = _packed!;
        var wide = new decimal[p.Length];
        bool[]? missing = null;
        for (var i = 0; i < p.Length; i++)
        {
            if (p[i] == Missing)
            {
                missing ??= new bool[p.Length];
                missing[i] = true;
            }
            else
            {
                wide[i] = Unpack(p[i]);
            }
        }

        _wide = wide;
        _missingWide = missing;
        _packed = null;
    }

    /// <summary>Packs a decimal whose mantissa fits 55 bits: bits 8..62 mantissa, bit 7 sign, bits 0..4 scale.</summary>
    public static bool TryPack(decimal value, out long packed)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var flags = bits[3];
        var scale = (flags >> 16) & 0xFF;
        var negative = flags < 0;
        var mantissa = (ulong)(uint)bits[0] | ((ulong)(uint)bits[1] << 32);
        if (bits[2] != 0 || mantissa > MaxPackedMantissa)
        {
            packed = 0;
            return false;
        }

        packed = Pack((long)mantissa, scale, negative);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Pack(long mantissa, int scale, bool negative) =>
        (mantissa << 8) | (negative ? 0x80L : 0) | (long)scale;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static decimal Unpack(long packed)
    {
        var mantissa = (ulong)packed >> 8;
        return new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, (packed & 0x80) != 0, (byte)(packed & 0x1F));
    }

    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28,
    ];

    /// <summary>Approximately the value (within an ulp or two); for comparisons with a margin, charts and indicators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double UnpackDouble(long packed)
    {
        var value = (long)((ulong)packed >> 8) / PowersOfTen[(int)(packed & 0x1F)];
        return (packed & 0x80) != 0 ? -value : value;
    }
}
