using System.Globalization;
using System.Text;
using AiTrader.Core.IO;
using CsCheck;

namespace AiTrader.Core.Tests.IO;

/// <summary>The CSV writer's decimal fast path prints exactly what <c>decimal.ToString(InvariantCulture)</c> prints.</summary>
public sealed class Utf8CsvWriterDecimalTests
{
    private static string Written(decimal value)
    {
        using var stream = new MemoryStream();
        using (var csv = new Utf8CsvWriter(stream))
        {
            csv.Decimal(value);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static TheoryData<decimal> Cases => new()
    {
        0m, 0.00m, 1m, -1m, 1.5m, -0.05m, 0.0000001m, 100.50m, 114648.61m, -114648.6100m, 0.1234567890123456789012345678m,
        ulong.MaxValue, -(decimal)ulong.MaxValue, (decimal)ulong.MaxValue / 10000m, (decimal)ulong.MaxValue + 1m,
        decimal.MaxValue, decimal.MinValue, 1e-28m, -1e-28m, 79228162514264337593543950.335m, 12345678901234567890.12345678m,
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Known_values_print_as_the_invariant_formatter_prints_them(decimal value) =>
        Assert.Equal(value.ToString(CultureInfo.InvariantCulture), Written(value));

    [Fact]
    public void Negative_zero_prints_as_the_invariant_formatter_prints_it()
    {
        // Not theory data: xUnit names a case by its printed value, and -0.00 prints as 0.00, so the cases would collide.
        foreach (var zero in new[] { new decimal(0, 0, 0, isNegative: true, scale: 2), new decimal(0, 0, 0, isNegative: true, scale: 0) })
        {
            Assert.Equal(zero.ToString(CultureInfo.InvariantCulture), Written(zero));
        }
    }

    [Fact]
    public void Any_decimal_prints_as_the_invariant_formatter_prints_it()
    {
        // Every sign, scale 0–28 and magnitude (64-bit and 96-bit unscaled integers), plus prices at 2–8 decimals.
        var wide = Gen.Select(Gen.Int, Gen.Int, Gen.Int, Gen.Bool, Gen.Byte[0, 28])
            .Select((lo, mid, hi, negative, scale) => new decimal(lo, mid, hi, negative, scale));
        var small = Gen.Select(Gen.Long, Gen.Byte[0, 28]).Select((v, scale) => new decimal(
            (int)(v & 0xFFFFFFFF), (int)(v >>> 32) & int.MaxValue, 0, v < 0, scale));
        var price = Gen.Select(Gen.Long[0, 10_000_000_000_000L], Gen.Byte[2, 8]).Select((v, scale) => v / (decimal)Math.Pow(10, scale));
        Gen.OneOf(wide, small, price).Sample(
            value => Assert.Equal(value.ToString(CultureInfo.InvariantCulture), Written(value)), iter: 20_000);
    }

    [Fact]
    public void A_repeated_value_reuses_its_text_only_when_it_is_the_same_decimal_bit_for_bit()
    {
        // Equal values with other scales or signs (1.0 and 1.00, 0 and -0) print differently and must not share the
        // remembered text of the value before them.
        var values = new[]
        {
            1.0m, 1.0m, 1.00m, 1.00m, 1m, 2.5m, 1.0m, 0m, new decimal(0, 0, 0, isNegative: true, scale: 0), 0m,
            decimal.MaxValue, decimal.MaxValue, 114648.61m, 114648.61m,
        };
        using var stream = new MemoryStream();
        using (var csv = new Utf8CsvWriter(stream))
        {
            foreach (var v in values)
            {
                csv.Decimal(v).Comma();
            }
        }

        var expected = string.Concat(values.Select(v => v.ToString(CultureInfo.InvariantCulture) + ","));
        Assert.Equal("1.0,1.0,1.00,1.00,1,2.5,1.0,0,0,0,79228162514264337593543950335,79228162514264337593543950335,114648.61,114648.61,", expected);
        Assert.Equal(expected, Encoding.UTF8.GetString(stream.ToArray()));
    }
}
