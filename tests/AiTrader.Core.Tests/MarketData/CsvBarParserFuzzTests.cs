using AiTrader.Core.MarketData;
using CsCheck;

namespace AiTrader.Core.Tests.MarketData;

/// <summary>Property test over the CSV reader (issue 11): real bundled rows, mutated (fields swapped for hostile values,
/// truncation, stray characters, repeated or reordered lines, huge numbers). Each input either parses to bars in strictly
/// increasing time, or fails with one <see cref="MarketDataException"/> line; never any other exception.</summary>
public sealed class CsvBarParserFuzzTests
{
    private const long Iterations = 400;

    private static readonly string[] Hostile =
    [
        "", " ", "-", "NaN", "Infinity", "1e400", "-1e400", "79228162514264337593543950336", "1e-30", "0x10", "1,5",
        "\"1\"", "2013-13-45", "2013-10-07T25:61:00Z", "9999-12-31", "0001-01-01", "--1", "1e", "\u0000", "١٢٣",
        "2013-10-07T13:30:00+05:00", "99999999999999999999999999999", "-0", "3.14.15",
    ];

    private static readonly string Daily =
        "date,open,high,low,close,volume\n" + string.Join('\n', new[]
        {
            "2013-10-01,168.0,169.9,167.9,169.3,98000000", "2013-10-02,168.4,169.2,167.6,169.2,104000000",
            "2013-10-03,168.8,169.3,166.8,167.9,131000000", "2013-10-04,167.9,169.4,167.7,169.2,96000000",
            "2013-10-07,168.7,169.1,167.9,168.0,99000000", "2013-10-08,167.9,168.0,165.5,165.5,142000000",
        }) + "\n";

    private static readonly string Minute =
        "timestamp,open,high,low,close,volume,trade_count,vwap\n" + string.Join('\n', new[]
        {
            "2013-10-07T13:30:00Z,168.71,168.75,168.30,168.40,2470100,812,168.51", "2013-10-07T13:31:00Z,168.41,168.56,168.35,168.50,1580200,433,168.45",
            "2013-10-07T13:32:00Z,168.51,168.60,168.40,168.55,1254300,390,168.50",
        }) + "\n";

    private static readonly Gen<(int Op, int Pick, int Value, bool Minute)> Mutation =
        Gen.Select(Gen.Int[0, 7], Gen.Int[0, 100_000], Gen.Int[0, Hostile.Length - 1], Gen.Bool);

    private static string Mutate(string csv, (int Op, int Pick, int Value, bool Minute) m)
    {
        var lines = csv.TrimEnd('\n').Split('\n').ToList();
        var line = m.Pick % lines.Count;
        var fields = lines[line].Split(',');
        switch (m.Op)
        {
            case 0:
                return csv[..(m.Pick % (csv.Length + 1))];
            case 1 or 2 or 3:
                fields[m.Pick / 7 % fields.Length] = Hostile[m.Value];
                lines[line] = string.Join(',', fields);
                break;
            case 4:
                lines.Insert(line, lines[m.Value % lines.Count]);
                break;
            case 5:
                (lines[line], lines[m.Value % lines.Count]) = (lines[m.Value % lines.Count], lines[line]);
                break;
            case 6:
                lines[line] = lines[line].Insert(m.Pick / 3 % (lines[line].Length + 1), "\"\r\n,\u0000#"[m.Value % 6].ToString());
                break;
            default:
                lines[line] = string.Join(',', fields.Take(m.Value % (fields.Length + 2)));
                break;
        }

        return string.Join('\n', lines) + "\n";
    }

    [Fact]
    public void Mutated_csv_parses_to_ordered_bars_or_fails_with_one_market_data_line()
    {
        Mutation.Sample(m =>
        {
            var text = Mutate(m.Minute ? Minute : Daily, m);
            try
            {
                var bars = CsvBarParser.Parse(new StringReader(text), "fuzz.csv");
                for (var i = 1; i < bars.Count; i++)
                {
                    Assert.True(bars[i].Timestamp > bars[i - 1].Timestamp, "rows out of order were accepted");
                }

                Assert.All(bars, b => Assert.Equal(DateTimeKind.Utc, b.Timestamp.Kind));
            }
            catch (MarketDataException ex)
            {
                Assert.DoesNotContain('\n', ex.Message);
                Assert.StartsWith("fuzz.csv", ex.Message);
            }
        }, seed: "0N0XIzNsQ0O7", iter: Iterations, threads: 1);
    }

