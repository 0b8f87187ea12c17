using System.Globalization;
using System.Text;
using AiTrader.Core.Domain;
using AiTrader.Core.MarketData;

namespace AiTrader.Core.Tests.MarketData;

/// <summary>A large file is parsed in chunks side by side; the result must be the one-pass parse's, bar for bar, and
/// any problem must fall back to the one-pass parse (which names the line).</summary>
public sealed class CsvBarParserChunkTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aitrader-chunks-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A minute file with the quirks a chunk cut can meet: CRLF and LF line ends, blank lines, a UTF-8 BOM,
    /// rows without trade count or VWAP, a volume too long to pack (the column turns to plain decimals in one chunk
    /// only) and prices of mixed scale.</summary>
    private string Write(int rows, bool bom = true, Func<int, string?>? rowOverride = null)
    {
        var sb = new StringBuilder();
        sb.Append("timestamp,open,high,low,close,volume,trade_count,vwap\r\n");
        var start = new DateTime(2013, 10, 7, 13, 30, 0, DateTimeKind.Utc);
        var random = new Random(11);
        for (var i = 0; i < rows; i++)
        {
            if (rowOverride?.Invoke(i) is { } custom)
            {
                sb.Append(custom).Append('\n');
                continue;
            }

            var t = start.AddMinutes(i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            var low = 100m + random.Next(0, 5000) / 100m;
            var high = low + random.Next(0, 300) / 100m;
            var open = i % 7 == 0 ? low * 1.000m : low; // same value, scale 5
            var close = high;
            var volume = i == rows * 3 / 4 ? "123456789012345678901234" : random.Next(1, 100000).ToString(CultureInfo.InvariantCulture);
            var tradeCount = i % 5 == 0 ? "" : random.Next(1, 900).ToString(CultureInfo.InvariantCulture);
            var vwap = i % 3 == 0 ? "" : ((low + high) / 2).ToString(CultureInfo.InvariantCulture);
            sb.Append(CultureInfo.InvariantCulture, $"{t},{open},{high},{low},{close},{volume},{tradeCount},{vwap}");
            sb.Append(i % 2 == 0 ? "\r\n" : "\n");
            if (i % 997 == 0)
            {
                sb.Append('\n');
            }
        }

        var path = Path.Combine(_dir, $"F{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, sb.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: bom));
        return path;
    }

    private static void AssertSameBars(BarColumns expected, BarColumns actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i], actual[i]);
            // Scale too: 120.45000 stays 120.45000, as the one-pass parse keeps it.
            Assert.Equal(expected[i].Open.ToString(CultureInfo.InvariantCulture), actual[i].Open.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(expected.VwapColumn!.IsMissing(i), actual.VwapColumn!.IsMissing(i));
            Assert.Equal(expected.TradeCounts![i], actual.TradeCounts![i]);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public void Chunks_give_the_one_pass_bars(int chunks)
    {
        var path = Write(20_000);
        var onePass = CsvBarParser.ParseColumns(new StreamReader(path), path);
        var chunked = CsvBarParser.ParseInChunks(path, minChunkBytes: 16 << 10, maxChunks: chunks);
        Assert.NotNull(chunked);
        AssertSameBars(onePass, chunked);
        Assert.Null(chunked.VolumeColumn.Packed); // the 24-digit volume widened the whole column, as in one pass
        Assert.NotNull(chunked.CloseColumn.Packed);
    }

    [Fact]
    public void A_file_without_bom_is_cut_too()
    {
        var path = Write(8_000, bom: false);
        var chunked = CsvBarParser.ParseInChunks(path, minChunkBytes: 16 << 10, maxChunks: 3);
        Assert.NotNull(chunked);
        AssertSameBars(CsvBarParser.ParseColumns(new StreamReader(path), path), chunked);
    }

    [Fact]
    public void A_bad_row_in_a_later_chunk_falls_back_to_the_one_pass_error_with_its_line()
    {
        var path = Write(20_000, rowOverride: i => i == 15_000 ? "2013-10-18T03:30:00Z,1,abc,1,1,1,," : null);
        Assert.Null(CsvBarParser.ParseInChunks(path, minChunkBytes: 16 << 10, maxChunks: 2));
        var error = Assert.Throws<MarketDataException>(() => CsvBarParser.ParseFileColumns(path));
        var line = File.ReadLines(path).Select((l, n) => (l, n + 1)).First(x => x.l.Contains("abc", StringComparison.Ordinal)).Item2;
        Assert.Contains($":{line}:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rows_out_of_order_across_a_cut_fall_back_to_the_one_pass_error()
    {
        // Row 12,000 repeats the time of row 0: wherever the cut falls, the file is out of order there.
        var path = Write(20_000, rowOverride: i => i == 12_000 ? "2013-10-07T13:30:00Z,1,1,1,1,1,," : null);
        Assert.Null(CsvBarParser.ParseInChunks(path, minChunkBytes: 16 << 10, maxChunks: 2));
        Assert.Throws<MarketDataException>(() => CsvBarParser.ParseFileColumns(path));

        // Two chunks that are each in order but overlap at the cut (the second starts before the first ends).
        var shifted = Write(20_000, rowOverride: i => i >= 10_000
            ? new DateTime(2013, 10, 7, 13, 30, 0, DateTimeKind.Utc).AddMinutes(i - 5_000).AddSeconds(30)
                .ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) + ",1,1,1,1,1,,"
            : null);
        Assert.Null(CsvBarParser.ParseInChunks(shifted, minChunkBytes: 16 << 10, maxChunks: 2));
    }

    [Fact]
    public void A_small_file_or_a_single_core_is_parsed_in_one_pass()
    {
        var path = Write(200);
        Assert.Null(CsvBarParser.ParseInChunks(path));
        Assert.Null(CsvBarParser.ParseInChunks(Write(20_000), minChunkBytes: 16 << 10, maxChunks: 1));
    }
}