    private static readonly string MinuteSixColumns =
        "timestamp,open,high,low,close,volume\n" + string.Join('\n', new[]
        {
            "2013-10-07T13:30:00Z,168.71,168.75,168.30,168.40,2470100", "2013-10-07T13:31:00Z,168.41,168.56,168.35,168.50,1580200",
            "2013-10-07T13:32:00Z,168.51,168.60,168.40,168.55,1254300\r", "2013-10-07T13:33:00Z,0168.5,168.60,168.40,168.55,0",
            "2013-10-07T23:59:59Z,168.5,168.6,168.4,168.55,12.5", "2013-10-08T00:00:00Z,1.25,1.5,1.0,1.125,7",
            "2013-10-08T13:30:00Z, 168.71,168.75,168.30,168.40,2470100", "2013-10-08T13:31:00Z,168.71,168.75,168.30,168.40,",
            "2013-10-08T13:32:00Z,12345678901234567,12345678901234567,12345678901234567,12345678901234567,1",
        }) + "\n";

    /// <summary>The minute files' layout is read by a one-pass row reader; the same text with its first two columns
    /// swapped goes through the general reader. Both must give the same bars, or the same one-line error.</summary>
    [Fact]
    public void The_one_pass_minute_reader_agrees_with_the_general_reader_row_for_row()
    {
        // Lines as the reader cuts them (\r\n, \n or a lone \r).
        static string SwapFirstTwo(string csv) => string.Join('\n', csv.Split(["\r\n", "\n", "\r"], StringSplitOptions.None).Select(l =>
        {
            var f = l.Split(',');
            if (f.Length >= 2)
            {
                (f[0], f[1]) = (f[1], f[0]);
            }

            return string.Join(',', f);
        }));

        static (AiTrader.Core.Domain.BarColumns? Bars, string? Error) Read(string text)
        {
            try
            {
                return (CsvBarParser.ParseColumns(new StringReader(text), "fuzz.csv"), null);
            }
            catch (MarketDataException ex)
            {
                return (null, ex.Message);
            }
        }

        // Unmutated, every row shape above (a trailing '\r', a leading zero, a space, an empty volume, 17 digits) agrees.
        var inputs = new List<string> { MinuteSixColumns };
        Mutation.Sample(m => inputs.Add(Mutate(MinuteSixColumns, m)), seed: "0N0XIzNsQ0O7", iter: Iterations, threads: 1);
        foreach (var text in inputs)
        {
            var (fast, fastError) = Read(text);
            var (general, generalError) = Read(SwapFirstTwo(text));
            Assert.Equal(generalError, fastError);
            if (fast is not null && general is not null)
            {
                Assert.Equal(general.ToArray(), fast.ToArray());
            }
        }
    }

    /// <summary>Inputs the fuzzer found (seed 5Lnum0KHgpg1: a daily date whose year has no successor threw
    /// ArgumentOutOfRangeException from the New York clock), kept as regression inputs.</summary>
    [Theory]
    [InlineData("date,open,high,low,close,volume\n9999-12-31,1,1,1,1,1\n", "outside 1800-9998")]
    [InlineData("date,open,high,low,close,volume\n0001-01-01,1,1,1,1,1\n", "outside 1800-9998")]
    [InlineData("date,open,high,low,close,volume\n2013-10-07,1e400,1,1,1,1\n", "open")]
    [InlineData("timestamp,open,high,low,close,volume\n2013-10-07T25:61:00Z,1,1,1,1,1\n", "not a UTC timestamp")]
    public void Corpus_input_fails_with_one_market_data_line(string csv, string expected)
    {
        var ex = Assert.Throws<MarketDataException>(() => CsvBarParser.Parse(new StringReader(csv), "corpus.csv"));
        Assert.Contains(expected, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }
}
